"""The link discipline from the device's side (FISCAL.md 1.3 and 5.1).

* A frame with a good LRC is acknowledged with ACK, executed, and answered; a bad LRC gets NAK and
  is not executed; bytes outside a frame that are not control bytes are ignored; a frame that stops
  for longer than the byte timeout is discarded without an answer.
* ENQ is answered NAK when idle, ACK while an answer is being prepared (it follows), and ACK plus
  the answer again while the last answer is unconfirmed (never sent, NAKed, or its ACK lost).
* The host's ACK confirms the answer; the next command frame replaces any answer still held.
* A power cycle (`reset`) loses the answer buffer and any partial frame.
"""

from collections.abc import Callable

from .codec import ACK, ENQ, NAK, STX, encode_frame, lrc, split_command
from .faults import NOISE, FaultQueue

IDLE, PREPARING, HELD, SENT = "idle", "preparing", "held", "sent"


class DeviceLink:
    def __init__(
        self,
        execute: Callable[[bytes], bytes],
        busy_answer: Callable[[bytes], bytes],
        faults: FaultQueue,
        write: Callable[[bytes], None],
        power_cycle: Callable[[], None],
        byte_timeout: float = 0.05,
        answer_delays: dict[int, float] | None = None,
    ):
        self.execute = execute
        self.busy_answer = busy_answer
        self.faults = faults
        self.write = write
        self.power_cycle = power_cycle
        self.byte_timeout = byte_timeout
        self.answer_delays = dict(answer_delays or {})
        self.reset()

    def reset(self) -> None:
        self.frame: bytearray | None = None
        self.last_byte_at = 0.0
        self.answer: bytes | None = None
        self.state = IDLE
        self.send_at = 0.0
        self.corrupt_next = False
        self.garbage = b""
        self.ignore_host_ack = False

    # timing --------------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        if self.state == PREPARING:
            return self.send_at
        if self.frame is not None:
            return self.last_byte_at + self.byte_timeout
        return None

    def tick(self, now: float) -> None:
        if self.frame is not None and now - self.last_byte_at > self.byte_timeout:
            self.frame = None  # partial frame: discarded without an answer
        if self.state == PREPARING and now >= self.send_at:
            self.transmit()

    # input ---------------------------------------------------------------------------------
    def feed(self, data: bytes, now: float) -> None:
        for byte in data:
            self.tick(now)
            self.last_byte_at = now
            if self.frame is not None:
                self.frame.append(byte)
                if self.frame[0] == 0:
                    self.frame = None
                    self.write(bytes([NAK]))
                elif len(self.frame) == self.frame[0] + 2:
                    frame, self.frame = bytes(self.frame), None
                    self.on_frame(frame, now)
            elif byte == STX:
                self.frame = bytearray()
            elif byte == ENQ:
                self.on_enq()
            elif byte == ACK:
                self.on_host_ack()
            # NAK from the host: the answer stays unconfirmed until ENQ; anything else is noise

    def on_enq(self) -> None:
        if self.state == PREPARING:
            self.write(bytes([ACK]))
        elif self.state in (HELD, SENT):
            self.write(bytes([ACK]) + encode_frame(self.answer))
            self.state = SENT
        else:
            self.write(bytes([NAK]))

    def on_host_ack(self) -> None:
        if self.state != SENT:
            return
        if self.ignore_host_ack:
            self.ignore_host_ack = False  # fault: this ACK never arrived
            return
        self.state, self.answer = IDLE, None

    def on_frame(self, frame: bytes, now: float) -> None:
        length = frame[0]
        payload, check = frame[1 : 1 + length], frame[1 + length]
        if lrc(frame[: 1 + length]) != check:
            self.write(bytes([NAK]))
            return
        code, _ = split_command(payload)
        take = self.faults.take
        if take("drop_before_execute", code):
            return  # the line dropped as the frame came in: never executed, nothing answered
        self.state, self.answer = IDLE, None  # a new command replaces any answer still held
        if take("busy", code):
            self.write(bytes([ACK]))
            self.schedule(self.busy_answer(payload), code, now)
            return
        dropped = take("drop_after_execute", code)
        power_loss = take("power_cycle_after_execute", code)
        lost_ack = take("lost_ack", code)
        if not (dropped or power_loss or lost_ack):
            self.write(bytes([ACK]))
        answer = self.execute(payload)
        if power_loss:
            self.power_cycle()
        elif dropped:
            if dropped.params.get("keep_answer", True):
                self.answer, self.state = answer, HELD
        elif lost_ack:
            self.answer, self.state = answer, HELD
        else:
            self.schedule(answer, code, now)

    # output --------------------------------------------------------------------------------
    def schedule(self, answer: bytes, code: int, now: float) -> None:
        take = self.faults.take
        self.answer = answer
        self.corrupt_next = bool(take("bad_lrc", code))
        garbage = take("garbage", code)
        self.garbage = garbage.params.get("data", NOISE) if garbage else b""
        self.ignore_host_ack = bool(take("lost_host_ack", code))
        slow = take("slow_answer", code)
        delay = self.answer_delays.get(code, 0.0) + (slow.params.get("seconds", 1.0) if slow else 0)
        self.state, self.send_at = PREPARING, now + delay
        if delay <= 0:
            self.transmit()

    def transmit(self) -> None:
        self.write(self.garbage + encode_frame(self.answer, corrupt=self.corrupt_next))
        self.garbage, self.corrupt_next = b"", False
        self.state = SENT
