"""Fiscal receipts as the gateway keeps them (54-FZ, issue 4): what a receipt holds, how one is
built from shipped order lines or a counter sale, how it is paid, and the shift totals.

Money in kopecks, quantities in pieces. A marked product is sold one unit per receipt item, each
with its own scanned marking code. The device adapter turns a `ReceiptDraft` into the driver's
receipt; nothing here knows the register's wire format.
"""

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from .errors import InvalidInput
from .validation import MAX_MONEY, require_dict, require_int, require_str

SELL = "sell"
SELL_REFUND = "sell_refund"
PREPAYMENT = "prepayment"  # paid on the site: receipted at once, electronically (1214 = 1)
PREPAYMENT_REFUND = "prepayment_refund"  # the prepayment went back to the buyer
CORRECTION = "correction"  # чек коррекции: `draft.correction.operation` says of which kind
KINDS = (SELL, SELL_REFUND, PREPAYMENT, PREPAYMENT_REFUND, CORRECTION)

QUEUED = "queued"  # durable, nothing sent yet
SENDING = "sending"  # bytes may have gone out: reconcile with the register before anything else
DONE = "done"  # fiscalised: the FN signed it (fd, fp known)
FAILED = "failed"  # the register refused the data itself: staff must look, then retry
JOB_STATES = (QUEUED, SENDING, DONE, FAILED)

SALE_VAT = frozenset(
    {"none", "vat0", "vat5", "vat7", "vat10", "vat22", "vat105", "vat107", "vat110", "vat122"}
)
REFUND_ONLY_VAT = frozenset({"vat20", "vat120"})  # sales made before 2026 at the old rate

SUBJECT_GOODS = "goods"  # tag 1212 = 1
SUBJECT_MARKED = "marked"  # tag 1212 = 33, товар с кодом маркировки
METHOD_FULL_PAYMENT = "full_payment"  # tag 1214 = 4, полный расчёт
METHOD_FULL_PREPAYMENT = "full_prepayment"  # tag 1214 = 1, предоплата 100 %
METHOD_PREPAYMENT = "prepayment"  # tag 1214 = 2, частичная предоплата
METHOD_ADVANCE = "advance"  # tag 1214 = 3, аванс (goods not yet known item by item)
SUBJECT_PAYMENT = "payment"  # tag 1212 = 10, платёж (an advance)
MAX_ITEM_NAME = 128  # tag 1030
MAX_MARKING_CODE = 255

TAX_SYSTEMS = {  # tag 1055 bit (config [fiscal] tax_system)
    "osn": 0x01,
    "usn_income": 0x02,
    "usn_income_outcome": 0x04,
    "esn": 0x10,
    "patent": 0x20,
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"^\+?\d{10,15}$")
_SYMBOLOGY_PREFIXES = ("]d2", "]C1", "]Q3")
_GTIN_AT_START = re.compile(r"^01\d{14}21")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class ReceiptItem:
    sku: str
    name: str
    price: int  # kopecks per piece
    qty: int  # pieces
    vat: str
    subject: str = SUBJECT_GOODS
    method: str = METHOD_FULL_PAYMENT
    marking_code: str | None = None
    discount: int = 0  # kopecks taken off this item's list price (`price` is after it)

    @property
    def amount(self) -> int:
        return self.price * self.qty


def discounted(item: ReceiptItem, pct: int) -> ReceiptItem:
    """`pct` % off each unit, rounded to the kopeck (half up): the register is sent the price
    after the discount (tag 1079), and the name says the discount so the buyer sees it."""
    if pct == 0:
        return item
    off = (item.price * pct + 50) // 100
    note = f" (скидка {pct}%)"
    name = item.name[: MAX_ITEM_NAME - len(note)] + note
    return replace(item, name=name, price=item.price - off, discount=item.discount + off * item.qty)


def parse_discount(value: Any, where: str) -> int:
    """A discount in whole percent, 0 to 100; absent is 0."""
    return (
        0 if value is None else require_int(value, f"{where}.discount_pct", minimum=0, maximum=100)
    )


@dataclass(frozen=True)
class Payments:
    cash: int = 0  # handed over in cash (change is given from it)
    card: int = 0  # электронными
    prepaid: int = 0  # offset against the buyer's prepayment (tag 1215): no money moves now

    @property
    def total(self) -> int:
        return self.cash + self.card + self.prepaid


@dataclass(frozen=True)
class CorrectionBasis:
    """Why and of what a correction receipt is (tags 1173, 1174 {1178, 1179})."""

    operation: str  # SELL (коррекция прихода) or SELL_REFUND (коррекция возврата прихода)
    by_order: bool  # 1173: False on the shop's own initiative, True by the tax authority's order
    date: str  # 1178: 'YYYY-MM-DD' of the settlement being corrected
    number: str | None  # 1179: the order's number (None on own initiative)
    reason: str  # for the audit and the staff (not a fiscal tag)
    corrects: int | None = None  # the receipt job this one reverses or replaces, if any


@dataclass(frozen=True)
class ReceiptDraft:
    kind: str
    items: tuple[ReceiptItem, ...]
    payments: Payments
    contact: str | None = None  # buyer e-mail or phone, tag 1008
    cashier: str | None = None  # tag 1021
    cashier_inn: str | None = None  # tag 1203
    electronic: bool = False  # sent to the buyer only, not printed
    internet: bool = False  # settled on the site (1125 = 1; the site's address, 1187, is config)
    payment_id: str | None = None  # the cloud's payment this receipt fiscalises
    correction: CorrectionBasis | None = None

    @property
    def operation(self) -> str:
        """SELL (приход) or SELL_REFUND (возврат прихода): what the register is asked to do."""
        if self.correction is not None:
            return self.correction.operation
        return SELL_REFUND if self.kind in (SELL_REFUND, PREPAYMENT_REFUND) else SELL

    @property
    def total(self) -> int:
        return sum(item.amount for item in self.items)

    @property
    def discount(self) -> int:
        return sum(item.discount for item in self.items)

    @property
    def change(self) -> int:
        return self.payments.total - self.total

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ReceiptDraft":
        correction = data.get("correction")  # fields absent in drafts queued before m012
        return cls(
            kind=data["kind"],
            items=tuple(ReceiptItem(**item) for item in data["items"]),
            payments=Payments(**data["payments"]),
            contact=data.get("contact"),
            cashier=data.get("cashier"),
            cashier_inn=data.get("cashier_inn"),  # absent in drafts queued before m007
            electronic=data.get("electronic", False),
            internet=data.get("internet", False),
            payment_id=data.get("payment_id"),
            correction=CorrectionBasis(**correction) if correction else None,
        )


@dataclass(frozen=True)
class Fiscalised:
    """What the register's fiscal drive signed (MQTT-CONTRACT `receipt.fiscalized`.fiscal)."""

    fn: str
    fd: int
    fp: int
    shift: int | None
    number: int | None
    ts: str | None


@dataclass(frozen=True)
class ReceiptJob:
    id: int
    draft: ReceiptDraft
    state: str
    order_id: str | None = None
    shipment_id: str | None = None
    refund_of: int | None = None
    attempts: int = 0
    saved_fd: int | None = None  # the FN's last document number before the first byte went out
    saved_fn: str | None = None  # ... and that FN's serial number
    error: str | None = None
    change: int = 0
    fiscal: Fiscalised | None = None
    staff_id: int | None = None  # who queued it (the draft keeps the cashier's name)

    @property
    def kind(self) -> str:
        return self.draft.kind

    @property
    def total(self) -> int:
        return self.draft.total


def check_codes_unique(items: list[ReceiptItem]) -> None:
    """One physical unit, one code: the same code twice on a receipt is a double scan."""
    codes = [item.marking_code for item in items if item.marking_code]
    if len(set(codes)) != len(codes):
        raise InvalidInput("the same marking code was scanned twice", reason="marking_code")


@dataclass(frozen=True)
class Goods:
    """What the catalog says about a sku at the time of sale."""

    sku: str
    name: str
    price: int
    vat: str
    marked: bool


def receipt_items(
    goods: Goods, qty: int, price: int, codes: list[str] | None, *, refund: bool = False
) -> list[ReceiptItem]:
    """One item per line; a marked product gives one item per unit, each with its code.
    Callers check the codes of the whole receipt with `check_codes_unique`."""
    vat_ok = SALE_VAT | REFUND_ONLY_VAT if refund else SALE_VAT
    if goods.vat not in vat_ok:
        raise InvalidInput(
            f"{goods.sku}: VAT code {goods.vat!r} cannot be used on a receipt", reason="vat"
        )
    name = goods.name[:MAX_ITEM_NAME]
    codes = codes or []
    if not goods.marked:
        if codes:
            raise InvalidInput(
                f"{goods.sku} is not a marked product: remove its marking codes",
                reason="marking_code",
            )
        return [ReceiptItem(goods.sku, name, price, qty, goods.vat)]
    if len(codes) != qty:
        raise InvalidInput(
            f"{goods.sku} is a marked product: scan {qty} marking code(s), got {len(codes)}"
            " / Маркированный товар: отсканируйте код маркировки каждой единицы",
            reason="marking_code_missing",
        )
    checked = [check_marking_code(code, goods.sku) for code in codes]
    return [
        ReceiptItem(goods.sku, name, price, 1, goods.vat, SUBJECT_MARKED, marking_code=code)
        for code in checked
    ]


def check_marking_code(code: Any, sku: str) -> str:
    """A Честный ЗНАК code as the scanner read it (GS kept), without a symbology prefix."""
    text = require_str(code, f"marking code of {sku}", max_len=MAX_MARKING_CODE + 3)
    for prefix in _SYMBOLOGY_PREFIXES:
        text = text.removeprefix(prefix)
    if _CYRILLIC.search(text):
        raise InvalidInput(
            f"marking code of {sku} contains Cyrillic letters: the scanner types in the wrong"
            " keyboard layout / Код маркировки с кириллицей: переключите раскладку сканера",
            reason="marking_code",
        )
    if not text.isascii() or len(text) > MAX_MARKING_CODE or not _GTIN_AT_START.match(text):
        raise InvalidInput(
            f"marking code of {sku} is not a Честный ЗНАК code (01 + GTIN + 21 + serial)",
            reason="marking_code",
        )
    return text


def parse_payments(data: Any, total: int, *, prepaid: bool = False) -> Payments:
    """`"cash"`, `"card"` (the exact total) or `{"cash": k, "card": k}`. A prepaid web order is
    settled electronically whatever the screen said. Change comes from cash only."""
    if prepaid:
        return Payments(card=total)
    if data in ("cash", "card"):
        return Payments(**{data: total})
    payments = require_dict(data, "payment (cash, card or {cash, card})")
    unknown = set(payments) - {"cash", "card"}
    if unknown:
        raise InvalidInput(f"payment: unknown field(s) {', '.join(sorted(unknown))}")
    cash = require_int(payments.get("cash", 0), "payment.cash", minimum=0, maximum=MAX_MONEY)
    card = require_int(payments.get("card", 0), "payment.card", minimum=0, maximum=MAX_MONEY)
    if card > total:
        raise InvalidInput(f"card payment {card} is more than the total {total}", reason="payment")
    if cash + card < total:
        raise InvalidInput(
            f"payments {cash + card} are less than the total {total}", reason="payment"
        )
    if card and cash + card != total:
        raise InvalidInput(
            "change is given in cash only: with a card payment, cash + card = total",
            reason="payment",
        )
    return Payments(cash=cash, card=card)


def buyer_contact(email: str | None, phone: str | None) -> str | None:
    """The receipt goes to the buyer's e-mail (preferred) or phone, if either is usable."""
    if email and _EMAIL.match(email.strip()):
        return email.strip()
    if phone:
        digits = _PHONE_NOISE.sub("", phone)
        if _PHONE.match(digits):
            return digits
    return None


def parse_contact(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = require_str(value, "contact", max_len=64)
    contact = buyer_contact(text, None) or buyer_contact(None, text)
    if contact is None:
        raise InvalidInput(f"contact {text!r} is neither an e-mail nor a phone number")
    return contact


def contract_totals(totals: dict) -> dict:
    """`shift_totals` as a closed shift keeps them and `shift.closed` carries them: the
    register's figures (its Z report), without `online`."""
    return totals | {
        key: {name: value for name, value in totals[key].items() if name != "online"}
        for key in ("sales", "refunds")
    }


def shift_totals(
    receipts: list[tuple[str, int, int, int, int, int, bool]], cash_moves: dict
) -> dict:
    """`receipts`: (operation, total, cash, card, prepaid, change, site) of the shift's
    fiscalised receipts, operation SELL or SELL_REFUND (prepayments and corrections count as the
    register counts them); `site`: a payment made on the site, or its refund. `cash_moves`:
    {"in": kopecks, "out": kopecks}. Cash in the drawer counts the change given; `prepaid` is
    the part settled by offsetting earlier prepayments (no money). `card` is electronic money as
    the register's Z report counts it; `online`, the part of it paid on the site, which the
    shop's card terminal never saw (the shift screen shows it apart; not in `shift.closed`)."""
    buckets = (SELL, SELL_REFUND)
    totals = {
        op: {"count": 0, "total": 0, "cash": 0, "card": 0, "online": 0, "prepaid": 0}
        for op in buckets
    }
    for operation, total, cash, card, prepaid, change, site in receipts:
        bucket = totals[operation]
        bucket["count"] += 1
        bucket["total"] += total
        bucket["cash"] += cash - change
        bucket["card"] += card
        bucket["online"] += card if site else 0
        bucket["prepaid"] += prepaid
    cash_in, cash_out = cash_moves.get("in", 0), cash_moves.get("out", 0)
    drawer = cash_in - cash_out + totals[SELL]["cash"] - totals[SELL_REFUND]["cash"]
    return {
        "sales": totals[SELL],
        "refunds": totals[SELL_REFUND],
        "cash_in": cash_in,
        "cash_out": cash_out,
        "cash_in_drawer": drawer,
    }
