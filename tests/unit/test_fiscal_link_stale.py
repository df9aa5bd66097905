"""Late replies to ENQ must never make a state-changing command run twice (FISCAL.md 1.3).

A register busy for a while (printing) answers the driver's ENQs only once it is free, all at
once: the extra ENQs the driver sent meanwhile leave late NAKs on the line. Read after the next
frame, one looks like "frame refused" and a second like "ENQ: not taken"."""

from collections import deque

import pytest

from drivers.fiscal.errors import LinkDown
from drivers.fiscal.link import ShtrihLink
from tests.unit.test_fiscal_fakes import ENQ, NAK, FakeRegisterPort
from tests.unit.test_fiscal_link import FAST, echo_ok


class SlowRegisterPort(FakeRegisterPort):
    """The fake register on a virtual clock: whatever it sends goes out in order, no earlier
    than ``busy_until`` and ``latency`` after the host's byte. A read that finds nothing due
    within ``timeout`` advances the clock by ``timeout`` (the wait the driver would have had)."""

    def __init__(self, handler, busy_until=0.0, latency=0.0):
        super().__init__(handler)
        self.now = 0.0
        self.busy_until = busy_until
        self.latency = latency
        self.outgoing: deque[tuple[float, int]] = deque()  # (due time, byte)

    def write(self, data: bytes) -> int:
        written = super().write(data)
        due = max(self.now + self.latency, self.busy_until)
        if self.outgoing:
            due = max(due, self.outgoing[-1][0])
        self.outgoing.extend((due, byte) for byte in self.to_host)
        self.to_host.clear()
        return written

    def read(self, size: int = 1) -> bytes:
        wait = self.timeout or 0.0
        if self.outgoing and self.outgoing[0][0] <= self.now + wait:
            self.now = max(self.now, self.outgoing[0][0])
            return bytes([self.outgoing.popleft()[1]])
        self.now += wait
        return b""


def test_late_enq_replies_from_a_busy_register_never_run_an_item_twice():
    # Busy until 2.4 control timeouts: ENQ 1 and 2 go unanswered, the third gets NAK 1 and
    # NAK 2 and 3 follow -- two stale NAKs ahead of the frame's ACK.
    device = SlowRegisterPort(echo_ok, busy_until=2.4 * FAST.control_timeout)
    link = ShtrihLink(device, FAST)
    body = link.execute(0xFF46, b"\x1e\x00\x00\x00")
    assert device.executed_commands == ["ff46"]
    assert body[:3] == b"\xff\x46\x00"
    assert link.execute(0x10, b"\x1e\x00\x00\x00")[:2] == b"\x10\x00"  # back in step
    assert device.executed_commands == ["ff46", "10"]


def test_stale_naks_left_on_the_line_never_run_an_item_twice():
    # However the NAKs got there (an earlier exchange, a port without reset_input_buffer),
    # only the reply to an ENQ sent on a quiet line may prove the frame was not taken.
    device = FakeRegisterPort(echo_ok)
    device.to_host += bytes([NAK, NAK])
    link = ShtrihLink(device, FAST)
    body = link.execute(0xFF46, b"\x1e\x00\x00\x00")
    assert device.executed_commands == ["ff46"]
    assert body[:3] == b"\xff\x46\x00"


def test_a_register_always_slower_than_the_control_timeout_gets_no_command():
    # Every reply late: no ENQ ever gets its own reply, so the link is down and nothing is sent.
    device = SlowRegisterPort(echo_ok, latency=1.5 * FAST.control_timeout)
    link = ShtrihLink(device, FAST)
    with pytest.raises(LinkDown):
        link.execute(0xFF46, b"\x1e\x00\x00\x00")
    assert device.executed == []
    assert set(device.host_bytes) == {ENQ}
