"""What a receipt is, independent of the register model: items, payments, buyer, the result.

Money is integer kopecks; quantities are integer thousandths (1 piece = 1000), never floats.
VAT codes are the contract's names; ``SHTRIH_TAX_BYTE`` maps them to the FF46 tax byte
(FISCAL.md 1.7 FF46 table and 3.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from drivers.fiscal.errors import MarkingCodeMissing, RequestRejected

# Contract VAT code -> FF46 tax-rate byte on standard Shtrih models (not the tag 1199 value).
# Checked against the vendor driver shtrih-m/javapos_shtrih at af0a237b (2026-02-18),
# Source/Core/src/com/shtrih/jpos/fiscalprinter/FiscalPrinterImpl.java getVatCodeShtrih():
# 1199 value 7 (5 %) -> 0x81, 8 (7 %) -> 0x82, 9 (5/105) -> 0x84, 10 (7/107) -> 0x88,
# 11 (22 %) -> 0xCB, 12 (22/122) -> 0xCC. Its older Doc/VatTable.txt (6f0f6fba, 2026-02-02)
# gives 7/107 as 144 = 0x90; the later code is followed (the simulator accepts both).
SHTRIH_TAX_BYTE: dict[str, int] = {
    "none": 0x08,  # без НДС
    "vat0": 0x04,
    "vat5": 0x81,  # USN VAT since 2025
    "vat7": 0x82,  # USN VAT since 2025
    "vat10": 0x02,
    "vat22": 0xCB,  # from 2026-01-01
    "vat105": 0x84,
    "vat107": 0x88,
    "vat110": 0x20,
    "vat122": 0xCC,
    # Only for refunds / corrections of settlements made before 2026 at the old 20 % rate.
    "vat20": 0x01,
    "vat120": 0x10,
}
PRE_2026_VAT = frozenset({"vat20", "vat120"})


class PaymentMethod(IntEnum):
    """Tag 1214, признак способа расчёта."""

    FULL_PREPAYMENT = 1
    PREPAYMENT = 2
    ADVANCE = 3
    FULL_PAYMENT = 4
    PARTIAL_PAYMENT_AND_CREDIT = 5
    CREDIT = 6
    CREDIT_PAYMENT = 7


class PaymentSubject(IntEnum):
    """Tag 1212, признак предмета расчёта (the values the shop uses)."""

    GOODS = 1
    EXCISE_GOODS = 2
    WORK = 3
    SERVICE = 4
    PAYMENT = 10
    OTHER = 13
    EXCISE_MARKED_WITHOUT_CODE = 30
    EXCISE_MARKED = 31
    MARKED_WITHOUT_CODE = 32
    MARKED = 33


MARKED_SUBJECTS = frozenset({PaymentSubject.EXCISE_MARKED, PaymentSubject.MARKED})
# Paid before the goods are handed over: no marking code yet (it goes in the handover receipt).
PREPAYMENT_METHODS = frozenset(
    {PaymentMethod.FULL_PREPAYMENT, PaymentMethod.PREPAYMENT, PaymentMethod.ADVANCE}
)
# A marked product prepaid goes as "to be marked, no code": 1212 = 32 (ТНМ), 30 if excise (АТНМ).
WITHOUT_CODE = {
    PaymentSubject.MARKED: PaymentSubject.MARKED_WITHOUT_CODE,
    PaymentSubject.EXCISE_MARKED: PaymentSubject.EXCISE_MARKED_WITHOUT_CODE,
}
PIECE = 1000  # quantity unit: thousandths


@dataclass(frozen=True)
class Item:
    name: str
    price: int  # kopecks per unit
    quantity: int = PIECE  # thousandths: 1 piece = 1000, 0.250 kg = 250
    vat: str = "none"
    payment_method: PaymentMethod = PaymentMethod.FULL_PAYMENT
    payment_subject: PaymentSubject = PaymentSubject.GOODS
    marking_code: str | None = None  # the scanned code as read, GS (0x1D) kept
    measure: int = 0  # tag 2108: 0 pieces, 11 kg, 41 l ...
    marked: bool = False  # the catalog says this product is marked (needs a code)

    @property
    def amount(self) -> int:
        """price × quantity in kopecks, rounded half up (the register accepts ±1 kopeck)."""
        return (self.price * self.quantity + PIECE // 2) // PIECE

    @property
    def prepaid_before_handover(self) -> bool:
        return self.payment_method in PREPAYMENT_METHODS

    @property
    def needs_marking_code(self) -> bool:
        marked = self.marked or self.payment_subject in MARKED_SUBJECTS
        return marked and not self.prepaid_before_handover

    @property
    def subject_sent(self) -> int:
        """Tag 1212 as the register gets it: a marked product prepaid without its code is
        «товар, подлежащий маркировке, без кода» (FFD 1.2 values 30 / 32, FISCAL.md 3.1)."""
        if self.prepaid_before_handover and not self.marking_code:
            subject = self.payment_subject
            if self.marked and subject not in MARKED_SUBJECTS:
                subject = PaymentSubject.MARKED
            return WITHOUT_CODE.get(subject, subject)
        return self.payment_subject


@dataclass(frozen=True)
class Payments:
    cash: int = 0  # kopecks
    card: int = 0  # kopecks, reported as "электронными"
    prepaid: int = 0  # kopecks offset against an earlier prepayment (tag 1215, FF45h sum 14)

    @property
    def total(self) -> int:
        return self.cash + self.card + self.prepaid

    @property
    def cashless(self) -> int:
        return self.card + self.prepaid


@dataclass(frozen=True)
class Cashier:
    name: str
    inn: str | None = None  # 12 digits, tag 1203


@dataclass(frozen=True)
class Correction:
    """Чек коррекции (FFD 1.2): 1173 basis and 1174 {1178 date of the corrected settlement,
    1179 number of the tax authority's order (absent for the shop's own initiative)}."""

    by_order: bool = False  # tag 1173: 0 own initiative, 1 by the tax authority's order
    date: str = ""  # tag 1178, 'YYYY-MM-DD': when the settlement being corrected happened
    number: str | None = None  # tag 1179


@dataclass(frozen=True)
class Receipt:
    items: tuple[Item, ...]
    payments: Payments
    buyer_contact: str | None = None  # e-mail or phone -> tag 1008
    cashier: Cashier | None = None
    tax_system: int = 0x01  # tag 1055 bitmask, exactly one bit: 1 ОСН, 2 УСН доход, 4 УСН д−р ...
    electronic: bool = False  # sent to the buyer only, not printed (table 17 field 7 = 1)
    internet: bool = False  # tag 1125 = 1: settled on the Internet (paid on the site)
    place: str | None = None  # tag 1187, место расчётов: the site's address for Internet sales
    correction: Correction | None = None  # a correction receipt (8Dh type 0x80 / 0x82)

    @property
    def total(self) -> int:
        return sum(item.amount for item in self.items)


@dataclass(frozen=True)
class FiscalResult:
    fn: str  # fiscal drive serial number
    fd: int  # fiscal document number
    fp: int  # fiscal sign
    shift: int | None  # None only if the lookup after a successful close failed
    number: int | None  # receipt number in the shift (FF40), same caveat
    # When the fiscal drive signed it, 'YYYY-MM-DDThh:mm', the register's local clock as printed
    # (FF45h extended answer, else FF0Ah); None if the register cannot tell (document_time.py)
    ts: str | None
    change: int = 0  # kopecks


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?\d{10,15}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLACE_MAX = 240  # bytes: one FF0Ch carries at most 250 TLV bytes
CORRECTION_NUMBER_MAX = 32  # tag 1179 [JPOS TLVTags.java]


def validate_receipt(receipt: Receipt, *, refund: bool) -> None:
    """Refuse, before anything is sent, a receipt the register would refuse or should not print."""
    if not receipt.items:
        raise RequestRejected("receipt has no items")
    for item in receipt.items:
        if item.price < 0 or item.quantity <= 0:
            raise RequestRejected(f"item {item.name!r}: price must be ≥ 0 and quantity > 0")
        if item.vat not in SHTRIH_TAX_BYTE:
            raise RequestRejected(f"item {item.name!r}: unknown VAT code {item.vat!r}")
        if item.vat in PRE_2026_VAT and not refund:
            raise RequestRejected(f"item {item.name!r}: {item.vat} is only for pre-2026 refunds")
        if item.needs_marking_code and not item.marking_code:
            raise MarkingCodeMissing(f"item {item.name!r} is marked but has no marking code")
        if item.marking_code and not item.marking_code.isascii():
            raise RequestRejected(f"item {item.name!r}: marking code not ASCII (keyboard layout?)")
        if len(item.marking_code or "") > 255:
            raise RequestRejected(f"item {item.name!r}: marking code longer than 255 bytes")
    total = receipt.total
    if total <= 0:
        raise RequestRejected("receipt total is zero")
    if receipt.payments.cashless > total:
        raise RequestRejected(
            f"cashless payment {receipt.payments.cashless} exceeds the total {total}"
        )
    if receipt.payments.total < total:
        raise RequestRejected(f"payments {receipt.payments.total} are less than total {total}")
    if receipt.payments.cashless and receipt.payments.total != total:
        raise RequestRejected("change is given in cash only: card + cash must equal the total")
    if receipt.electronic and not receipt.buyer_contact:
        raise RequestRejected("an electronic-only receipt needs the buyer's e-mail or phone")
    if receipt.internet and not receipt.place:
        raise RequestRejected("an Internet settlement needs the site's address (tag 1187)")
    if receipt.place is not None:
        _check_tlv_text("the settlement place (1187)", receipt.place, PLACE_MAX)
    if receipt.correction is not None:
        _check_correction(receipt.correction)
    if bin(receipt.tax_system).count("1") != 1 or receipt.tax_system > 0x20:
        raise RequestRejected(f"tax system {receipt.tax_system:#x} must be exactly one bit")
    contact = receipt.buyer_contact
    if contact is not None and not (_EMAIL.match(contact) or _PHONE.match(contact)):
        raise RequestRejected(f"buyer contact {contact!r} is neither an e-mail nor a phone")


def _check_tlv_text(what: str, text: str, limit: int) -> None:
    """Text for the FN goes in CP866 (FISCAL.md 1.2): refuse what it cannot hold."""
    try:
        size = len(text.encode("cp866"))
    except UnicodeEncodeError:
        raise RequestRejected(
            f"{what} {text!r} has characters the fiscal drive cannot hold"
        ) from None
    if size > limit:
        raise RequestRejected(f"{what} is {size} bytes, at most {limit}")


def _check_correction(correction: Correction) -> None:
    if not _DATE.match(correction.date):
        raise RequestRejected(f"correction date {correction.date!r} is not YYYY-MM-DD")
    try:
        date(*(int(part) for part in correction.date.split("-")))
    except ValueError:
        raise RequestRejected(f"correction date {correction.date!r} is not a real date") from None
    if correction.number:
        _check_tlv_text("the order's number (1179)", correction.number, CORRECTION_NUMBER_MAX)
