"""What goes on the wire, without the contract's models: the outbound topics and compact JSON.
Kept apart from messages.py so that the outbox and the repositories, which every command
imports, do not build the contract's pydantic models at each start (60 ms)."""

import json
from typing import Any

# outbound message type → topic suffix (every type not listed goes to out/events)
OUTBOUND_TOPICS = {
    "stock.changed": "out/stock",
    "message.rejected": "out/rejected",
    "gateway.status": "out/status",
}


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
