"""Shtrih-M "standard lower level" frames and the field encodings inside them (FISCAL.md 1.2).

A frame is ``STX | N | command (1 byte, or FF xx) | data | LRC`` where N counts command + data and
LRC is the XOR of N through the last data byte. Numbers are little-endian; money is kopecks in
5 bytes; FF46 quantities are 6 bytes scaled by 10^6. Command text is CP1251, text inside TLVs for
the fiscal drive is CP866. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STX = 0x02
ENQ = 0x05
ACK = 0x06
NAK = 0x15

MAX_BODY = 0xFF  # N is one byte: command code + parameters
MONEY_SIZE = 5
QUANTITY_V2_SIZE = 6
QUANTITY_V2_SCALE = 1_000_000  # FF46: 1.0 piece = 1 000 000
MAX_TLV_BLOCK = 250  # FF0C / FF4D accept at most 250 TLV bytes
NOT_GIVEN_5 = b"\xff" * 5  # FF46 "amount / tax amount computed by the register"

COMMAND_TEXT_ENCODING = "cp1251"  # names in FF46, text in 17h, FF45 ...
TLV_TEXT_ENCODING = "cp866"  # strings inside TLVs (1008, 1021, 2000 ...)


class FrameError(ValueError):
    """Bytes that are not a well-formed frame; the link answers them with NAK."""


class BadLrc(FrameError):
    pass


class BadLength(FrameError):
    pass


class BadAnswer(FrameError):
    """A well-formed frame whose contents do not answer the command we sent."""


# --- framing -----------------------------------------------------------------------------------


def lrc(data: bytes) -> int:
    result = 0
    for byte in data:
        result ^= byte
    return result


def command_bytes(command: int) -> bytes:
    """0x10 -> b'\\x10'; 0xFF46 -> b'\\xff\\x46' (two-byte FN commands go big-endian)."""
    if 0 <= command <= 0xFF:
        return bytes([command])
    if 0xFF00 <= command <= 0xFFFF:
        return command.to_bytes(2, "big")
    raise ValueError(f"not a Shtrih command code: {command:#x}")


def encode_frame(command: int, data: bytes = b"") -> bytes:
    body = command_bytes(command) + bytes(data)
    if len(body) > MAX_BODY:
        raise BadLength(f"command {command:#x}: body of {len(body)} bytes exceeds {MAX_BODY}")
    length_and_body = bytes([len(body)]) + body
    return bytes([STX]) + length_and_body + bytes([lrc(length_and_body)])


def decode_frame(frame: bytes) -> bytes:
    """Check a whole frame (STX .. LRC) and return its body (command + data)."""
    if len(frame) < 3 or frame[0] != STX:
        raise FrameError(f"frame must start with STX and hold N and LRC: {frame.hex(' ')}")
    length = frame[1]
    if length == 0 or len(frame) != length + 3:
        raise BadLength(f"length byte says {length}, frame holds {len(frame) - 3}")
    expected = lrc(frame[1:-1])
    if frame[-1] != expected:
        raise BadLrc(f"LRC {frame[-1]:#04x}, computed {expected:#04x}")
    return bytes(frame[2:-1])


@dataclass(frozen=True)
class Answer:
    command: int
    error_code: int
    data: bytes


def split_answer(body: bytes, sent_command: int) -> Answer:
    """``cmd | err | data`` -> Answer. Tolerates the ``FF err`` error answer some firmwares send."""
    code = command_bytes(sent_command)
    if body[: len(code)] == code and len(body) > len(code):
        return Answer(sent_command, body[len(code)], body[len(code) + 1 :])
    if len(code) == 2 and len(body) == 2 and body[0] == 0xFF:
        return Answer(sent_command, body[1], b"")  # sub-code missing: byte 2 is the error
    raise BadAnswer(f"answer {body.hex(' ')} does not answer command {sent_command:#x}")


# --- integer fields ----------------------------------------------------------------------------


def uint_le(value: int, size: int) -> bytes:
    if value < 0 or value >= 1 << (8 * size):
        raise ValueError(f"{value} does not fit in {size} unsigned bytes")
    return value.to_bytes(size, "little")


def read_uint_le(data: bytes, offset: int, size: int) -> int:
    chunk = data[offset : offset + size]
    if len(chunk) != size:
        raise BadAnswer(f"answer too short: need bytes {offset}..{offset + size - 1}")
    return int.from_bytes(chunk, "little")


def password_bytes(password: int) -> bytes:
    return uint_le(password, 4)


def money(kopecks: int) -> bytes:
    """A sum in kopecks as the 5-byte little-endian field (m5)."""
    return uint_le(kopecks, MONEY_SIZE)


def quantity_v2(quantity_millionths: int) -> bytes:
    """FF46 quantity: 6 bytes little-endian, 1 piece = 1 000 000."""
    if quantity_millionths <= 0:
        raise ValueError("quantity must be positive")
    return uint_le(quantity_millionths, QUANTITY_V2_SIZE)


def thousandths_to_v2(quantity_thousandths: int) -> int:
    """The gateway keeps quantities in thousandths (1 piece = 1000); FF46 wants millionths."""
    return quantity_thousandths * 1000


# --- text --------------------------------------------------------------------------------------


def command_text(text: str, max_length: int, *, pad_to: int = 0) -> bytes:
    """Text for a command field (CP1251), cut to the field length, NUL-padded if asked."""
    raw = text.encode(COMMAND_TEXT_ENCODING, errors="replace")[:max_length]
    return raw.ljust(pad_to, b"\x00") if pad_to else raw


def decode_command_text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode(COMMAND_TEXT_ENCODING, errors="replace")


def tlv_text_bytes(text: str) -> bytes:
    """Strings for the FN go in CP866; characters it lacks are an error, not silent '?'."""
    return text.encode(TLV_TEXT_ENCODING)


# --- TLV ---------------------------------------------------------------------------------------


def tlv(tag: int, value: bytes) -> bytes:
    """tag (2 LE) | length (2 LE) | value."""
    return uint_le(tag, 2) + uint_le(len(value), 2) + bytes(value)


def tlv_text(tag: int, text: str) -> bytes:
    return tlv(tag, tlv_text_bytes(text))


def tlv_uint(tag: int, value: int, size: int) -> bytes:
    return tlv(tag, uint_le(value, size))


def stlv(tag: int, children: Iterable[bytes]) -> bytes:
    return tlv(tag, b"".join(children))


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """Flat TLV list -> [(tag, value)]. Raises FrameError on truncation."""
    items: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise FrameError(f"TLV header truncated at byte {offset}")
        tag = int.from_bytes(data[offset : offset + 2], "little")
        length = int.from_bytes(data[offset + 2 : offset + 4], "little")
        value = data[offset + 4 : offset + 4 + length]
        if len(value) != length:
            raise FrameError(f"TLV {tag} says {length} bytes, {len(value)} left")
        items.append((tag, bytes(value)))
        offset += 4 + length
    return items


# --- dates -------------------------------------------------------------------------------------


def read_fn_datetime(data: bytes, offset: int) -> str:
    """FN DATE_TIME (YY MM DD hh mm) -> ISO 'YYYY-MM-DDThh:mm' (the register's own clock)."""
    chunk = data[offset : offset + 5]
    if len(chunk) != 5:
        raise BadAnswer("answer too short for DATE_TIME")
    yy, mm, dd, hh, mi = chunk
    return f"20{yy:02d}-{mm:02d}-{dd:02d}T{hh:02d}:{mi:02d}"
