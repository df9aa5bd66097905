"""The inbound envelope, read through payloads_envelope.CloudEnvelope: the refusal reasons come
in their fixed order, and what changes nothing the gateway does is forgiven."""

import json

import pytest

from gateway.domain.messages import RejectedMessage, parse_envelope

TS = "2026-11-27T10:15:00Z"


def wire(**fields) -> bytes:
    body = {"v": 1, "id": "c-1", "type": "order.cancelled", "ts": TS, "seq": 4, "data": {}}
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    ("payload", "reason", "detail", "ref_id"),
    [
        (
            wire(v=2, id=""),
            "wrong_version",
            "contract version 2 is not supported (this gateway speaks 1)",
            None,
        ),
        (
            wire(v=True),
            "wrong_version",
            "contract version True is not supported (this gateway speaks 1)",
            "c-1",
        ),
        (
            wire(v=...),
            "wrong_version",
            "contract version None is not supported (this gateway speaks 1)",
            "c-1",
        ),
        (
            wire(id="x" * 65, type="nope"),
            "invalid",
            "id must be a string of 1..64 characters",
            None,
        ),
        (wire(type="nope", seq=0), "unknown_type", "unknown message type 'nope'", "c-1"),
        (
            wire(type="stock.set", seq=0),
            "wrong_topic",
            "stock.set does not belong on in/orders",
            "c-1",
        ),
        (wire(seq=0, data=[]), "invalid", "seq must be a positive integer, got 0", "c-1"),
        (wire(seq=True), "invalid", "seq must be a positive integer, got True", "c-1"),
        (wire(seq=1.0), "invalid", "seq must be a positive integer, got 1.0", "c-1"),
        (wire(data=[]), "invalid", "data must be a JSON object", "c-1"),
        (b"[1]", "invalid", "the message is not a JSON object", None),
    ],
)
def test_a_broken_envelope_is_refused_with_the_first_reason(payload, reason, detail, ref_id):
    with pytest.raises(RejectedMessage) as refused:
        parse_envelope("in/orders", payload)
    exc = refused.value
    assert (exc.reason, exc.detail, exc.ref_id) == (reason, detail, ref_id)


def test_a_refused_message_keeps_its_place_in_line_when_its_seq_is_good():
    with pytest.raises(RejectedMessage) as refused:
        parse_envelope("in/orders", wire(type="nope", seq=9))
    assert refused.value.seq == 9


@pytest.mark.parametrize(
    "payload",
    [
        wire(ts="yesterday"),  # ts is informational
        wire(ts=...),
        wire(ts=5),
        wire(trace="abc"),  # a field the gateway does not know
        wire(data=...),  # read as {}
        wire(seq=None),  # applied on arrival, as without seq
    ],
)
def test_what_changes_nothing_is_forgiven(payload):
    envelope = parse_envelope("in/orders", payload)
    assert (envelope.id, envelope.type, envelope.data) == ("c-1", "order.cancelled", {})
    assert envelope.seq in (4, None)
