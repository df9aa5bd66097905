"""Correction receipts (чек коррекции, issue 11): a manager records a sale made while the register
was down, or reverses a wrong receipt and issues the right one. The receipts are jobs like any
other (durable, printed by the fiscal worker in order), queued with their audit lines and any
stock they move in one transaction; `preview_correction` says what would be printed and writes
nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from gateway.domain.corrections import (
    CorrectionRequest,
    Line,
    audit_detail,
    correction_basis,
    exact_payments,
    opposite,
    parse_request,
    receipt_date,
    reverse_payments,
    settlement_date,
    stock_deltas,
)
from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    CORRECTION,
    DONE,
    FAILED,
    QUEUED,
    SELL,
    Goods,
    ReceiptDraft,
    ReceiptItem,
    ReceiptJob,
    check_codes_unique,
    receipt_items,
)
from gateway.domain.refunds import refund_items
from gateway.domain.staff import FISCAL_CORRECTION, Staff
from gateway.domain.timestamps import parse_stamp

from .idempotency import run_once
from .orders import refill
from .permissions import record_money, require
from .stock import change_on_hand

SALE, REVERSE, REPLACE = "sale", "reverse", "replace"  # what each planned receipt is for


@dataclass(frozen=True)
class Planned:
    role: str  # SALE (made while the register was down), REVERSE or REPLACE (of a wrong one)
    draft: ReceiptDraft
    order_id: str | None = None  # a wrong receipt's order: its corrections belong to it too
    # The reverse names the receipt it takes back, as a refund does: what is reversed cannot be
    # refunded or reversed again (FiscalRepo.refunded_counts / refunded_card count it).
    refund_of: int | None = None


@dataclass(frozen=True)
class Plan:
    request: CorrectionRequest
    receipts: tuple[Planned, ...]

    @property
    def total(self) -> int:
        return sum(planned.draft.total for planned in self.receipts)


def preview_correction(uow, data: Any, *, by: Staff) -> dict:
    """What `queue_correction` would print and move, checked the same way; nothing is written
    (the dialog shows it before the manager confirms)."""
    plan = plan_correction(uow, data, by=by)
    return {
        "receipts": [_view(planned) for planned in plan.receipts],
        "total": plan.total,
        "stock": _stock_preview(uow, plan),
    }


def queue_correction(uow, data: Any, *, by: Staff, idem_key: str | None = None) -> dict:
    """Queues the correction receipt(s): for a sale made while the register was down, one
    correction of приход; for a wrong receipt, its reverse, then the right one if given. Each
    receipt's reason, amount and author go into the audit («Журнал», kind `correction`)."""

    def correct() -> dict:
        plan = plan_correction(uow, data, by=by)
        corrects = plan.request.corrects
        detail = f"receipt {corrects}" if corrects else ""  # the audit view words "receipt N"
        require(uow, by, FISCAL_CORRECTION, detail=detail, amount=plan.total)
        views, ids = [], {}
        for planned in plan.receipts:
            job_id = uow.fiscal.add_job(
                planned.draft, order_id=planned.order_id, refund_of=planned.refund_of, by=by
            )
            ids[planned.role] = job_id
            record_money(uow, by, "correction", planned.draft.total, _audit(job_id, planned))
            views.append(_view(planned, job_id))
        if plan.request.take_from_stock:
            _move_stock(uow, plan, ids, by)
        return {"receipts": views, "total": plan.total, "receipt_id": views[0]["receipt_id"]}

    return run_once(uow, idem_key, "correction", correct)


def plan_correction(uow, data: Any, *, by: Staff) -> Plan:
    """Every check, nothing written: the receipts a request stands for."""
    request = parse_request(data)
    today = _local_date(uow.now)
    if request.corrects is None:
        items = _sold_items(uow, request.lines)
        when = settlement_date(request.date, today=today, corrected=None)
        basis = correction_basis(SELL, request, when, None)
        draft = _draft(items, exact_payments(request.payment, _total(items)), basis, by)
        return Plan(request, (Planned(SALE, draft),))
    original = _correctable(uow, request.corrects)
    back = _left_on(uow, original)
    printed_on, exact = _printed_on(uow, original)
    when = settlement_date(request.date, today=today, corrected=printed_on, exact=exact)
    total = _total(back)
    card_left = original.draft.payments.card - uow.fiscal.refunded_card(original.id)
    payments = reverse_payments(original.draft.payments, total, card_left)
    operation = original.draft.operation
    reverse_basis = correction_basis(opposite(operation), request, when, original.id)
    contact = original.draft.contact
    receipts = [
        Planned(
            REVERSE,
            _draft(back, payments, reverse_basis, by, contact),
            original.order_id,
            original.id,
        )
    ]
    if request.lines:
        items = _sold_items(uow, request.lines)
        right = exact_payments(request.payment, _total(items))
        basis = correction_basis(operation, request, when, original.id)
        receipts.append(
            Planned(REPLACE, _draft(items, right, basis, by, contact), original.order_id)
        )
    return Plan(request, tuple(receipts))


def _correctable(uow, receipt_id: int) -> ReceiptJob:
    """A printed sale (or a printed correction of one) is what can be reversed."""
    job = uow.fiscal.job(receipt_id)
    if job is None:
        raise NotFound(f"receipt {receipt_id} not found / Чек № {receipt_id} не найден")
    if job.kind not in (SELL, CORRECTION) or job.draft.operation != SELL:
        raise InvalidInput(
            f"receipt {receipt_id} is a {job.kind} receipt: only a sale (or a correction of one)"
            f" is corrected here / Чек № {receipt_id} — не чек продажи: исправить можно только"
            " чек продажи",
            reason="not_correctable",
        )
    if job.state == FAILED:
        raise InvalidTransition(
            f"the register refused receipt {receipt_id}: fix and retry it, it needs no correction"
            f" / Касса не приняла чек № {receipt_id}: исправьте и повторите его, коррекция"
            " не нужна",
            reason="not_printed",
        )
    if job.state != DONE:
        raise InvalidTransition(
            f"receipt {receipt_id} is not printed yet ({job.state}): wait for it"
            f" / Чек № {receipt_id} ещё не напечатан — подождите",
            reason="not_printed",
        )
    return job


def _printed_on(uow, job: ReceiptJob) -> tuple[date | None, bool]:
    """The day a receipt was signed, by the register's clock when its answer said (exact);
    else the earliest it can be: the day its shift opened (a shift lasts 24 hours at most)."""
    day = receipt_date(job.fiscal.ts)
    if day is not None:
        return day, True
    shift = uow.fiscal.shift_row(job.fiscal.shift, job.fiscal.fn) if job.fiscal.shift else None
    return (_local_date(shift["opened_at"]) if shift else None), False


def _left_on(uow, original: ReceiptJob) -> list[ReceiptItem]:
    """What a reverse takes back: the receipt's items less what was refunded or reversed."""
    try:
        return refund_items(original.draft.items, uow.fiscal.refunded_counts(original.id), None)
    except InvalidInput:
        raise InvalidTransition(
            f"receipt {original.id} was already reversed or refunded in full"
            f" / Чек № {original.id} уже исправлен или возвращён полностью",
            reason="already_corrected",
        ) from None


def _sold_items(uow, lines: tuple[Line, ...]) -> list[ReceiptItem]:
    """The goods of a sale as the catalog knows them (an archived sku still was sold then), at
    the price asked or the catalog's."""
    items: list[ReceiptItem] = []
    for n, line in enumerate(lines, 1):
        variant = uow.catalog.variant(line.sku)
        if variant is None:
            raise InvalidInput(
                f"item {n}: unknown sku {line.sku} / Товара {line.sku} нет в каталоге",
                reason="unknown_sku",
            )
        goods = Goods(variant.sku, variant.name, variant.price, variant.vat, variant.marked)
        price = goods.price if line.price is None else line.price
        items += receipt_items(goods, line.qty, price, list(line.codes))
    check_codes_unique(items)
    return items


def _draft(
    items: list[ReceiptItem], payments, basis, by: Staff, contact: str | None = None
) -> ReceiptDraft:
    return ReceiptDraft(
        CORRECTION, tuple(items), payments, contact, by.name, by.inn, correction=basis
    )


def _total(items: list[ReceiptItem]) -> int:
    return sum(item.amount for item in items)


def _local_date(now: str) -> date:
    """Today in the shop (the box's local time): the date a person means."""
    return parse_stamp(now).astimezone().date()


def _audit(job_id: int, planned: Planned) -> str:
    basis = planned.draft.correction
    if planned.role == REVERSE:
        return audit_detail(job_id, basis.reason, reverses=basis.corrects)
    if planned.role == REPLACE:
        return audit_detail(job_id, basis.reason, replaces=basis.corrects)
    return audit_detail(job_id, basis.reason)


def _view(planned: Planned, job_id: int | None = None) -> dict:
    draft = planned.draft
    payments = draft.payments
    return {
        "receipt_id": job_id,
        "kind": CORRECTION,
        "role": planned.role,
        "operation": draft.operation,
        "state": QUEUED if job_id is not None else None,
        "total": draft.total,
        "payments": {"cash": payments.cash, "card": payments.card, "prepaid": payments.prepaid},
        "items": [
            {"sku": i.sku, "name": i.name, "price": i.price, "qty": i.qty, "amount": i.amount}
            for i in draft.items
        ],
        "correction": asdict(draft.correction),
    }


# --- stock ------------------------------------------------------------------------------------
# Only when asked (`take_from_stock`, the form's «Товар уже списан?»): while the register was
# down the goods often left the books some other way already -- an order's shipment, a manual
# correction, a stocktake -- and taking them again would count them twice. The manager knows.


def _deltas(plan: Plan) -> dict[str, int]:
    back = [i for p in plan.receipts if p.role == REVERSE for i in p.draft.items]
    sold = [i for p in plan.receipts if p.role != REVERSE for i in p.draft.items]
    return stock_deltas(back, sold)


def _stock_preview(uow, plan: Plan) -> list[dict]:
    if not plan.request.take_from_stock:
        return []
    moves = []
    for sku, delta in _deltas(plan).items():
        on_hand = uow.stock.level(sku).on_hand
        _check_shelf(sku, on_hand, delta)
        moves.append({"sku": sku, "delta": delta, "on_hand": on_hand + delta})
    return moves


def _check_shelf(sku: str, on_hand: int, delta: int) -> None:
    if on_hand + delta < 0:
        raise InvalidInput(
            f"{sku}: the books say {on_hand} on hand, the correction takes {-delta}: leave the"
            f" stock as it is or correct it first / {sku}: по учёту на складе {on_hand} шт., а"
            f" коррекция списывает {-delta}: не списывайте или сначала исправьте остаток",
            reason="negative_stock",
        )


def _move_stock(uow, plan: Plan, ids: dict[str, int], by: Staff) -> None:
    taken, back = [], []
    for sku, delta in _deltas(plan).items():
        _check_shelf(sku, uow.stock.level(sku).on_hand, delta)
        receipt = ids[REVERSE] if delta > 0 else ids.get(REPLACE, ids.get(SALE))
        reason = "return" if delta > 0 else "sale"
        on_hand = change_on_hand(uow, sku, delta, reason=reason, ref_id=f"receipt/{receipt}", by=by)
        (back if delta > 0 else taken).append({"sku": sku, "delta": delta, "on_hand": on_hand})
    # The contract's reasons: goods that left the shelf with a sale, came back with a receipt.
    for moved, reason, role in ((taken, "counter_sale", None), (back, "return", REVERSE)):
        if moved:
            receipt = ids[role] if role else ids.get(REPLACE, ids.get(SALE))
            uow.outbox.emit(
                "stock.adjusted",
                {"reason": reason, "items": moved, **by.event, "receipt_id": receipt},
            )
    if back:
        refill(uow, {move["sku"] for move in back}, by)
