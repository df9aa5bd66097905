"""Bad frames from the register. Two parts:

* the frame and answer decoders (drivers/fiscal/frames.py, answers.py) on mutated frames,
  compared with an independent reading of the framing (STX, N, body, XOR of N..body);
* the driver (drivers/fiscal ShtrihM over its link) on a pty whose other end is a raw peer
  written here: it takes each command and answers it with a script of junk, truncated frames,
  wrong LRCs, wrong length bytes, answers to another command and random answer data, maybe
  ending with a good answer. The driver must return or raise a clear error (FiscalError or
  FrameError), never anything else, and never hang."""

from __future__ import annotations

import faulthandler
import os
import select
import sys
import threading
import time
import tty
from dataclasses import dataclass, field

from hypothesis import strategies as st

from drivers.fiscal import answers
from drivers.fiscal.errors import FiscalError
from drivers.fiscal.frames import ACK, ENQ, NAK, STX, FrameError, decode_frame, split_answer
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.shtrih import ShtrihM
from tests.reliability.bad_input_junk import each_example

FAST = LinkSettings(control_timeout=0.03, byte_timeout=0.015, max_enq=3, timeout_scale=0.002)
HANG_AFTER = 10.0  # seconds; every timeout of FAST together is far below this
QUERIES = {  # command → the driver call that sends it and decodes the answer
    0x10: lambda r: r.status(),
    0xFF01: lambda r: r.fn_status(),
    0xFF40: lambda r: r.shift_state(),
    0xFF0A: lambda r: r.find_document(7),
}
DECODERS = [answers.short_status, answers.fn_status, answers.shift_parameters]


def reference_body(frame: bytes) -> bytes | None:
    """The framing read independently: the body when the frame is intact, else None."""
    if len(frame) < 3 or frame[0] != 0x02:
        return None
    n = frame[1]
    if n < 1 or len(frame) != n + 3:
        return None
    check = 0
    for byte in frame[1 : n + 2]:
        check ^= byte
    return frame[2 : n + 2] if check == frame[n + 2] else None


def framed(body: bytes) -> bytes:
    check = len(body)
    for byte in body:
        check ^= byte
    return bytes([STX, len(body)]) + body + bytes([check])


def answer_body(command: int, error: int, data: bytes) -> bytes:
    code = bytes([command]) if command <= 0xFF else command.to_bytes(2, "big")
    return (code + bytes([error]) + data)[:255]


@st.composite
def bad_answers(draw, command: int) -> bytes:
    """One thing the register sends back for `command`."""
    data = draw(st.binary(max_size=64))
    error = draw(st.sampled_from([0, 0, 0, 0x50, 0x58, 0x6B, draw(st.integers(0, 255))]))
    good = framed(answer_body(command, error, data))
    kind = draw(st.sampled_from(["good", "junk", "cut", "lrc", "length", "other", "noise"]))
    if kind == "junk":
        return draw(st.binary(min_size=1, max_size=80))
    if kind == "cut":
        return good[: draw(st.integers(1, len(good) - 1))]
    if kind == "lrc":
        return good[:-1] + bytes([good[-1] ^ draw(st.integers(1, 255))])
    if kind == "length":
        return good[:1] + bytes([draw(st.integers(0, 255))]) + good[2:]
    if kind == "other":
        return framed(answer_body(draw(st.sampled_from([0x11, 0xFF02, 0x16])), 0, data))
    if kind == "noise":
        return draw(st.binary(max_size=8)) + good
    return good


@st.composite
def exchanges(draw) -> tuple[int, list[bytes], bytes]:
    """(command, the answers sent one per request, junk sent instead of the first NAK/ACK)."""
    command = draw(st.sampled_from(list(QUERIES)))
    script = draw(st.lists(bad_answers(command), min_size=1, max_size=4))
    control_junk = draw(st.sampled_from([b"", b"", b"", b"\xff", b"\x00\x13", b"\x06\x06"]))
    return command, script, control_junk


class RawRegister:
    """The far end of a pty: answers each command with the current case's script."""

    def __init__(self):
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self.slave = slave  # kept open so the line stays up between cases
        self.script: list[bytes] = []
        self.control_junk = b""
        self.holding = False
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def case(self, script: list[bytes], control_junk: bytes) -> None:
        with self.lock:
            self.script, self.control_junk, self.holding = list(script), control_junk, False

    def _read(self, size: int, timeout: float = 0.05) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        return os.read(self.master, size) if ready else b""

    def _serve(self) -> None:
        while not self.stopping:
            byte = self._read(1, 0.1)
            if not byte:
                continue
            with self.lock:
                self._on(byte[0])

    def _on(self, byte: int) -> None:
        if byte == ENQ:
            if self.control_junk:
                os.write(self.master, self.control_junk)
                self.control_junk = b""
            elif self.holding and self.script:
                os.write(self.master, bytes([ACK]) + self.script.pop(0))
            else:
                self.holding = False
                os.write(self.master, bytes([NAK]))
        elif byte == STX:
            length = self._read(1)
            if length:
                rest = b""
                while len(rest) < length[0] + 1 and (
                    chunk := self._read(length[0] + 1 - len(rest))
                ):
                    rest += chunk
            self.holding = True
            os.write(self.master, bytes([ACK]) + (self.script.pop(0) if self.script else b""))
        elif byte == ACK:
            self.holding = False

    def close(self) -> None:
        self.stopping = True
        self.thread.join(timeout=2)
        os.close(self.master)
        os.close(self.slave)


@dataclass
class SerialOutcome:
    frame_cases: int = 0
    link_cases: int = 0
    answered: int = 0
    clear_errors: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def check_frame(frame: bytes, outcome: SerialOutcome) -> None:
    outcome.frame_cases += 1
    expected = reference_body(frame)
    try:
        body = decode_frame(frame)
    except FrameError:
        body = None
    except Exception as exc:
        outcome.crashes.append(f"decode_frame({frame.hex()}): {exc!r}")
        return
    if body != expected:
        outcome.disagreements.append(f"{frame.hex()}: decoder {body!r}, reference {expected!r}")
    if body is None:
        return
    for command in QUERIES:
        for decode in DECODERS:  # every decoder on every answer: the data is junk to them all
            try:
                decode(split_answer(body, command).data)
            except FrameError:
                pass  # BadAnswer: the clear error the driver raises
            except Exception as exc:
                outcome.crashes.append(f"answer {body.hex()} to {command:#x}: {exc!r}")


def frames() -> st.SearchStrategy[bytes]:
    return st.sampled_from(list(QUERIES)).flatmap(bad_answers) | st.binary(max_size=40)


def drive(register: ShtrihM, peer: RawRegister, case, outcome: SerialOutcome) -> None:
    command, script, control_junk = case
    outcome.link_cases += 1
    peer.case(script, control_junk)
    done: list[object] = []

    def call() -> None:
        try:
            QUERIES[command](register)
            done.append("answered")
        except (FiscalError, FrameError):
            done.append("clear")
        except Exception as exc:
            done.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(HANG_AFTER)
    what = f"{command:#x} script {[s.hex() for s in script]} junk {control_junk.hex()}"
    if worker.is_alive():
        if not outcome.hangs:  # the first one: where every thread is stuck, for the report
            print(f"bad_input serial: hang in {what}; threads:", file=sys.stderr, flush=True)
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        outcome.hangs.append(f"{what}: no result after {time.monotonic() - started:.1f}s")
        return
    result = done[0]
    if result == "answered":
        outcome.answered += 1
    elif result == "clear":
        outcome.clear_errors += 1
    else:
        outcome.crashes.append(f"{what}: {result!r}")


def run_serial(frame_cases: int, link_cases: int, seed: int) -> SerialOutcome:
    outcome = SerialOutcome()
    each_example(frames(), frame_cases, seed, lambda f: check_frame(f, outcome))
    peer = RawRegister()
    register = ShtrihM(peer.path, settings=FAST)
    try:
        each_example(exchanges(), link_cases, seed, lambda c: drive(register, peer, c, outcome))
    finally:
        register.close()
        peer.close()
    return outcome
