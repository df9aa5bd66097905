"""Keeping the two sides in step, as models: `cmd.resync`, `cmd.replay`, `sync.ack` (cloud →
gateway); `sync.resend`, `message.rejected` and `gateway.status` (gateway → cloud)."""

from pydantic import Field

from .payloads_types import MAX_ID_LEN, MAX_SEQ, Bool, CloudData, Count, GatewayData, Str, integer


class CmdResyncData(CloudData):
    """No fields."""


class CmdReplayData(CloudData):
    from_seq: integer(1, MAX_SEQ) = Field(description="The first gateway seq to publish again.")


class SyncAckData(CloudData):
    through_seq: integer(0, MAX_SEQ) = Field(
        description="Every gateway message up to this seq is durably processed by the cloud."
        " Never beyond the last seq the gateway sent; an older ack than one already received"
        " changes nothing."
    )


class SyncResendData(GatewayData):
    from_seq: integer(1) = Field(description="The first cloud seq the gateway is missing.")


REJECTION_REASONS = [
    "invalid_json",
    "invalid",
    "wrong_version",
    "unknown_type",
    "wrong_topic",
    "oversize",
    "characteristics_mismatch",
    "unknown_sku",
    "archived_sku",
    "negative_stock",
    "invalid_transition",
    "invalid_qty",
    "empty_order",
    "insufficient_stock",
    "stale_version",
    "payment_not_applicable",
]


class MessageRejectedData(GatewayData):
    ref_id: Str | None = Field(
        max_length=MAX_ID_LEN,
        description="The `id` of the rejected message, or null when it could not be read.",
    )
    topic: Str | None = Field(
        description="The full topic the message arrived on (`<prefix>/<store_id>/in/...`)."
    )
    reason: Str = Field(
        min_length=1,
        examples=REJECTION_REASONS,
        description="Machine-readable; an open list. The values the gateway uses are listed in"
        " `examples`: the envelope's (`invalid_json`, `invalid`, `wrong_version`,"
        " `unknown_type`, `wrong_topic` — a known type on another topic, `oversize` — over 16"
        " MiB), a catalog product's (`characteristics_mismatch`, `invalid`), and the domain's"
        " (`unknown_sku`, `archived_sku`, `negative_stock`, `invalid_transition`,"
        " `invalid_qty`, `empty_order`, `insufficient_stock`, `stale_version`); since 1.1"
        " `payment_not_applicable` (an `order.paid` or `order.refunded` the shop cannot"
        " receipt: the cloud must give that money back).",
    )
    detail: Str = Field(description="Human readable.")
    product_id: Str | None = Field(
        None,
        description="Since 1.1, on the rejection of one product of a `catalog.upsert` (the"
        " rest of the message applied): that product's `id`, null when it had no readable id."
        " Absent on every other rejection.",
    )


class ShiftState(GatewayData):
    open: Bool
    number: integer(1) | None


class GatewayStatusData(GatewayData):
    """`boot` grows by one at every start, so a stale last will (`online: false` with an older
    boot) never overrides a newer `online: true`. `in_seq` is the last cloud seq applied,
    `out_seq` the last seq the gateway assigned, `acked_seq` the highest `sync.ack` through_seq,
    `outbox_backlog` = out_seq − acked_seq. `devices` gives each device's state (`ok`,
    `offline`, `not_configured`, or a device-specific problem such as `paper_out`);
    `shift.number` is null before the first shift; `alarms` are human readable (e.g. a cloud seq
    gap that was skipped)."""

    online: Bool
    boot: Count
    version: Str
    in_seq: Count
    out_seq: Count
    acked_seq: Count
    outbox_backlog: Count
    devices: dict[str, Str]
    shift: ShiftState
    alarms: list[Str]
