"""A fake of the OTHER end of the wire: a Shtrih-M register's link layer, written from FISCAL.md
1.2/1.3/5.1 for the driver's unit tests. It shares no code with ``drivers.fiscal`` on purpose (one
codec must not sit on both ends of a wire). No tests here; other test modules import it.

The fake is a pyserial-like port: the driver writes host bytes into it, and reads what the
"register" sends back. Reads never block: an empty read is a timeout.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

STX, ENQ, ACK, NAK = 0x02, 0x05, 0x06, 0x15


def xor_all(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def wire_frame(body: bytes) -> bytes:
    """STX | N | body | LRC over N..body, as the register sends it."""
    return bytes([STX, len(body)]) + body + bytes([xor_all(bytes([len(body)]) + body)])


def ok(command: bytes, data: bytes = b"") -> bytes:
    """An answer body: command code, error 0, data."""
    return command + b"\x00" + data


def err(command: bytes, code: int) -> bytes:
    return command + bytes([code])


class FakeRegisterPort:
    """``faults``: a queue of what to do with the next command frames, one entry per frame:
    ``ok`` | ``nak`` (claim bad LRC) | ``lost`` (frame never arrives: no ACK, not executed) |
    ``no_answer`` (execute, ACK, answer held but not sent) | ``garble`` (send the answer once
    with a bad LRC) | ``garbage`` (noise before the answer) | ``power_cycle`` (execute, ACK, then
    the held answer is gone). ``dead`` = the register answers nothing at all."""

    def __init__(self, handler: Callable[[bytes], bytes]):
        self.handler = handler
        self.timeout: float | None = None
        self.faults: deque[str] = deque()
        self.dead = False
        self.to_host = bytearray()
        self.frame = bytearray()  # host frame being assembled
        self.held: bytes | None = None  # last answer body not yet ACKed by the host
        self.executed: list[bytes] = []  # command bodies the register executed
        self.host_bytes = bytearray()  # everything the host wrote (for assertions)
        self.late_naks = 0  # ENQ replies that arrive late: the next ENQ gets two NAKs

    # pyserial-like side used by the driver
    def read(self, size: int = 1) -> bytes:
        chunk = bytes(self.to_host[:size])
        del self.to_host[:size]
        return chunk

    def write(self, data: bytes) -> int:
        self.host_bytes += data
        for byte in data:
            self._on_byte(byte)
        return len(data)

    # the register's behaviour
    def _on_byte(self, byte: int) -> None:
        if self.dead:
            return
        if self.frame:
            self.frame.append(byte)
            if len(self.frame) >= 2 and len(self.frame) == self.frame[1] + 3:
                self._on_frame(bytes(self.frame))
                self.frame.clear()
        elif byte == STX:
            self.frame.append(byte)
        elif byte == ENQ:
            if self.held is None:
                if self.late_naks:  # an earlier reply, late: it lands behind this one
                    self.late_naks -= 1
                    self.to_host.append(NAK)
                self.to_host.append(NAK)
            else:
                self.to_host += bytes([ACK]) + wire_frame(self.held)
        elif byte == ACK:
            self.held = None  # answer delivered
        # NAK from the host: keep the answer, wait for ENQ

    def _on_frame(self, frame: bytes) -> None:
        fault = self.faults.popleft() if self.faults else "ok"
        if fault == "lost":
            return
        if fault == "nak" or xor_all(frame[1:-1]) != frame[-1]:
            self.to_host.append(NAK)
            return
        body = frame[2:-1]
        self.executed.append(body)
        self.held = self.handler(body)
        self.to_host.append(ACK)
        if fault in ("no_answer", "power_cycle"):
            if fault == "power_cycle":
                self.held = None
            return
        answer = wire_frame(self.held)
        if fault == "garble":
            answer = answer[:-1] + bytes([answer[-1] ^ 0x55])
        if fault == "garbage":
            answer = b"\xaa\x13\x00" + answer
        self.to_host += answer

    @property
    def executed_commands(self) -> list[str]:
        """Executed command codes as hex strings: ['10', 'ff46', ...]."""
        return [(b[:2] if b[0] == 0xFF else b[:1]).hex() for b in self.executed]
