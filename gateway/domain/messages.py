"""The envelope of the MQTT contract (version 1): what every message looks like on the wire.

Inbound messages are checked here before anything is applied; a message that fails is answered
with `message.rejected` (reason and a readable detail) and never half-applied."""

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .payloads_envelope import CONTRACT_VERSION, CloudEnvelope
from .payloads_errors import Problem, problem_of, validated
from .payloads_sync import CmdReplayData, SyncAckData
from .payloads_types import MAX_ID_LEN

MAX_MESSAGE_BYTES = (
    16 * 1024 * 1024
)  # a full catalog of 100 000 skus fits; anything bigger is abuse

# topic suffix → the message types that may arrive on it
INBOUND = {
    "in/catalog": frozenset({"catalog.upsert"}),
    "in/stock": frozenset({"stock.set", "stock.adjust"}),
    "in/orders": frozenset(
        {"order.created", "order.cancelled", "order.updated", "order.paid", "order.refunded"}
    ),  # order.paid and order.refunded since contract 1.1
    "in/cmd": frozenset({"cmd.resync", "cmd.replay", "sync.ack"}),
}
INBOUND_TYPES = frozenset().union(*INBOUND.values())

# outbound message type → topic suffix (every type not listed goes to out/events)
OUTBOUND_TOPICS = {
    "stock.changed": "out/stock",
    "message.rejected": "out/rejected",
    "gateway.status": "out/status",
}


class RejectedMessage(Exception):
    """An inbound message that must not be applied. `ref_id` is its id when it could be read."""

    def __init__(self, reason: str, detail: str, ref_id: str | None = None, seq: int | None = None):
        super().__init__(detail)
        self.reason, self.detail, self.ref_id, self.seq = reason, detail, ref_id, seq


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    seq: int | None
    data: dict
    ts: str | None = None


def parse_envelope(topic_suffix: str, payload: bytes) -> Envelope:
    """Check size, JSON, version, type (for this topic), id, seq and that data is an object."""
    if len(payload) > MAX_MESSAGE_BYTES:
        raise RejectedMessage(
            "oversize", f"message of {len(payload)} bytes is over the limit of {MAX_MESSAGE_BYTES}"
        )
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RejectedMessage("invalid_json", f"not UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:  # [[[[… thousands deep: refused, never left unacknowledged
        raise RejectedMessage("invalid_json", "JSON nested too deeply to read") from exc
    if not isinstance(body, dict):
        raise RejectedMessage("invalid", "the message is not a JSON object")
    msg_id = body.get("id")
    ref_id = msg_id if isinstance(msg_id, str) and 0 < len(msg_id) <= MAX_ID_LEN else None
    raw_seq = body.get("seq")
    seq_ok = isinstance(raw_seq, int) and not isinstance(raw_seq, bool) and raw_seq >= 1
    try:
        return _check_body(topic_suffix, body, ref_id)
    except RejectedMessage as exc:
        exc.seq = raw_seq if seq_ok else None  # a bad message still takes its place in line
        raise


def _check_body(topic_suffix: str, body: dict, ref_id: str | None) -> Envelope:
    """The envelope through its model (payloads_envelope.CloudEnvelope); what is wrong is
    answered in this order: the version, the id, the type (for this topic), seq, data. A `ts`
    the model refuses, an unknown field and a missing `data` are forgiven: none changes what
    the gateway does."""
    try:
        CloudEnvelope.model_validate(body)
        wrong = {}
    except ValidationError as exc:
        wrong = {problem.loc[0]: problem for problem in _problems(exc) if problem.loc}
    if "v" in wrong or isinstance(body.get("v"), bool):
        raise RejectedMessage(
            "wrong_version",
            f"contract version {body.get('v')!r} is not"
            f" supported (this gateway speaks {CONTRACT_VERSION})",
            ref_id,
        )
    if ref_id is None:
        raise RejectedMessage("invalid", f"id must be a string of 1..{MAX_ID_LEN} characters")
    message_type = body.get("type")
    # Not a string (a list, an object) is unknown too, not a TypeError of the set lookup.
    if not isinstance(message_type, str) or message_type not in INBOUND_TYPES:
        raise RejectedMessage("unknown_type", f"unknown message type {message_type!r}", ref_id)
    if message_type not in INBOUND.get(topic_suffix, ()):
        raise RejectedMessage(
            "wrong_topic", f"{message_type} does not belong on {topic_suffix}", ref_id
        )
    seq = body.get("seq")
    if "seq" in wrong:
        raise RejectedMessage("invalid", f"seq must be a positive integer, got {seq!r}", ref_id)
    if "data" in wrong and wrong["data"].kind != "missing":
        raise RejectedMessage("invalid", "data must be a JSON object", ref_id)
    ts = body.get("ts") if isinstance(body.get("ts"), str) else None
    return Envelope(id=ref_id, type=message_type, seq=seq, data=body.get("data", {}), ts=ts)


def _problems(exc: ValidationError) -> list[Problem]:
    return [problem_of(error, CloudEnvelope) for error in exc.errors(include_url=False)]


def outbound_topic_suffix(message_type: str) -> str:
    return OUTBOUND_TOPICS.get(message_type, "out/events")


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _unencodable(value: Any) -> Any:
    return _COMPACT.default(value)  # raises the json module's own TypeError


# The json module builds its C encoder anew for every document: half the cost of a small one,
# and an order encodes four (issue 12). This one is built once; no circular-reference markers,
# so it keeps no state between calls and any thread may use it.
_C_ENCODER = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _unencodable, json.encoder.encode_basestring, None, ":", ",", False, False, True
)


def compact_json(data: Any) -> str:
    """JSON as it goes on the wire and into the outbox: no spaces, UTF-8 as is."""
    if _C_ENCODER is None:  # a Python without the json module's C part
        return _COMPACT.encode(data)
    return "".join(_C_ENCODER(data, 0))


def envelope_bytes(
    msg_id: str,
    message_type: str,
    data: Any = None,
    *,
    ts: str,
    seq: int | None = None,
    data_json: str | None = None,
) -> bytes:
    """The wire form. `data_json`: a body already encoded (an outbox row), spliced in as is."""
    body = {"v": CONTRACT_VERSION, "id": msg_id, "type": message_type, "ts": ts}
    if seq is not None:
        body["seq"] = seq
    head = compact_json(body)[:-1]
    if data_json is None:
        data_json = compact_json(data)
    return f'{head},"data":{data_json}}}'.encode()


def parse_sync_ack(topic_suffix: str, payload: bytes) -> int | None:
    """`through_seq` of a well-formed `sync.ack` without seq, else None (then it goes the
    long way, through the inbox, which rejects what is wrong with a reason)."""
    if topic_suffix != "in/cmd" or len(payload) > 1024:
        return None
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("type") != "sync.ack" or "seq" in body:
        return None
    if body.get("v") != CONTRACT_VERSION or isinstance(body.get("v"), bool):
        return None
    data = body.get("data")
    through = data.get("through_seq") if isinstance(data, dict) else None
    if isinstance(through, bool) or not isinstance(through, int) or through < 0:
        return None
    return through


def parse_through_seq(data: Any) -> int:
    """A `sync.ack` body's `through_seq` (checked by payloads_sync.SyncAckData)."""
    return validated(SyncAckData, data).through_seq


def parse_replay_from(data: Any) -> int:
    """A `cmd.replay` body's `from_seq` (checked by payloads_sync.CmdReplayData)."""
    return validated(CmdReplayData, data).from_seq
