"""Correction receipts (чек коррекции, FFD 1.2; FISCAL.md 3.4, issue 11): what a manager asks
for, checked before anything is queued.

Two cases. A sale made while the register was down: a correction of приход with the goods as
they were sold, paid as they were paid, dated the day of the sale. A wrong receipt: first its
reverse (the opposite operation, what is left of its items, paid back the way it was paid),
then, if given, the right one. Each correction says why (the reason: for the audit and the
staff, not a fiscal tag), on whose initiative (1173: the shop's own, or the tax authority's
order with its number, 1179) and the date of the settlement it corrects (1178).

Nothing here knows the clock or the database: the service passes today's date and the receipts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import InvalidInput
from .fiscal import SELL, SELL_REFUND, CorrectionBasis, Payments, ReceiptItem, parse_payments
from .validation import (
    MAX_MONEY,
    require_bool,
    require_dict,
    require_id,
    require_int,
    require_list,
    require_str,
)

OWN, BY_ORDER = "own", "order"  # 1173 = 0 / 1
MAX_REASON = 200
MAX_ORDER_NUMBER = 32  # tag 1179 is a string of up to 32 characters
MAX_LINES = 200
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELDS = frozenset(
    {
        "corrects",
        "items",
        "payment",
        "date",
        "basis",
        "order_number",
        "reason",
        "take_from_stock",
        "idem_key",
    }
)


@dataclass(frozen=True)
class Line:
    """One line of a sale being recorded: the catalog's goods, the price it was sold at."""

    sku: str
    qty: int
    price: int | None  # kopecks per piece; None: the catalog's price now
    codes: tuple[str, ...] = ()  # a marked product's codes, one per piece


@dataclass(frozen=True)
class CorrectionRequest:
    corrects: int | None  # the receipt job whose wrong receipt is reversed; None: unrecorded sale
    lines: tuple[Line, ...]  # the sale, or the right receipt; empty: only the reverse
    payment: Any  # as `parse_payments` takes it; None without lines
    date: date | None  # 1178 as asked; None: the corrected receipt's own date
    by_order: bool
    number: str | None  # 1179
    reason: str
    take_from_stock: bool


def parse_request(data: Any) -> CorrectionRequest:
    """The body of `POST /api/fiscal/corrections` (and of the CLI's request):

    {"corrects": receipt id (a wrong receipt; absent: a sale made while the register was down),
     "items": [{"sku", "qty", "price"?, "marking_codes"?}] (the sale, or the right receipt),
     "payment": "cash" | "card" | {"cash", "card"}, "date": "YYYY-MM-DD",
     "basis": "own" | "order", "order_number": "…", "reason": "…", "take_from_stock": false}"""
    body = require_dict(data, "correction")
    unknown = set(body) - _FIELDS
    if unknown:
        raise InvalidInput(f"correction: unknown field(s) {', '.join(sorted(unknown))}")
    corrects = body.get("corrects")
    if corrects is not None:
        corrects = require_int(
            corrects, "corrects (a receipt number)", minimum=1, maximum=MAX_MONEY
        )
    lines = parse_lines(body.get("items"), required=corrects is None)
    if lines and body.get("payment") is None:
        raise InvalidInput(
            "say how it was paid: payment cash, card or {cash, card}"
            " / Укажите оплату: наличные или карта",
            reason="payment",
        )
    by_order, number = parse_basis(body.get("basis"), body.get("order_number"))
    take = body.get("take_from_stock", False)
    return CorrectionRequest(
        corrects=corrects,
        lines=lines,
        payment=body.get("payment") if lines else None,
        date=None if body.get("date") is None else parse_date(body.get("date")),
        by_order=by_order,
        number=number,
        reason=parse_reason(body.get("reason")),
        take_from_stock=require_bool(take, "take_from_stock"),
    )


def parse_lines(value: Any, *, required: bool) -> tuple[Line, ...]:
    if value is None or value == []:
        if required:
            raise InvalidInput(
                "a sale made while the register was down needs its items"
                " / Добавьте товары, которые были проданы",
                reason="no_items",
            )
        return ()
    raw_lines = require_list(value, "items")
    if len(raw_lines) > MAX_LINES:
        raise InvalidInput(f"a correction holds at most {MAX_LINES} lines")
    lines = []
    for n, raw in enumerate(raw_lines, 1):
        line = require_dict(raw, f"item {n}")
        price = line.get("price")
        codes = require_list(line.get("marking_codes", []), f"item {n}.marking_codes")
        lines.append(
            Line(
                sku=require_id(line.get("sku"), f"item {n}.sku"),
                qty=require_int(line.get("qty", 1), f"item {n}.qty", minimum=1),
                price=None
                if price is None
                else require_int(price, f"item {n}.price", minimum=0, maximum=MAX_MONEY),
                codes=tuple(codes),
            )
        )
    return tuple(lines)


def parse_reason(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(
            "a correction needs a reason / Напишите причину коррекции", reason="no_reason"
        )
    if len(text) > MAX_REASON or any(ch < " " and ch not in "\n\t" for ch in text):
        raise InvalidInput(
            f"the reason is at most {MAX_REASON} printable characters"
            f" / Причина — не больше {MAX_REASON} знаков",
            reason="no_reason",
        )
    return " ".join(text.split())  # one line in the audit


def parse_basis(basis: Any, number: Any) -> tuple[bool, str | None]:
    """1173 and 1179: the shop's own initiative (no number) or the tax authority's order (its
    number required)."""
    basis = OWN if basis is None else basis
    if basis not in (OWN, BY_ORDER):
        raise InvalidInput(f"basis is {OWN!r} or {BY_ORDER!r}, not {basis!r}", reason="basis")
    given = number is not None and not (isinstance(number, str) and not number.strip())
    if basis == OWN:
        if given:
            raise InvalidInput(
                "an order number goes with basis 'order' only"
                " / Номер предписания — только для коррекции по предписанию",
                reason="basis",
            )
        return False, None
    if not given:
        raise InvalidInput(
            "a correction by the tax authority's order needs the order's number"
            " / Укажите номер предписания налоговой",
            reason="basis",
        )
    return True, require_str(number, "order_number", max_len=MAX_ORDER_NUMBER)


def parse_date(value: Any) -> date:
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"date {value!r} is not YYYY-MM-DD / Дата — ГГГГ-ММ-ДД", reason="date"
        ) from None


def settlement_date(
    asked: date | None, *, today: date, corrected: date | None, exact: bool = True
) -> str:
    """1178: when the settlement being corrected happened. Not in the future; for a wrong
    receipt, not before it was printed (`corrected`), and its own date when none is asked --
    if that day is known `exact`ly (not only the earliest it can be: its shift's first day)."""
    if asked is None:
        if corrected is None:
            raise InvalidInput("give the date of the sale / Укажите дату продажи", reason="date")
        if not exact:
            raise InvalidInput(
                "the register did not say when the wrong receipt was printed: give its date"
                " / Укажите дату ошибочного чека",
                reason="date",
            )
        asked = corrected
    if asked > today:
        raise InvalidInput(
            f"the date {asked} is in the future / Дата {_ru(asked)} ещё не наступила",
            reason="date",
        )
    if corrected is not None and asked < corrected:
        raise InvalidInput(
            f"the date {asked} is before the receipt it corrects ({corrected})"
            f" / Дата раньше исправляемого чека ({_ru(corrected)})",
            reason="date",
        )
    return asked.isoformat()


def _ru(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def receipt_date(ts: str | None) -> date | None:
    """The day a receipt was signed, from the register's clock ('YYYY-MM-DDThh:mm')."""
    try:
        return date.fromisoformat(ts[:10]) if ts else None
    except ValueError:
        return None


def opposite(operation: str) -> str:
    return SELL_REFUND if operation == SELL else SELL


def exact_payments(data: Any, total: int) -> Payments:
    """How the recorded sale was paid. The money changed hands long ago: no change is given now,
    so the payments are the total exactly."""
    if total <= 0:
        raise InvalidInput(
            "a correction receipt needs a total above zero / Сумма чека должна быть больше нуля",
            reason="total",
        )
    payments = parse_payments(data, total)
    if payments.total != total:
        raise InvalidInput(
            f"payments {payments.total} are not the total {total}: a correction gives no change"
            " / Оплата должна быть равна сумме чека",
            reason="payment",
        )
    return payments


def reverse_payments(original: Payments, total: int, card_left: int) -> Payments:
    """The reverse of a wrong receipt pays back what is left of it the way it was paid: to the
    card first (up to what the card paid and has not had back), then the prepayment offset,
    the rest in cash."""
    card = max(0, min(card_left, total))
    prepaid = max(0, min(original.prepaid, total - card))
    return Payments(cash=total - card - prepaid, card=card, prepaid=prepaid)


def correction_basis(
    operation: str, request: CorrectionRequest, when: str, corrects: int | None
) -> CorrectionBasis:
    return CorrectionBasis(
        operation=operation,
        by_order=request.by_order,
        date=when,
        number=request.number,
        reason=request.reason,
        corrects=corrects,
    )


def stock_deltas(back: list[ReceiptItem], sold: list[ReceiptItem]) -> dict[str, int]:
    """What the books move when a correction is applied to the stock, per sku: the pieces of the
    reversed receipt come back, the right receipt's leave; a sku on both moves by the
    difference (a wrong price alone moves nothing)."""
    deltas: dict[str, int] = {}
    for item in back:
        deltas[item.sku] = deltas.get(item.sku, 0) + item.qty
    for item in sold:
        deltas[item.sku] = deltas.get(item.sku, 0) - item.qty
    return {sku: delta for sku, delta in deltas.items() if delta}


def audit_detail(job_id: int, reason: str, *, reverses: int | None = None,
                 replaces: int | None = None) -> str:  # fmt: skip
    """The audit line of one correction receipt: which, of which receipt, and why (the reason
    last, so it is whole even when it holds a colon)."""
    if reverses is not None:
        return f"receipt {job_id} reverses receipt {reverses}: {reason}"
    if replaces is not None:
        return f"receipt {job_id} replaces receipt {replaces}: {reason}"
    return f"receipt {job_id}: {reason}"
