"""Envelopes of MQTT-CONTRACT.md v1 and its 1.1 additions, written from the contract alone
(never from gateway code: a codec bug must not pass on both sides). Building what the cloud
sends, checking what arrives."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

VERSION = 1
MAX_ID = 64

# cloud → gateway: the topic (below <prefix>/<store>/) each message type travels on.
IN_TOPIC = {
    "catalog.upsert": "in/catalog",
    "stock.set": "in/stock",
    "stock.adjust": "in/stock",
    "order.created": "in/orders",
    "order.cancelled": "in/orders",
    "order.updated": "in/orders",  # extension (DOMAIN.md 1.4 row 2), accepted by the gateway
    "order.paid": "in/orders",  # contract 1.1: paid on the site
    "order.refunded": "in/orders",  # contract 1.1: the money given back
    "cmd.resync": "in/cmd",
    "cmd.replay": "in/cmd",
    "sync.ack": "in/cmd",
}

# gateway → cloud: the out/<kind> each type must arrive on; every other known type is an event.
OUT_KIND = {"stock.changed": "stock", "message.rejected": "rejected", "gateway.status": "status"}
EVENT_TYPES = frozenset(
    {
        "order.reserved",
        "order.rejected",
        "order.confirmed",
        "order.shipped",
        "order.cancelled",
        "order.released",
        "receiving.posted",
        "stock.adjusted",
        "stock.low",
        "receipt.fiscalized",
        "fiscal.alarm",  # contract 1.1
        "shift.opened",
        "shift.closed",
        "sync.resend",
    }
)
GATEWAY_TYPES = EVENT_TYPES | OUT_KIND.keys()


class ProtocolError(ValueError):
    """A gateway message that breaks the contract. Counted, never fatal."""


def utc_ts() -> str:
    """`ts` is informational only (the contract orders by seq, never by clock)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_envelope(
    type: str, data: dict, *, seq: int | None = None, msg_id: str | None = None
) -> dict:
    """{"v":1,"id","type","ts",["seq"],"data"}; a fresh uuid4 id unless one is given."""
    env: dict[str, Any] = {"v": VERSION, "id": msg_id or str(uuid.uuid4()), "type": type}
    env["ts"] = utc_ts()
    if seq is not None:
        env["seq"] = seq
    env["data"] = data
    return env


def in_topic(type: str) -> str:
    try:
        return IN_TOPIC[type]
    except KeyError:
        raise ValueError(f"no cloud → gateway topic for type {type!r}; pass topic=") from None


def encode(env: dict) -> bytes:
    return json.dumps(env, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_envelope(kind: str, payload: bytes) -> dict:
    """The envelope of a message that arrived on out/<kind>, or ProtocolError.

    Only envelope-level faults raise here (they make the message unusable, seq included).
    A bad `data` is reported by `data_error` so the seq can still be consumed."""
    try:
        env = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"out/{kind}: not UTF-8 JSON ({exc})") from None
    if not isinstance(env, dict):
        raise ProtocolError(f"out/{kind}: not a JSON object")
    if env.get("v") != VERSION:
        raise ProtocolError(f"out/{kind}: v is {env.get('v')!r}, not {VERSION}")
    msg_id, type_ = env.get("id"), env.get("type")
    if not isinstance(msg_id, str) or not 0 < len(msg_id) <= MAX_ID:
        raise ProtocolError(f"out/{kind}: id missing, not a string or longer than {MAX_ID}")
    if not isinstance(type_, str) or not type_:
        raise ProtocolError(f"out/{kind}: type missing")
    if not isinstance(env.get("data"), dict):
        raise ProtocolError(f"out/{kind}: {type_} {msg_id}: data is not an object")
    seq = env.get("seq")
    if type_ == "gateway.status":
        if kind != "status":
            raise ProtocolError(f"gateway.status on out/{kind}")
    elif not _is_int(seq) or seq < 1:
        raise ProtocolError(f"out/{kind}: {type_} {msg_id}: seq {seq!r} is not an integer ≥ 1")
    return env


def data_error(kind: str, env: dict) -> str | None:
    """What is wrong with a sequenced message's topic or data (None if nothing)."""
    type_, data = env["type"], env["data"]
    if type_ not in GATEWAY_TYPES:
        return None  # an extension: consumed in order, not applied (counted apart)
    expected = OUT_KIND.get(type_, "events")
    if kind != expected:
        return f"{type_} arrived on out/{kind}, expected out/{expected}"
    check = _CHECKS.get(type_)
    return check(data) if check else None


def _check_stock_changed(data: dict) -> str | None:
    items = data.get("items")
    if not isinstance(items, list) or not isinstance(data.get("full", False), bool):
        return "stock.changed needs items: [...] and an optional boolean full"
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            return "stock.changed item without a sku"
        for key in ("on_hand", "reserved", "available"):
            if not _is_int(item.get(key)):
                return f"stock.changed {item['sku']}: {key} is not an integer"
    return None


def _check_order(data: dict) -> str | None:
    if not isinstance(data.get("order_id"), str) or not data["order_id"]:
        return "order event without an order_id"
    return None


def _check_order_reserved(data: dict) -> str | None:
    if problem := _check_order(data):
        return problem
    if data.get("status") not in ("reserved", "short"):
        return f"order.reserved {data['order_id']}: status {data.get('status')!r}"
    lines = data.get("lines")
    if not isinstance(lines, list):
        return f"order.reserved {data['order_id']}: lines is not a list"
    for line in lines:
        ok = isinstance(line, dict) and isinstance(line.get("sku"), str)
        if not ok or not (_is_int(line.get("qty")) and _is_int(line.get("reserved"))):
            return f"order.reserved {data['order_id']}: a line lacks sku, qty or reserved"
    return None


def _check_sync_resend(data: dict) -> str | None:
    if not _is_int(data.get("from_seq")) or data["from_seq"] < 1:
        return "sync.resend needs an integer from_seq ≥ 1"
    return None


def _check_receipt(data: dict) -> str | None:
    if not isinstance(data.get("kind"), str) or not _is_int(data.get("total")):
        return "receipt.fiscalized without a kind or an integer total"
    payments = data.get("payments")
    if not isinstance(payments, dict) or not all(_is_int(v) for v in payments.values()):
        return f"receipt.fiscalized {data.get('receipt_id')}: payments are not integers"
    return None


def _check_rejected(data: dict) -> str | None:
    if not isinstance(data.get("reason"), str):
        return "message.rejected without a reason"
    return None


_CHECKS = {
    "stock.changed": _check_stock_changed,
    "order.reserved": _check_order_reserved,
    "order.rejected": _check_order,
    "order.confirmed": _check_order,
    "order.shipped": _check_order,
    "order.cancelled": _check_order,
    "sync.resend": _check_sync_resend,
    "message.rejected": _check_rejected,
    "receipt.fiscalized": _check_receipt,
}


def status_error(data: dict) -> str | None:
    """gateway.status: `online` is a boolean; the counters, when present, are integers."""
    if not isinstance(data.get("online"), bool):
        return "gateway.status without a boolean online"
    for key in ("boot", "in_seq", "out_seq", "acked_seq", "outbox_backlog"):
        if key in data and not _is_int(data[key]):
            return f"gateway.status: {key} is not an integer"
    return None
