"""Shtrih-M framing as the device sees it (FISCAL.md 1.2): STX, LEN, command, data, XOR-LRC.

Written from the design notes only; it shares nothing with the gateway's driver on purpose.
"""

STX = 0x02
ENQ = 0x05
ACK = 0x06
NAK = 0x15


def lrc(data: bytes) -> int:
    """XOR of every byte from LEN through the last data byte (STX excluded)."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode_frame(payload: bytes, *, corrupt: bool = False) -> bytes:
    """STX | LEN | payload | LRC; `corrupt` flips the LRC (a line error, for fault injection)."""
    if not 0 < len(payload) <= 255:
        raise ValueError(f"payload of {len(payload)} bytes cannot be framed")
    body = bytes([len(payload)]) + payload
    check = lrc(body) ^ (0xFF if corrupt else 0)
    return bytes([STX]) + body + bytes([check])


def split_command(payload: bytes) -> tuple[int, bytes]:
    """(command code, parameters); two-byte FN commands FF xx come back as 0xFFxx."""
    if payload[0] == 0xFF and len(payload) >= 2:
        return 0xFF00 | payload[1], payload[2:]
    return payload[0], payload[1:]


def command_bytes(code: int) -> bytes:
    return code.to_bytes(2, "big") if code > 0xFF else bytes([code])


def le(value: int, size: int) -> bytes:
    return value.to_bytes(size, "little")


class Fields:
    """Reads little-endian fields from a command's parameters; running short is error 33h."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise ShortCommand
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def money(self) -> int:
        return self.uint(5)

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    def remaining(self) -> int:
        return len(self.data) - self.pos


class ShortCommand(Exception):
    """The command's parameters are shorter than its layout."""


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """tag(2 LE) | len(2 LE) | value, repeated; raises ValueError on a truncated list."""
    out = []
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError("truncated TLV header")
        tag = int.from_bytes(data[pos : pos + 2], "little")
        size = int.from_bytes(data[pos + 2 : pos + 4], "little")
        value = data[pos + 4 : pos + 4 + size]
        if len(value) != size:
            raise ValueError("truncated TLV value")
        out.append((tag, value))
        pos += 4 + size
    return out


def decode_text(raw: bytes, encoding: str) -> str:
    """Command text is CP1251, TLV text CP866; a NUL ends the string."""
    return raw.split(b"\0", 1)[0].decode(encoding, errors="replace").rstrip()


def money(value: int) -> bytes:
    """5-byte little-endian kopecks."""
    return le(value, 5)
