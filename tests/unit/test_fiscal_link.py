"""ENQ/ACK/NAK link discipline against a scripted fake register (FISCAL.md 1.3, 5.1, 5.4)."""

import pytest
import serial

from drivers.fiscal.errors import AnswerLost, LinkDown, LinkError
from drivers.fiscal.link import LinkSettings, ShtrihLink, answer_timeout
from tests.unit.test_fiscal_fakes import ACK, ENQ, NAK, FakeRegisterPort, ok

STATUS = bytes.fromhex("10 1E 00 00 00")
FAST = LinkSettings(control_timeout=0.05, byte_timeout=0.05, timeout_scale=0.001)


def echo_ok(body: bytes) -> bytes:
    code = body[:2] if body[0] == 0xFF else body[:1]
    return ok(code, b"\x1e")


@pytest.fixture
def device():
    return FakeRegisterPort(echo_ok)


@pytest.fixture
def link(device):
    return ShtrihLink(device, FAST)


def test_enq_first_then_frame_then_ack_of_the_answer(device, link):
    assert link.execute(0x10, STATUS[1:]) == bytes.fromhex("10 00 1E")
    frame = bytes.fromhex("02 05 10 1E 00 00 00 0B")
    assert bytes(device.host_bytes) == bytes([ENQ]) + frame + bytes([ACK])
    assert device.held is None


def test_frame_nak_is_resent(device, link):
    device.faults.extend(["nak", "nak"])
    assert link.execute(0x10, STATUS[1:])[:2] == bytes.fromhex("10 00")
    assert len(device.executed) == 1


def test_frame_nak_limit_is_three(device, link):
    device.faults.extend(["nak"] * 3)
    with pytest.raises(LinkError):
        link.execute(0x10, STATUS[1:])
    assert device.executed == []


def test_frame_lost_on_the_way_is_resent_only_after_enq_says_idle(device, link):
    device.faults.append("lost")
    link.execute(0x10, STATUS[1:])
    assert len(device.executed) == 1
    # ENQ, frame (lost), probe ENQ (-> NAK: not taken), frame again, ACK of the answer
    frame = bytes.fromhex("02 05 10 1E 00 00 00 0B")
    assert bytes(device.host_bytes) == bytes([ENQ]) + frame + bytes([ENQ]) + frame + bytes([ACK])


def test_garbled_answer_is_naked_and_asked_for_again(device, link):
    device.faults.append("garble")
    assert link.execute(0x10, STATUS[1:]) == bytes.fromhex("10 00 1E")
    assert len(device.executed) == 1  # never re-sent: the answer was re-delivered on ENQ
    assert NAK in device.host_bytes


def test_garbage_before_the_answer_is_skipped(device, link):
    device.faults.append("garbage")
    assert link.execute(0x10, STATUS[1:]) == bytes.fromhex("10 00 1E")


def test_pending_answer_from_before_is_drained_not_lost(device, link):
    device.held = bytes.fromhex("FF 45 00 01")  # an older answer the host never ACKed
    link.execute(0x10, STATUS[1:])
    assert link.stale_answers == [bytes.fromhex("FF 45 00 01")]


def test_lost_answer_raises_and_is_never_resent(device, link):
    device.faults.append("no_answer")
    with pytest.raises(AnswerLost):
        link.execute(0xFF45, b"\x1e\x00\x00\x00")
    assert len(device.executed) == 1
    # The caller asks for the pending answer instead of sending the command again.
    assert link.fetch_pending_answer() == bytes.fromhex("FF 45 00 1E")
    assert len(device.executed) == 1
    assert link.fetch_pending_answer() is None  # delivered and ACKed: nothing held any more


def test_answer_lost_in_a_power_cycle_leaves_nothing_pending(device, link):
    device.faults.append("power_cycle")
    with pytest.raises(AnswerLost):
        link.execute(0xFF45, b"\x1e\x00\x00\x00")
    assert link.fetch_pending_answer() is None


def test_answer_garbled_every_time_gives_up_with_answer_lost(device, link):
    device.faults.append("garble")
    device.handler = echo_ok
    original = device._on_byte

    def always_garble(byte):  # every re-delivery garbled too
        before = len(device.to_host)
        original(byte)
        if byte == ENQ and len(device.to_host) > before + 1:
            device.to_host[-1] ^= 0x55

    device._on_byte = always_garble
    with pytest.raises(AnswerLost):
        link.execute(0x10, STATUS[1:])
    assert len(device.executed) == 1


def test_silent_register_is_link_down_after_ten_enqs(device, link):
    device.dead = True
    with pytest.raises(LinkDown):
        link.execute(0x10, STATUS[1:])
    assert bytes(device.host_bytes) == bytes([ENQ]) * 10


def test_register_silent_after_taking_the_frame_is_answer_lost(device, link):
    device.faults.append("lost")
    original = device._on_frame

    def die_after_frame(frame):
        original(frame)
        device.dead = True

    device._on_frame = die_after_frame
    with pytest.raises(AnswerLost):
        link.execute(0xFF45, b"\x1e\x00\x00\x00")


def test_loop_url_echo_is_no_register():
    # loop:// echoes our ENQ back: not ACK/NAK, so it must end as "no link", not hang.
    port = serial.serial_for_url("loop://", timeout=0.01)
    link = ShtrihLink(port, LinkSettings(control_timeout=0.01, max_enq=2))
    with pytest.raises(LinkDown):
        link.execute(0x10, STATUS[1:])


def test_per_command_answer_timeouts_follow_the_vendor_table():
    assert answer_timeout(0x10) == 3
    assert answer_timeout(0x41) == 65
    assert answer_timeout(0xE0) == 120
    assert answer_timeout(0xFF61) == 40
    assert answer_timeout(0xFF45) == 30


def test_a_late_nak_never_makes_a_state_changing_command_run_twice(device, link):
    """A reply to ENQ that comes after the control timeout lands behind the next one: read
    after the frame it looks like "frame refused". Resending would run FF46 twice (an item
    sold twice); the link asks with ENQ whether the register took the frame first."""
    device.late_naks = 1
    body = link.execute(0xFF46, b"\x1e\x00\x00\x00")
    assert device.executed_commands == ["ff46"]
    assert body[:3] == b"\xff\x46\x00"
    assert link.execute(0x10, b"\x1e\x00\x00\x00")[:2] == b"\x10\x00"  # back in step


def test_a_real_nak_of_a_state_changing_command_is_resent_after_enq_says_idle(device, link):
    device.faults.append("nak")
    link.execute(0xFF46, b"\x1e\x00\x00\x00")
    assert device.executed_commands == ["ff46"]
    assert device.host_bytes.count(bytes([ENQ])) >= 2  # the refusal was checked before resending
