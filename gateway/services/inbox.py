"""Cloud → gateway: every inbound message is applied at most once and in the cloud's seq order.

One transaction per message: the message's effects, the record that it was seen, the advance
of the applied seq and any reply events commit together, and only then is it acknowledged.
A message ahead of a gap is parked and `sync.resend` asks for the missing ones."""

import json

from gateway.domain.errors import DomainError, InvalidInput
from gateway.domain.messages import (
    Envelope,
    RejectedMessage,
    compact_json,
    parse_envelope,
    parse_replay_from,
    parse_through_seq,
)
from gateway.domain.orders import parse_order_cancelled, parse_order_updated
from gateway.domain.staff import CLOUD
from gateway.domain.stock import parse_stock_change

from .catalog import import_catalog
from .events import emit_message_rejected
from .order_edits import edit_order
from .orders import cancel_order, create_order
from .payments import order_paid, order_refunded
from .stock import apply_stock_change
from .sync import ack_ahead_of_head, acknowledge, full_stock_snapshot, replay_from

IN_SEQ = "in_seq"
GAP_ALARM = "cloud_seq_gap"
# Idempotent control messages: applying them twice is harmless, so they are not remembered.
# (cmd.resync is: each one writes a full snapshot, megabytes for a large shop, and a message
# redelivered a dozen times must not write a dozen.)
CONTROL = frozenset({"sync.ack", "cmd.replay"})


def receive_cloud_message(uow, prefix: str, suffix: str, payload: bytes) -> dict:
    """`prefix` is `<topic_prefix>/<store_id>`; `suffix` e.g. `in/orders`. Returns what the
    link must do next: {"outcome", "acked_seq"?, "replay_from"?, "parked"}."""
    topic = f"{prefix}/{suffix}"
    try:
        envelope = parse_envelope(suffix, payload)
        msg_id, seq = envelope.id, envelope.seq
    except RejectedMessage as exc:
        envelope, msg_id, seq = exc, exc.ref_id, exc.seq
    if seq is None:
        return _apply_once(uow, topic, envelope)
    applied = uow.sync.counter(IN_SEQ)
    if seq <= applied and uow.sync.unskip(seq):
        # Given up on by skip_gap and resent at last: applied now, out of its order (a message
        # dropped instead would lose an order for good); the alarm shrinks to what is missing.
        late = _apply_once(uow, topic, envelope)
        return {**late, "late": seq, "missing": _show_skipped(uow)}
    if seq <= applied:
        if msg_id:
            uow.sync.remember(msg_id, seq, "?", "duplicate")
        return {"outcome": "duplicate"}
    if seq > applied + 1:
        uow.sync.park(seq, msg_id or f"seq-{seq}", suffix, payload)
        if uow.sync.parked_count() == 1:  # a new gap; the link repeats the request while it lasts
            request_resend(uow, applied + 1)
        return {"outcome": "parked", "parked": True}
    # Next in line. Even a message that must be rejected, or one already applied under another
    # seq (a retry the cloud numbered anew), takes its place: the seq advances.
    result = _apply_once(uow, topic, envelope)
    uow.sync.set_counter(IN_SEQ, seq)
    return _drain_parked(uow, prefix, result)


def request_resend(uow, from_seq: int | None = None) -> dict:
    """Ask the cloud for what is missing (again: the link calls this while a gap is open)."""
    if from_seq is None:
        if uow.sync.first_parked() is None:
            return {"outcome": "no_gap", "parked": False}
        from_seq = uow.sync.counter(IN_SEQ) + 1
    uow.outbox.emit("sync.resend", {"from_seq": from_seq})
    return {"outcome": "resend", "parked": True}


def skip_gap(uow, prefix: str) -> dict:
    """The missing cloud messages never came (configurable wait): go on with what is parked, so
    the shop does not stop waiting for something that is lost. The skipped seqs are kept and
    named in the `cloud_seq_gap` alarm until each one arrives (nothing else clears it: the
    contract has no message by which the cloud could acknowledge the loss)."""
    first = uow.sync.first_parked()
    applied = uow.sync.counter(IN_SEQ)
    if first is None or first[0] <= applied + 1:
        return {"outcome": "no_gap", "parked": first is not None}
    uow.sync.skip_seqs(applied + 1, first[0] - 1)
    missing = _show_skipped(uow)
    uow.sync.set_counter(IN_SEQ, first[0] - 1)
    result = {"outcome": "skipped", "skipped": (applied + 1, first[0] - 1), "missing": missing}
    return _drain_parked(uow, prefix, result)


SHOWN_RANGES = 20  # the alarm is a status line, not a list of thousands


def _show_skipped(uow) -> str:
    """The `cloud_seq_gap` alarm names the cloud seqs skipped and never received since; it goes
    when none is missing. Returns the missing seqs in words ("" when none)."""
    ranges = uow.sync.skipped_ranges()
    if not ranges:
        uow.sync.clear_alarm(GAP_ALARM)
        return ""
    words = ", ".join(f"{a}..{b}" if a < b else str(a) for a, b in ranges[:SHOWN_RANGES])
    if len(ranges) > SHOWN_RANGES:
        words += f" and {len(ranges) - SHOWN_RANGES} more ranges"
    uow.sync.raise_alarm(
        GAP_ALARM,
        f"cloud messages {words} never arrived and were skipped: the cloud must send them again",
    )
    return words


def _drain_parked(uow, prefix: str, result: dict) -> dict:
    """Apply parked messages that are now next in line; merge what the link must do."""
    while (first := uow.sync.first_parked()) is not None:
        seq, suffix, payload = first
        applied = uow.sync.counter(IN_SEQ)
        if seq > applied + 1:
            break
        uow.sync.unpark(seq)
        if seq <= applied:
            continue
        try:
            envelope = parse_envelope(suffix, payload)
        except RejectedMessage as exc:
            envelope = exc
        later = _apply_once(uow, f"{prefix}/{suffix}", envelope)
        uow.sync.set_counter(IN_SEQ, seq)
        result = _merge(result, later)
    result["parked"] = uow.sync.parked_count() > 0
    return result


def _merge(first: dict, later: dict) -> dict:
    merged = {**first}
    if "acked_seq" in later:
        merged["acked_seq"] = max(later["acked_seq"], first.get("acked_seq", 0))
    if "replay_from" in later:
        merged["replay_from"] = min(later["replay_from"], first.get("replay_from", 2**63))
    return merged


def _apply_once(uow, topic: str, envelope: Envelope | RejectedMessage) -> dict:
    """Apply a message unless its id was seen already (a redelivery, a retry)."""
    msg_id = envelope.ref_id if isinstance(envelope, RejectedMessage) else envelope.id
    if msg_id and uow.sync.seen(msg_id):
        return {"outcome": "duplicate"}
    return _apply(uow, topic, envelope)


def _apply(uow, topic: str, envelope: Envelope | RejectedMessage) -> dict:
    if isinstance(envelope, RejectedMessage):  # broken on arrival: answered, never applied
        emit_message_rejected(uow, envelope.ref_id, topic, envelope.reason, envelope.detail)
        if envelope.ref_id:
            uow.sync.remember(envelope.ref_id, envelope.seq, "?", "rejected")
        return {"outcome": "rejected", "reason": envelope.reason}
    try:
        with uow.savepoint():
            effect = HANDLERS[envelope.type](uow, envelope.data, envelope.id, topic)
    except DomainError as exc:
        emit_message_rejected(uow, envelope.id, topic, exc.reason, exc.detail)
        uow.sync.remember(envelope.id, envelope.seq, envelope.type, "rejected")
        return {"outcome": "rejected", "reason": exc.reason}
    if envelope.type not in CONTROL:
        uow.sync.remember(envelope.id, envelope.seq, envelope.type, "applied")
    return {"outcome": "applied", **effect}


def _catalog(uow, data, msg_id, topic) -> dict:
    import_catalog(uow, data, ref_id=msg_id, topic=topic, report=True)
    return {}


def _stock(kind: str):
    def handle(uow, data, msg_id, topic) -> dict:
        apply_stock_change(uow, parse_stock_change(kind, data), by=CLOUD)
        return {}

    return handle


def _order_created(uow, data, msg_id, topic) -> dict:
    create_order(uow, data)
    for early_id, early_type, early_topic, data_json in uow.sync.take_early(data["order_id"]):
        try:  # each alone: a refused one is answered and the order and the others stand
            with uow.savepoint():
                HANDLERS[early_type](uow, json.loads(data_json), early_id, early_topic)
        except DomainError as exc:
            emit_message_rejected(uow, early_id, early_topic, exc.reason, exc.detail)
    return {}


def _park_early(uow, message_type: str, order_id: str, data, msg_id, topic) -> dict:
    """An order.cancelled or order.updated ahead of its order.created (DOMAIN.md edge 9: the
    cloud's messages without a seq may cross): kept, and applied right after the order."""
    uow.sync.park_early(msg_id, order_id, message_type, topic, compact_json(data))
    return {"early": order_id}


def _order_cancelled(uow, data, msg_id, topic) -> dict:
    order_id, reason = parse_order_cancelled(data)
    if not uow.orders.exists(order_id):
        return _park_early(uow, "order.cancelled", order_id, data, msg_id, topic)
    cancel_order(uow, order_id, by=CLOUD, reason=reason)
    return {}


def _order_updated(uow, data, msg_id, topic) -> dict:
    order_id = parse_order_updated(data)[0].order_id
    if not uow.orders.exists(order_id):
        return _park_early(uow, "order.updated", order_id, data, msg_id, topic)
    edit_order(uow, data, by=CLOUD)
    return {}


def _order_paid(uow, data, msg_id, topic) -> dict:
    return order_paid(uow, data, msg_id)


def _order_refunded(uow, data, msg_id, topic) -> dict:
    return order_refunded(uow, data, msg_id)


def _sync_ack(uow, data, msg_id, topic) -> dict:
    through = parse_through_seq(data)
    head = uow.sync.outbox_head()
    if through > head:
        rejoined = ack_ahead_of_head(uow, through)
        if rejoined is None:
            raise InvalidInput(f"through_seq {through} is beyond the last seq sent ({head})")
        return {"acked_seq": rejoined}
    return {"acked_seq": acknowledge(uow, through)}


def _replay(uow, data, msg_id, topic) -> dict:
    from_seq = parse_replay_from(data)
    return {"replay_from": replay_from(uow, from_seq)}


def _resync(uow, data, msg_id, topic) -> dict:
    full_stock_snapshot(uow)
    return {}


HANDLERS = {
    "catalog.upsert": _catalog,
    "stock.set": _stock("set"),
    "stock.adjust": _stock("adjust"),
    "order.created": _order_created,
    "order.cancelled": _order_cancelled,
    "order.updated": _order_updated,
    "order.paid": _order_paid,  # contract 1.1: the prepayment receipt
    "order.refunded": _order_refunded,  # contract 1.1: its refund
    "sync.ack": _sync_ack,
    "cmd.replay": _replay,
    "cmd.resync": _resync,
}
