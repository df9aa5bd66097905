"""The Shtrih-M link discipline (FISCAL.md 1.3) over any pyserial-like port.

The port needs ``read(n)``, ``write(b)`` and a settable ``timeout`` (``serial.serial_for_url`` gives
one for a device path, a pty path or ``loop://``). One exchange:

1. ENQ. NAK = register idle -> send the frame. ACK = an older answer is still pending -> read it
   (kept in ``stale_answers``, never thrown away silently) and ENQ again. Silence -> ENQ again,
   at most ``max_enq`` times, then ``LinkDown`` (nothing was sent: safe to retry later). A reply
   after a silence may be the late one to an earlier ENQ: wait for the line to go quiet, ENQ again.
2. Frame -> ACK: the register took it; read the answer. NAK: it did not (bad LRC on the way)
   -> resend, at most ``max_nak_command`` times; for a command that changes state only after
   ENQ, sent once the line is quiet, confirms it holds no answer (a late NAK from before must
   not run the command twice).
   Silence: ask with ENQ -- ACK means the register has it (read the answer), NAK means it has
   nothing, so the frame never arrived -> resend.
3. Answer: wait up to the command's answer timeout for STX, skipping garbage; a garbled answer
   is NAKed and asked for again with ENQ, at most ``max_nak_answer`` times.

The one thing the link never does is send a command again once the register may have taken it.
If the answer does not arrive, ``AnswerLost`` is raised; the caller then uses
``fetch_pending_answer()`` (ENQ -> the register re-sends its last answer) and state queries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from drivers.fiscal.errors import AnswerLost, LinkDown, LinkError
from drivers.fiscal.frames import ACK, ENQ, NAK, STX, FrameError, decode_frame, encode_frame

log = logging.getLogger(__name__)
# Queries that change nothing: the only commands sent again when their fate is unknown.
READ_ONLY = frozenset(
    {0x10, 0x11, 0xFC, 0xFF01, 0xFF02, 0xFF03, 0xFF0A, 0xFF39, 0xFF3A, 0xFF3B, 0xFF3F, 0xFF40}
)

RNDIS_FILLER = 0xFF  # TCP/RNDIS firmwares send 0xFF after an ACK; skip it while reading control

# Answer timeouts of the vendor driver (JPOS PrinterCommand.getDefaultTimeout), in seconds.
ANSWER_TIMEOUTS: dict[int, float] = {
    0x10: 3, 0x11: 3, 0x16: 60, 0x26: 5, 0x40: 30, 0x41: 65, 0x61: 20, 0x62: 30, 0x66: 35,
    0x67: 20, 0xB2: 20, 0xB4: 40, 0xB5: 40, 0xB6: 150, 0xB7: 150, 0xB8: 100, 0xB9: 100,
    0xBA: 40, 0xE0: 120, 0xFF61: 40, 0xFF67: 40,
}  # fmt: skip
DEFAULT_ANSWER_TIMEOUT = 30.0


def answer_timeout(command: int) -> float:
    return float(ANSWER_TIMEOUTS.get(command, DEFAULT_ANSWER_TIMEOUT))


class SerialPort(Protocol):
    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...


@dataclass(frozen=True)
class LinkSettings:
    control_timeout: float = 1.0  # wait for ACK/NAK after ENQ or a frame
    byte_timeout: float = 0.5  # gap allowed between bytes inside a frame
    max_enq: int = 10
    max_nak_command: int = 3
    max_nak_answer: int = 3
    max_ack: int = 3  # stale answers drained before giving up
    timeout_scale: float = 1.0  # tests shrink the per-command answer timeouts


class ShtrihLink:
    def __init__(self, port: SerialPort, settings: LinkSettings | None = None):
        self.port = port
        self.settings = settings or LinkSettings()
        self.stale_answers: list[bytes] = []  # bodies of answers nobody asked for

    # --- public ------------------------------------------------------------------------------

    def execute(self, command: int, data: bytes = b"", timeout: float | None = None) -> bytes:
        """Send one command and return the answer body (command code + error byte + data)."""
        frame = encode_frame(command, data)
        wait = timeout if timeout is not None else answer_timeout(command)
        wait *= self.settings.timeout_scale
        self._discard_input()
        self._make_idle()
        for _ in range(self.settings.max_nak_command):
            self._write(frame)
            control = self._read_control()
            if control == NAK and command not in READ_ONLY:
                # The NAK may be a late reply to an earlier ENQ, not about this frame: ask.
                # ACK = the register took the frame (its answer follows); NAK = it did not.
                # Only the reply to this ENQ proves that, so late replies still on the line
                # (and the frame's own ACK and answer, re-sent on ENQ) go first.
                if not self._wait_until_quiet():
                    raise AnswerLost("the line never went quiet after the frame", command=command)
                control = self._probe()
            if control == NAK:
                log.info("fiscal link: register NAKed command %#x, resending", command)
                continue
            if control is None:
                control = self._probe()
                if control == NAK and command in READ_ONLY:
                    log.info("fiscal link: query %#x not taken, asking again", command)
                    continue
                if control == NAK:
                    # Either the frame never arrived, or it ran and its answer died with a power
                    # cycle (FISCAL.md 5.4 b): the two look the same, so never send it again.
                    raise AnswerLost(
                        "no ACK and no answer held: the register may have executed it",
                        command=command,
                    )
                if control is None:
                    raise AnswerLost("register went silent after the command", command=command)
            # ACK to the frame, or ACK to the probe: the register has the command.
            return self._read_answer_with_renak(command, wait)
        raise LinkError(
            f"register refused command {command:#x} {self.settings.max_nak_command} times"
        )

    def fetch_pending_answer(self, timeout: float = DEFAULT_ANSWER_TIMEOUT) -> bytes | None:
        """After ``AnswerLost``: ENQ -> the register re-sends the answer it holds.

        Returns the answer body, or None when the register says it holds none (idle, e.g. after a
        power cycle). Raises ``LinkDown`` when it does not answer ENQ at all."""
        control = self._enq_until_answered()
        if control == NAK:
            return None
        return self._read_answer_with_renak(None, timeout * self.settings.timeout_scale)

    # --- steps -------------------------------------------------------------------------------

    def _discard_input(self) -> None:
        """Bytes left on the line from an exchange that went wrong would be misread as the
        answers to this one; an answer still held is asked for again with ENQ anyway."""
        reset = getattr(self.port, "reset_input_buffer", None)
        if reset is not None:
            reset()

    def _make_idle(self) -> None:
        """ENQ until the register says NAK (idle); drain answers still pending from before."""
        for _ in range(self.settings.max_ack + 1):
            if self._enq_until_answered() == NAK:
                return
            wait = DEFAULT_ANSWER_TIMEOUT * self.settings.timeout_scale  # scaled like the rest
            body = self._read_answer_with_renak(None, wait)
            log.warning("fiscal link: drained a pending answer %s", body.hex(" "))
            self.stale_answers.append(body)
        raise LinkError("register keeps holding an answer after ACK (ENQ never NAKed)")

    def _enq_until_answered(self) -> int:
        unanswered = False
        for _ in range(self.settings.max_enq):
            control = self._probe()
            if control is None:
                unanswered = True
            elif not unanswered:
                return control
            elif not self._wait_until_quiet():
                raise LinkDown("the line never goes quiet")
            else:
                # That reply may be a late one to an earlier ENQ, with more on the way: let
                # them land, then ask again so that the reply taken is this ENQ's own.
                unanswered = False
        raise LinkDown(f"no answer to ENQ after {self.settings.max_enq} tries")

    def _wait_until_quiet(self, limit: int = 4096) -> bool:
        """Drop what arrives until the line is silent for one control timeout (False if it
        never is). A held answer is not lost this way: the register re-sends it on ENQ."""
        quiet = self.settings.control_timeout
        return any(self._read_byte(quiet) is None for _ in range(limit))

    def _probe(self) -> int | None:
        self._write(bytes([ENQ]))
        return self._read_control()

    def _read_answer_with_renak(self, command: int | None, wait: float) -> bytes:
        """Read one answer; NAK + ENQ a garbled one; AnswerLost if it cannot be had intact."""
        for _ in range(self.settings.max_nak_answer + 1):
            try:
                body = self._read_frame(wait)
            except FrameError as exc:
                log.info("fiscal link: garbled answer (%s), NAK and ask again", exc)
                self._write(bytes([NAK]))
                if self._probe() != ACK:
                    break  # it no longer holds the answer: only state queries can tell now
                continue
            if body is None:
                break
            self._write(bytes([ACK]))
            return body
        what = f"command {command:#x}" if command is not None else "the pending answer"
        raise AnswerLost(f"no intact answer to {what}", command=command)

    def _read_frame(self, wait: float) -> bytes | None:
        """STX (skipping garbage) within ``wait``, then N, body, LRC. None on silence."""
        deadline = time.monotonic() + wait + self.settings.byte_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            byte = self._read_byte(left)
            if byte is None:
                return None
            if byte == STX:
                break
        length = self._read_byte(self.settings.byte_timeout)
        if length is None:
            raise FrameError("frame cut after STX")
        rest = bytearray()
        while len(rest) < length + 1:  # body + LRC
            byte = self._read_byte(self.settings.byte_timeout)
            if byte is None:
                raise FrameError(f"frame cut after {len(rest)} of {length + 1} bytes")
            rest.append(byte)
        return decode_frame(bytes([STX, length]) + bytes(rest))

    def _read_control(self) -> int | None:
        """ACK or NAK within the control timeout; None on silence. Other bytes are line noise."""
        deadline = time.monotonic() + self.settings.control_timeout
        while (left := deadline - time.monotonic()) > 0:
            byte = self._read_byte(left)
            if byte is None:
                return None
            if byte in (ACK, NAK):
                return byte
            if byte != RNDIS_FILLER:
                log.debug("fiscal link: ignoring byte %#04x while waiting for ACK/NAK", byte)
        return None

    def _read_byte(self, timeout: float) -> int | None:
        self.port.timeout = max(timeout, 0.001)
        data = self.port.read(1)
        return data[0] if data else None

    def _write(self, data: bytes) -> None:
        self.port.write(data)
