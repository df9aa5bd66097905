"""FFD tags the simulated drive understands, and how their values are kept in the archive JSON.

TLV = tag(2 LE) | length(2 LE) | value (FISCAL.md 1.2, 3.1). Types per the FNS format as listed in
the vendor's tag table (JPOS `TLVTags.java`): text tags are CP866 strings, byte tags one byte,
UnixTime 4 bytes LE, STLV nested TLVs. In the archive a text tag is a str, a byte or time tag an
int, an STLV a dict of its children (keys are tag numbers as str), anything else hex.
"""

from .codec import le, parse_tlvs

TEXT_TAGS = frozenset({1008, 1021, 1203, 1192, 1227, 1228, 1191, 2000, 1177, 1179, 1187})
BYTE_TAGS = frozenset({1125, 1173, 2108, 2106})
UNIXTIME_TAGS = frozenset({1178})
STLV_TAGS = frozenset({1174})
TLV_ENCODING = "cp866"


def decode_value(tag: int, raw: bytes):
    """Raises ValueError on an STLV that is not a TLV list."""
    if tag in TEXT_TAGS:
        return raw.split(b"\0", 1)[0].decode(TLV_ENCODING, errors="replace").rstrip()
    if tag in BYTE_TAGS or tag in UNIXTIME_TAGS:
        return int.from_bytes(raw, "little")
    if tag in STLV_TAGS:
        return decode_tlvs(raw)
    return raw.hex()


def decode_tlvs(raw: bytes) -> dict:
    return {str(tag): decode_value(tag, value) for tag, value in parse_tlvs(raw)}


def encode_value(tag: int, value) -> bytes:
    """The archive's form of a value back to TLV bytes (for FF3Ah/FF3Bh)."""
    if isinstance(value, dict):
        return encode_tlvs(value)
    if isinstance(value, int):
        return le(value, 4 if tag in UNIXTIME_TAGS else 1)
    if tag in TEXT_TAGS:
        return value.encode(TLV_ENCODING, errors="replace")
    return bytes.fromhex(value)  # kept raw (also a byte tag in an archive from before)


def encode_tlvs(values: dict) -> bytes:
    return b"".join(tlv(int(tag), encode_value(int(tag), value)) for tag, value in values.items())


def tlv(tag: int, value: bytes) -> bytes:
    return le(tag, 2) + le(len(value), 2) + value
