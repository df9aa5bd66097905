"""FN documents as TLV trees (FFD, FISCAL.md 3.1): build the values we send, parse what the drive
returns (FF3Ah/FF3Bh).

A TLV is ``tag (2 LE) | length (2 LE) | value``; an STLV's value is more TLVs. Value types, per
the vendor's tag table [JPOS ``fiscalprinter/TLVTags.java``, ``TLVTag.java``]:

- BYTE: one byte (1054, 1125, 1173, 1199, 1212, 1214, 2106, 2108 ...)
- UINT: unsigned little-endian (1038 shift, 1040 FD, 1042 receipt number)
- VLN: unsigned little-endian of any length up to 6, money in kopecks (1020, 1043, 1079, 1215 ...)
- FVLN: first byte = digits after the decimal point, then VLN (1023 quantity: 2.5 = 01 19)
- UNIXTIME: 4 bytes little-endian seconds (1012, 1178)
- STRING: CP866 text (1008, 1030, 1187, 1179 ...)
- STLV: nested TLVs (1059 item, 1174 correction basis, the document types 1..31)
- BYTES: kept raw (1077 fiscal sign of the document, unknown tags)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from drivers.fiscal.frames import TLV_TEXT_ENCODING, FrameError, tlv, uint_le


class Kind(Enum):
    BYTE = "byte"
    UINT = "uint"
    VLN = "vln"
    FVLN = "fvln"
    UNIXTIME = "unixtime"
    STRING = "string"
    STLV = "stlv"
    BYTES = "bytes"


K = Kind
TAG_KINDS: dict[int, Kind] = {
    # document types in the FN archive (STLV roots)
    1: K.STLV, 2: K.STLV, 3: K.STLV, 4: K.STLV, 5: K.STLV, 6: K.STLV, 11: K.STLV, 21: K.STLV,
    31: K.STLV, 41: K.STLV,
    1008: K.STRING, 1012: K.UNIXTIME, 1020: K.VLN, 1021: K.STRING, 1023: K.FVLN,
    1030: K.STRING, 1031: K.VLN, 1038: K.UINT, 1040: K.UINT, 1041: K.STRING, 1042: K.UINT,
    1043: K.VLN, 1054: K.BYTE, 1055: K.BYTE, 1059: K.STLV, 1077: K.BYTES, 1079: K.VLN,
    1081: K.VLN, 1125: K.BYTE, 1163: K.STLV, 1173: K.BYTE, 1174: K.STLV, 1177: K.STRING,
    1178: K.UNIXTIME, 1179: K.STRING, 1187: K.STRING, 1199: K.BYTE, 1203: K.STRING,
    1212: K.BYTE, 1214: K.BYTE, 1215: K.VLN, 1216: K.VLN, 1217: K.VLN, 2000: K.STRING,
    2106: K.BYTE, 2108: K.BYTE,
}  # fmt: skip
VLN_MAX = 6


@dataclass(frozen=True)
class Tlv:
    """One parsed TLV: ``value`` is int (BYTE, UINT, VLN, UNIXTIME), Decimal (FVLN), str
    (STRING), bytes (BYTES) or a tuple of ``Tlv`` (STLV)."""

    tag: int
    value: Any

    @property
    def children(self) -> tuple[Tlv, ...]:
        return self.value if isinstance(self.value, tuple) else ()

    def first(self, tag: int, default: Any = None) -> Any:
        """The value of the first child with this tag."""
        return first(self.children, tag, default)

    def every(self, tag: int) -> list[Tlv]:
        return [child for child in self.children if child.tag == tag]


def first(tlvs: Iterable[Tlv], tag: int, default: Any = None) -> Any:
    return next((t.value for t in tlvs if t.tag == tag), default)


# --- building ------------------------------------------------------------------------------------


def byte(tag: int, value: int) -> bytes:
    return tlv(tag, uint_le(value, 1))


def uint(tag: int, value: int, size: int = 4) -> bytes:
    return tlv(tag, uint_le(value, size))


def vln_bytes(value: int) -> bytes:
    if value < 0:
        raise ValueError("VLN is unsigned")
    size = max(1, (value.bit_length() + 7) // 8)
    if size > VLN_MAX:
        raise ValueError(f"{value} does not fit a VLN of {VLN_MAX} bytes")
    return value.to_bytes(size, "little")


def vln(tag: int, value: int) -> bytes:
    return tlv(tag, vln_bytes(value))


def fvln_bytes(value: Decimal) -> bytes:
    """The fewest digits after the point that hold the value exactly: 2 -> 00 02, 0.25 -> 02 19."""
    value = Decimal(value).normalize()
    sign, digits, exponent = value.as_tuple()
    if sign or not isinstance(exponent, int):
        raise ValueError(f"FVLN takes a finite non-negative number, not {value}")
    scale = max(0, -exponent)
    return bytes([scale]) + vln_bytes(int(value.scaleb(scale)))


def fvln(tag: int, value: Decimal) -> bytes:
    return tlv(tag, fvln_bytes(value))


def unixtime(tag: int, seconds: int) -> bytes:
    return tlv(tag, uint_le(seconds, 4))


def date_unixtime(date: str) -> int:
    """'YYYY-MM-DD' -> seconds at midnight UTC of that day (how 1178 carries a date)."""
    year, month, day = (int(part) for part in date.split("-"))
    return calendar.timegm((year, month, day, 0, 0, 0))


def string(tag: int, text: str) -> bytes:
    """CP866; a character it lacks is an error (UnicodeEncodeError), never a silent '?'."""
    return tlv(tag, text.encode(TLV_TEXT_ENCODING))


def stlv(tag: int, children: Iterable[bytes]) -> bytes:
    return tlv(tag, b"".join(children))


# --- parsing -------------------------------------------------------------------------------------


def parse(data: bytes, kinds: dict[int, Kind] = TAG_KINDS) -> tuple[Tlv, ...]:
    """TLV bytes -> a tree of ``Tlv`` (STLVs parsed recursively). Raises FrameError when the
    bytes are not a TLV list (truncated header or value, bad FVLN)."""
    out: list[Tlv] = []
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise FrameError(f"TLV header truncated at byte {offset}")
        tag = int.from_bytes(data[offset : offset + 2], "little")
        length = int.from_bytes(data[offset + 2 : offset + 4], "little")
        raw = bytes(data[offset + 4 : offset + 4 + length])
        if len(raw) != length:
            raise FrameError(f"TLV {tag} says {length} bytes, {len(raw)} left")
        out.append(Tlv(tag, decode_value(kinds.get(tag, Kind.BYTES), raw, kinds)))
        offset += 4 + length
    return tuple(out)


def decode_value(kind: Kind, raw: bytes, kinds: dict[int, Kind] = TAG_KINDS) -> Any:
    if kind in (Kind.BYTE, Kind.UINT, Kind.VLN, Kind.UNIXTIME):
        return int.from_bytes(raw, "little")
    if kind is Kind.FVLN:
        if len(raw) < 2:
            raise FrameError(f"FVLN needs at least 2 bytes, got {len(raw)}")
        return Decimal(int.from_bytes(raw[1:], "little")).scaleb(-raw[0])
    if kind is Kind.STRING:
        return raw.decode(TLV_TEXT_ENCODING, errors="replace")
    if kind is Kind.STLV:
        return parse(raw, kinds)
    return raw
