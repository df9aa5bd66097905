"""The envelope on the wire: building, and the fast path for the cloud's frequent sync.ack."""

import json

import pytest

from gateway.domain.messages import compact_json, envelope_bytes, parse_envelope, parse_sync_ack


def ack(**overrides) -> bytes:
    body = {"v": 1, "id": "a1", "type": "sync.ack", "ts": "t", "data": {"through_seq": 7}}
    return json.dumps(body | overrides).encode()


def test_a_well_formed_sync_ack_takes_the_fast_path():
    assert parse_sync_ack("in/cmd", ack()) == 7


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [
        ("in/orders", ack()),
        ("in/cmd", ack(seq=3)),  # sequenced: it must go through the ordered inbox
        ("in/cmd", ack(v=2)),
        ("in/cmd", ack(v=True)),
        ("in/cmd", ack(type="cmd.replay")),
        ("in/cmd", ack(data={"through_seq": -1})),
        ("in/cmd", ack(data={"through_seq": 1.0})),
        ("in/cmd", ack(data={"through_seq": True})),
        ("in/cmd", ack(data=[])),
        ("in/cmd", b"{oops"),
        ("in/cmd", b"[1]"),
        ("in/cmd", b" " * 2000),
    ],
)
def test_anything_else_goes_the_long_way(suffix, payload):
    assert parse_sync_ack(suffix, payload) is None


def test_an_outbox_row_is_spliced_into_its_envelope_unchanged():
    data_json = json.dumps({"order_id": "W-1", "name": "Анна"}, ensure_ascii=False)
    wire = envelope_bytes(
        "e1", "order.confirmed", ts="2026-11-27T10:00:00Z", seq=5, data_json=data_json
    )
    body = json.loads(wire)
    assert body == {
        "v": 1,
        "id": "e1",
        "type": "order.confirmed",
        "ts": "2026-11-27T10:00:00Z",
        "seq": 5,
        "data": {"order_id": "W-1", "name": "Анна"},
    }
    envelope = parse_envelope(
        "in/orders", envelope_bytes("c1", "order.cancelled", {"order_id": "W-1"}, ts="t", seq=2)
    )
    assert (envelope.id, envelope.seq, envelope.data) == ("c1", 2, {"order_id": "W-1"})


@pytest.mark.parametrize(
    "value",
    [
        {"sku": "ФУТ-1", "qty": 2, "note": 'в "кавычках"\n', "lines": [[1, None, True, 0.5]]},
        [],
        {},
        "строка",
        7,
    ],
)
def test_compact_json_is_the_json_module_s_compact_utf8_form(value):
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(compact_json(value)) == value


def test_compact_json_refuses_what_json_cannot_encode_with_its_words():
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        compact_json({"skus": {"A"}})
