"""The envelope of every MQTT message (contract version 1), as models: what docs/asyncapi.yaml
publishes as CloudEnvelope, GatewayEnvelope and StatusEnvelope."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .payloads_types import MAX_SEQ, MessageId, Str, Timestamp, integer, named

CONTRACT_VERSION = 1

Version = named("Version", Literal[1], "The contract version.")


class CloudEnvelope(BaseModel):
    """The envelope of a cloud → gateway message. `seq` is optional: with it the gateway applies
    the message in the cloud's seq order (a seq already applied is skipped, a gap is answered
    with `sync.resend` and later messages wait); without it (or null) the message is applied on
    arrival, de-duplicated by `id`. What the gateway forgives, because it changes nothing it
    does: a `ts` it cannot read (`ts` is informational), a field it does not know, and a missing
    `data` (read as `{}`)."""

    model_config = ConfigDict(extra="forbid")
    v: Version
    id: MessageId
    type: Str
    ts: Timestamp
    seq: integer(1, MAX_SEQ) | None = Field(
        None, description="The cloud's per-store sequence number, gapless, starting at 1."
    )
    data: dict[str, Any]


class GatewayEnvelope(BaseModel):
    """The envelope of a sequenced gateway → cloud message (every type but `gateway.status`)."""

    model_config = ConfigDict(extra="forbid")
    v: Version
    id: MessageId
    type: Str
    ts: Timestamp
    seq: integer(1) = Field(
        description="Starts at 1 and grows by exactly 1 per message across out/stock, out/events"
        " and out/rejected together, surviving restarts and power loss; never reused. A gap"
        " tells the cloud to send `cmd.replay`. The message is kept (and republished with the"
        " same id and seq) until `sync.ack` has a `through_seq` at or above it.",
    )
    data: dict[str, Any]


class StatusEnvelope(BaseModel):
    """The envelope of `gateway.status`, which carries no `seq`."""

    model_config = ConfigDict(extra="forbid")
    v: Version
    id: MessageId
    type: Str
    ts: Timestamp
    data: dict[str, Any]
