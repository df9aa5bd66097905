"""Fiscal documents read back from the drive as TLV (FF3Ah/FF3Bh, FISCAL.md 1.7 "Other FN
queries"), and the comparison that tells whether a stored receipt is the one we sent.

FF3Ah ``FD(4)`` -> ``docType(2) | length(2)``; then FF3Bh returns the document's TLVs chunk by
chunk until ``length`` bytes came (the vendor driver also stops at error 08h "no data" or an
empty chunk) [JPOS ``command/FSReadDocument.java``, ``SMFiscalPrinterImpl.fsReadDocumentTLVToEnd``].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from drivers.fiscal import receipt as rc
from drivers.fiscal import tlv
from drivers.fiscal.errors import FiscalError
from drivers.fiscal.frames import (
    COMMAND_TEXT_ENCODING,
    TLV_TEXT_ENCODING,
    BadAnswer,
    FrameError,
    command_text,
    read_uint_le,
    uint_le,
)

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

NO_DATA = 0x08  # FN: no requested data (the end of the document)
NAME_MAX = 128  # FF46 name field, tag 1030


@dataclass(frozen=True)
class StoredItem:
    name: str
    quantity: int  # thousandths, as the gateway counts
    price: int  # kopecks
    amount: int  # kopecks


@dataclass(frozen=True)
class StoredDocument:
    fd: int
    doc_type: int  # 3 receipt, 31 correction receipt, 2/5 shift reports ...
    tags: tuple[tlv.Tlv, ...]

    def value(self, tag: int, default=None):
        return tlv.first(self.tags, tag, default)

    @property
    def items(self) -> tuple[StoredItem, ...]:
        return tuple(stored_item(node) for node in self.tags if node.tag == 1059)


def stored_item(node: tlv.Tlv) -> StoredItem:
    quantity = node.first(1023, Decimal(0)) * 1000
    return StoredItem(
        name=str(node.first(1030, "")).strip(),
        quantity=int(quantity) if quantity == int(quantity) else -1,  # -1: never equal
        price=node.first(1079, -1),
        amount=node.first(1043, -1),
    )


def read_document(register: ShtrihM, fd: int) -> StoredDocument:
    """The whole document FD from the drive's archive. Raises CommandNotSupported (37h) on a model
    without FF3Ah, BadAnswer when what came back is not the announced TLV document."""
    head = register.call(0xFF3A, uint_le(fd, 4))
    doc_type, length = read_uint_le(head, 0, 2), read_uint_le(head, 2, 2)
    data = bytearray()
    while len(data) < length:
        try:
            chunk = register.call(0xFF3B)
        except FiscalError as exc:
            if exc.code == NO_DATA:
                break
            raise
        if not chunk:
            break
        data += chunk
    if len(data) != length:
        raise BadAnswer(f"FD {fd}: the drive announced {length} TLV bytes and gave {len(data)}")
    try:
        tags = tlv.parse(bytes(data))
    except FrameError as exc:
        raise BadAnswer(f"FD {fd}: not a TLV document: {exc}") from exc
    return StoredDocument(fd, doc_type, tags)


def as_sent(name: str) -> str:
    """A name as the drive stores it: CP1251 in FF46 cut to its field, held by the FN in CP866
    (a character one of them lacks becomes '?')."""
    sent = command_text(name, NAME_MAX).decode(COMMAND_TEXT_ENCODING).split("\x00", 1)[0]
    return sent.encode(TLV_TEXT_ENCODING, errors="replace").decode(TLV_TEXT_ENCODING).strip()


def sent_items(receipt: rc.Receipt) -> tuple[StoredItem, ...]:
    return tuple(
        StoredItem(as_sent(item.name), item.quantity, item.price, item.amount)
        for item in receipt.items
    )


def differences(document: StoredDocument, receipt: rc.Receipt) -> list[str]:
    """Why the stored document is not this receipt (empty: it is). Items are compared in
    order by name, quantity, price and amount."""
    stored, sent = document.items, sent_items(receipt)
    if len(stored) != len(sent):
        return [f"{len(stored)} items in the drive, {len(sent)} sent"]
    return [
        f"item {n}: drive {have} != sent {want}"
        for n, (have, want) in enumerate(zip(stored, sent, strict=True), 1)
        if have != want
    ]
