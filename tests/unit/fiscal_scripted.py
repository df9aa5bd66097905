"""A scripted Shtrih-M register for the driver's unit tests: just enough state (mode, FN document
counter, archive, a settings table, the OFD queue) to answer from the spec, behind the fake link
of ``test_fiscal_fakes.py``. Its TLV encoding is written here from FISCAL.md 3.1, not taken from
``drivers.fiscal.tlv`` (one codec must not sit on both ends of a wire). No tests here.
"""

from __future__ import annotations

from drivers.fiscal.link import LinkSettings
from tests.unit.test_fiscal_fakes import err, ok

FN_SERIAL = b"9999078900001234"
DATE = bytes([26, 1, 15, 9, 5])  # YY MM DD hh mm
CHUNK = 100  # FF3Bh answer size
FAST = LinkSettings(control_timeout=0.05, byte_timeout=0.05, timeout_scale=0.001)


class Refuse(Exception):
    def __init__(self, code: int):
        self.code = code


def tlv(tag: int, value: bytes) -> bytes:
    return tag.to_bytes(2, "little") + len(value).to_bytes(2, "little") + value


def vln(tag: int, value: int) -> bytes:
    return tlv(tag, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "little"))


def item_tlv(name: str, quantity_millionths: int, price: int, amount: int) -> bytes:
    """1059 {1030 name, 1079 price, 1023 quantity as FVLN with 3 decimals, 1043 amount}."""
    thousandths = quantity_millionths // 1000
    fvln = bytes([3]) + thousandths.to_bytes(4, "little")
    parts = tlv(1030, name.encode("cp866")) + vln(1079, price) + tlv(1023, fvln)
    return tlv(1059, parts + vln(1043, amount))


class ScriptedRegister:
    def __init__(self):
        self.mode, self.submode, self.last_fd, self.shift, self.receipts = 2, 0, 10, 5, 0
        self.total = 0
        self.receipt_type = 0
        self.items: list[bytes] = []  # 1059 TLVs of the open receipt
        self.operation = 1
        self.archive: dict[int, bytes] = {}  # FD -> FF0A answer data
        self.documents: dict[int, tuple[int, bytes]] = {}  # FD -> (doc type, TLVs) for FF3A
        self.fail: dict[str, int] = {}  # command hex -> error code to answer once
        self.unsupported: set[str] = set()  # command hex answered 37h every time
        self.tables: dict[tuple[int, int, int], int] = {}
        self.reading = b""
        self.exchange = bytes(13)  # FF39 answer data
        self.expiry = bytes([27, 3, 1, 11, 1])  # FF03 answer data

    def __call__(self, body: bytes) -> bytes:
        code = body[:2] if body[0] == 0xFF else body[:1]
        if code.hex() in self.unsupported:
            return err(code, 0x37)
        if code.hex() in self.fail:
            return err(code, self.fail.pop(code.hex()))
        data = body[len(code) + 4 :]  # after the password
        handler = getattr(self, f"cmd_{code.hex()}", None)
        try:
            return ok(code, handler(data) if handler else b"\x1e")
        except Refuse as refused:
            return err(code, refused.code)

    def cmd_10(self, _):
        flags = (0x0082).to_bytes(2, "little")
        return bytes([30]) + flags + bytes([self.mode, self.submode, 0, 0, 0, 0, 0, 0, 0, 0, 0])

    def cmd_ff01(self, _):
        current = 4 if self.mode == 8 else 0
        return bytes([3, current, 0, 1, 0]) + DATE + FN_SERIAL + self.last_fd.to_bytes(4, "little")

    def cmd_1e(self, data):
        table, row, field = data[0], int.from_bytes(data[1:3], "little"), data[3]
        self.tables[(table, row, field)] = data[4]
        return b""

    def cmd_8d(self, data):
        self.mode, self.total, self.items, self.receipt_type = 8, 0, [], data[0]
        return b"\x1e"

    def cmd_ff46(self, data):
        self.mode, self.operation = 8, data[0]
        quantity = int.from_bytes(data[1:7], "little")
        price, amount = int.from_bytes(data[7:12], "little"), int.from_bytes(data[12:17], "little")
        self.total += amount
        self.items.append(item_tlv(data[26:].decode("cp1251"), quantity, price, amount))
        return b""

    def cmd_ff45(self, data):
        paid = sum(int.from_bytes(data[i : i + 5], "little") for i in range(0, 80, 5))
        self.add_receipt(self.total, self.items, 31 if self.receipt_type & 0x80 else 3)
        self.receipts += 1
        self.mode = 2
        return (paid - self.total).to_bytes(5, "little") + self._fd_fp()

    def add_receipt(self, total: int, items: list[bytes], doc_type: int = 3) -> int:
        """Archive a receipt (also one made "at the keyboard" by a test); returns its FD."""
        self.last_fd += 1
        receipt = bytes([self.operation]) + total.to_bytes(5, "little")
        self.archive[self.last_fd] = bytes([doc_type, 0]) + DATE + self._fd_fp() + receipt
        operation = tlv(1054, bytes([self.operation]))
        self.documents[self.last_fd] = (doc_type, operation + b"".join(items))
        return self.last_fd

    def cmd_ff40(self, _):
        return bytes([1]) + self.shift.to_bytes(2, "little") + self.receipts.to_bytes(2, "little")

    def cmd_ff0a(self, data):
        fd = int.from_bytes(data, "little")
        if fd not in self.archive:
            raise Refuse(0x08)  # FN: no requested data
        return self.archive[fd]

    def cmd_ff3a(self, data):
        fd = int.from_bytes(data[:4], "little")
        if fd not in self.documents:
            raise Refuse(0x08)
        doc_type, self.reading = self.documents[fd]
        return doc_type.to_bytes(2, "little") + len(self.reading).to_bytes(2, "little")

    def cmd_ff3b(self, _):
        if not self.reading:
            raise Refuse(0x08)
        chunk, self.reading = self.reading[:CHUNK], self.reading[CHUNK:]
        return chunk

    def cmd_ff39(self, _):
        return self.exchange

    def cmd_ff03(self, _):
        return self.expiry

    def cmd_88(self, _):
        self.mode = 2
        return b"\x1e"

    def cmd_e0(self, _):
        self.mode, self.shift, self.last_fd = 2, self.shift + 1, self.last_fd + 1
        shift = self.shift.to_bytes(2, "little")
        self.archive[self.last_fd] = bytes([2, 0]) + DATE + self._fd_fp() + shift
        return b"\x1e"

    def cmd_50(self, _):
        return b"\x1e\x07\x00"

    def _fd_fp(self):
        return self.last_fd.to_bytes(4, "little") + (1000 + self.last_fd).to_bytes(4, "little")
