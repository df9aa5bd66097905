"""Cases the bad-input campaign (tests/reliability/bad_input.py) found, kept as examples."""

import json

import pytest

from drivers.fiscal.errors import LinkError
from drivers.fiscal.frames import ACK, ENQ
from drivers.fiscal.link import DEFAULT_ANSWER_TIMEOUT, LinkSettings, ShtrihLink
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.messages import RejectedMessage, parse_envelope
from tests import builders


@pytest.mark.parametrize("message_type", [["stock.set"], {"a": 1}, 7, None])
def test_an_envelope_whose_type_is_not_a_string_is_refused_as_unknown(message_type):
    """A list or an object as `type` raised TypeError (a set lookup) out of the inbox: the
    link then left the message unacknowledged, redelivered at every reconnect."""
    body = {"v": 1, "id": "m-1", "seq": 1, "type": message_type, "data": {}}
    with pytest.raises(RejectedMessage) as refused:
        parse_envelope("in/stock", json.dumps(body).encode())
    assert refused.value.reason == "unknown_type" and refused.value.seq == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"v": 1, "id": "m-1", "seq": 1, "type": "stock.set", "data": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}",
    ],
)
def test_json_nested_too_deep_to_read_is_refused(payload):
    """RecursionError out of json.loads escaped the inbox: the link left the message
    unacknowledged, so the broker delivered it again at every reconnect."""
    with pytest.raises(RejectedMessage) as refused:
        parse_envelope("in/stock", payload)
    assert refused.value.reason == "invalid_json"


@pytest.mark.parametrize("vat", [{"x": 1}, ["vat22"], 22])
def test_a_product_whose_vat_is_not_a_string_is_refused_alone(vat):
    """A vat that is an object raised TypeError (a set lookup of the pre-2026 codes): the
    whole catalog.upsert, or `storegw catalog import`, failed as a bug instead of refusing
    that one product."""
    bad = builders.simple_product("B")
    bad["vat"] = vat
    upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("A"), bad))
    assert [p.id for p in upsert.products] == ["P-A"]
    (rejection,) = upsert.rejected
    assert rejection.product_id == "P-B" and "vat must be one of" in rejection.detail


class StrayAckPort:
    """A line whose register answers the first ENQ with ACK (an answer held) and then sends
    nothing; records every read timeout the link asks for."""

    def __init__(self):
        self.timeout = None
        self.timeouts: list[float] = []
        self.pending = b""
        self.enqs = 0

    def write(self, data: bytes) -> int:
        if data == bytes([ENQ]):
            self.enqs += 1
            self.pending += bytes([ACK]) if self.enqs == 1 else b""
        return len(data)

    def read(self, size: int = 1) -> bytes:
        self.timeouts.append(self.timeout)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def test_an_answer_held_before_a_command_is_waited_for_with_the_scaled_timeout():
    """Draining an answer the register holds before a command waited the full 30 s even with
    `timeout_scale` (the campaign's pty peer saw the driver stall on a stray ACK byte)."""
    settings = LinkSettings(control_timeout=0.01, byte_timeout=0.01, max_enq=2, timeout_scale=0.001)
    port = StrayAckPort()
    with pytest.raises(LinkError):
        ShtrihLink(port, settings).execute(0x10)
    longest = DEFAULT_ANSWER_TIMEOUT * settings.timeout_scale + settings.byte_timeout
    assert max(port.timeouts) <= longest
