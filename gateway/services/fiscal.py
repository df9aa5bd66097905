"""Receipt jobs, shifts and the cash drawer (issue 4). Every job is written in the transaction
that ships the order or records the sale, before a byte goes to the register; the fiscal worker
(gateway/adapters/fiscal) prints them and records each step through the functions at the end."""

from dataclasses import asdict
from typing import Any

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    DONE,
    FAILED,
    QUEUED,
    SELL,
    SENDING,
    Fiscalised,
    ReceiptDraft,
    ReceiptItem,
    check_codes_unique,
    contract_totals,
    discounted,
    parse_contact,
    parse_discount,
    parse_payments,
    receipt_items,
    shift_totals,
)
from gateway.domain.staff import BIG_DISCOUNT, CASH_IN, CASH_OUT, CLOSE_SHIFT, PRINT, Staff
from gateway.domain.staff import SELL as SELL_PERMISSION
from gateway.domain.validation import require_dict, require_id, require_int, require_list

from .idempotency import run_once
from .orders import check_orderable
from .permissions import record_money, require
from .receipts import goods
from .sale_reserve import check_taking_allowed, held_taken, take_held
from .stock import change_on_hand

MAX_SALE_LINES = 200
MAX_DRAWER = 10**10  # kopecks: a hundred million roubles


def counter_sale(
    uow,
    data: Any,
    *,
    by: Staff,
    idem_key: str | None = None,
    discount_caps: tuple[int, int] = (10, 100),
) -> dict:
    """A sale at the counter: goods leave the shelf (on_hand down, ledger reason `sale`) and a
    sell receipt is queued, in one transaction. Selling what the books say is not there is
    refused: correct the stock first (on_hand never goes negative).

    A discount in percent, on a line (`items[].discount_pct`) or on the whole sale
    (`discount_pct`; a line's own wins), up to the cashier's cap alone and up to the manager's
    with a manager (`discount_caps`, config [sale]).

    Goods held for web orders may be sold (they are at the counter), never silently: a sale
    that takes an order's reserve is refused with those orders until the request lists them
    (`take_reserved`) and a manager allows it (sale_reserve.py)."""

    def sale() -> dict:
        require(uow, by, SELL_PERMISSION)
        body = require_dict(data, "sale")
        lines = require_list(body.get("items"), "items")
        if not lines or len(lines) > MAX_SALE_LINES:
            raise InvalidInput(f"a sale needs 1 to {MAX_SALE_LINES} items")
        whole = parse_discount(body.get("discount_pct"), "sale")
        items: list[ReceiptItem] = []
        wanted: dict[str, int] = {}
        biggest = 0
        for n, raw in enumerate(lines, 1):
            line = require_dict(raw, f"item {n}")
            sku = require_id(line.get("sku"), f"item {n}.sku")
            qty = require_int(line.get("qty", 1), f"item {n}.qty", minimum=1)
            check_orderable(uow, sku, f"item {n}")
            item_goods = goods(uow, sku)
            codes = require_list(line.get("marking_codes", []), f"item {n}.marking_codes")
            pct = parse_discount(line.get("discount_pct", whole), f"item {n}")
            biggest = max(biggest, pct)
            items += [
                discounted(item, pct)
                for item in receipt_items(item_goods, qty, item_goods.price, codes)
            ]
            wanted[sku] = wanted.get(sku, 0) + qty
        _check_discount(uow, by, biggest, discount_caps)
        check_codes_unique(items)
        total = sum(item.amount for item in items)
        if total <= 0:
            raise InvalidInput("a receipt needs a total above zero")
        draft = ReceiptDraft(
            SELL,
            tuple(items),
            parse_payments(body.get("payment"), total),
            parse_contact(body.get("contact")),
            by.name,
            by.inn,
        )
        for sku, qty in wanted.items():
            level = uow.stock.level(sku)
            if level.on_hand < qty:
                raise InvalidInput(
                    f"{sku}: the books say {level.on_hand} on hand, the sale takes {qty}:"
                    " correct the stock first",
                    reason="negative_stock",
                )
        taken = held_taken(uow, wanted)
        check_taking_allowed(uow, taken, body.get("take_reserved"), by)
        job_id = uow.fiscal.add_job(draft, by=by)
        take_held(uow, wanted, job_id, by)
        moved = []
        for sku, qty in wanted.items():
            on_hand = change_on_hand(
                uow, sku, -qty, reason="sale", ref_id=f"receipt/{job_id}", by=by
            )
            moved.append({"sku": sku, "delta": -qty, "on_hand": on_hand})
        uow.outbox.emit(
            "stock.adjusted",
            {"reason": "counter_sale", "items": moved, **by.event, "receipt_id": job_id},
        )
        queued = queued_answer(job_id, draft)
        return {**queued, "taken_from_orders": taken} if taken else queued

    return run_once(uow, idem_key, "sale", sale)


def _check_discount(uow, by: Staff, pct: int, caps: tuple[int, int]) -> None:
    cashier_cap, manager_cap = caps
    if pct > manager_cap:
        raise InvalidInput(
            f"a discount of {pct}% is more than the shop allows ({manager_cap}%)"
            f" / скидка больше {manager_cap}% не разрешена",
            reason="discount_too_big",
        )
    if pct > cashier_cap:
        require(uow, by, BIG_DISCOUNT, detail=f"{pct}%")


def queued_answer(job_id: int, draft: ReceiptDraft) -> dict:
    """What a tablet is told of a receipt just queued for the register."""
    return {
        "receipt_id": job_id,
        "kind": draft.kind,
        "state": QUEUED,
        "total": draft.total,
        "change": draft.change,
    }


def retry_receipt(uow, receipt_id: int, *, by: Staff) -> dict:
    """Staff fixed what the register refused (the catalog's VAT, a code): print it again."""
    require(uow, by, PRINT, detail=f"receipt {receipt_id}")
    job = uow.fiscal.job(receipt_id)
    if job is None:
        raise NotFound(f"receipt {receipt_id} not found")
    if job.state != FAILED:
        raise InvalidTransition(
            f"receipt {receipt_id} is {job.state}: only a failed one is retried"
        )
    uow.fiscal.set_state(receipt_id, QUEUED, error=f"retried by {by.name}", reset_attempts=True)
    return {"receipt_id": receipt_id, "state": QUEUED}


# --- the fiscal worker's durable steps --------------------------------------------------------


def receipt_sending(uow, job_id: int, saved_fd: int, saved_fn: str | None = None) -> None:
    """Committed BEFORE the first byte: after a crash the job is reconciled, never resent blind.
    `saved_fd` is the fiscal drive's last document number then, `saved_fn` the drive's serial."""
    uow.fiscal.set_sending(job_id, saved_fd, saved_fn)


def receipt_requeued(uow, job_id: int, why: str) -> None:
    """Reconciliation proved nothing was signed: the job may be sent again."""
    uow.fiscal.set_state(job_id, QUEUED, error=why)


def receipt_failed(uow, job_id: int, why: str) -> None:
    uow.fiscal.set_state(job_id, FAILED, error=why)


def receipt_fiscalised(uow, job_id: int, fiscal: Fiscalised, change: int) -> dict:
    job = uow.fiscal.job(job_id)
    if job.state == DONE:
        return {"receipt_id": job_id, "already": True}
    if job.state != SENDING:
        raise InvalidTransition(f"receipt {job_id} is {job.state}, not being sent")
    if fiscal.shift is None:  # the register's shift lookup failed after the close
        fiscal = Fiscalised(**{**vars(fiscal), "shift": uow.fiscal.open_shift()})
    uow.fiscal.set_done(job_id, fiscal, change)
    payments = job.draft.payments
    uow.outbox.emit(
        "receipt.fiscalized",
        {
            "receipt_id": job_id,
            "kind": job.kind,
            "order_id": job.order_id,
            "shipment_id": job.shipment_id,
            "refund_of": job.refund_of,
            "total": job.total,
            "payments": {"cash": payments.cash, "card": payments.card, "prepaid": payments.prepaid},
            "change": change,
            "discount": job.draft.discount,  # kopecks given off at the counter (1.1)
            "fiscal": vars(fiscal),
            "cashier": _receipt_cashier(job.draft.cashier, job.staff_id),
            # The shift's drawer by the books after this receipt: the cloud's «наличные в кассе».
            "cash_in_drawer": _drawer(uow, fiscal.shift, fiscal.fn),
            **({"payment_id": job.draft.payment_id} if job.draft.payment_id else {}),
            **({"correction": asdict(job.draft.correction)} if job.draft.correction else {}),
        },
    )
    return {"receipt_id": job_id, "fd": fiscal.fd}


def _receipt_cashier(name: str | None, staff_id: int | None) -> dict | None:
    """The cashier the receipt names (tag 1021) and the account that queued it; null if none."""
    if name is None and staff_id is None:
        return None
    return {"staff_id": staff_id, "name": name}


def _drawer(uow, shift: int | None, fn: str) -> int | None:
    return None if shift is None else current_shift_totals(uow, shift, fn)["cash_in_drawer"]


def shift_opened(
    uow,
    number: int,
    *,
    fn: str | None = None,
    by: Staff | None,
    fd: int | None,
    fp: int | None,
) -> None:
    """Also when the shift was opened elsewhere (the register's keyboard): `by` is then None.
    `fn`: the fiscal drive's serial (None: the one the books last saw); a replaced drive
    numbers its shifts from 1 again, so the number alone does not name a shift."""
    fn = uow.fiscal.current_fn() if fn is None else fn
    known = uow.fiscal.shift_row(number, fn)
    if known is not None:
        if fn and not known["fn"]:
            uow.fiscal.adopt_drive(number, fn)  # the same shift, its drive now known
        return
    stale = uow.fiscal.open_shift_key()
    if stale is not None and (stale[0] != fn or stale[1] < number):
        shift_closed(uow, stale[1], fn=stale[0], by=None, fd=None, fp=None)
    uow.fiscal.add_shift(number, fn, by, fd)
    uow.outbox.emit(
        "shift.opened",
        {"shift": number, "cashier": _cashier(by), "fiscal": {"fd": fd, "fp": fp}},
    )


def _cashier(by: Staff | None) -> dict | None:
    """Who, as the shift events carry it (null: at the register's own keyboard)."""
    return None if by is None else {"staff_id": by.id, "name": by.name}


def shift_closed(
    uow,
    number: int,
    *,
    fn: str | None = None,
    by: Staff | None,
    fd: int | None,
    fp: int | None,
    counted: int | None = None,
) -> dict:
    """`by` None: closed at the register's keyboard, or found closed. `counted`: the cash the
    person closing counted in the drawer (kopecks; None when nobody counted): the difference
    from what the books expect is kept with the shift and sent in `shift.closed`. `fn` as in
    `shift_opened`."""
    fn = uow.fiscal.current_fn() if fn is None else fn
    row = uow.fiscal.shift_row(number, fn)
    if row is not None and row["closed_at"] is not None:
        return row["totals"]
    if by is not None:
        require(uow, by, CLOSE_SHIFT, detail=f"shift {number}")
    if counted is not None:
        require_int(counted, "counted", minimum=0, maximum=MAX_DRAWER)
    if row is None:  # opened while we were not looking
        uow.fiscal.add_shift(number, fn, None, None)
    totals = contract_totals(current_shift_totals(uow, number, fn))  # the Z report's figures
    cash = cash_count(totals["cash_in_drawer"], counted)
    uow.fiscal.close_shift(number, fn, by, fd, totals, counted=counted)
    record_money(uow, by, "close_shift", totals["cash_in_drawer"], f"shift {number}")
    uow.outbox.emit(
        "shift.closed",
        {
            "shift": number,
            "cashier": _cashier(by),
            "totals": totals,
            **cash,
            "fiscal": {"fd": fd, "fp": fp},
        },
    )
    return totals


def cash_count(expected: int, counted: int | None) -> dict:
    """Expected (the books) against counted: a positive difference is a surplus (излишек), a
    negative one a shortage (недостача); both None when nobody counted."""
    return {
        "cash_expected": expected,
        "cash_counted": counted,
        "cash_difference": None if counted is None else counted - expected,
    }


def current_shift_totals(uow, number: int, fn: str | None = None) -> dict:
    repo = uow.fiscal
    return shift_totals(repo.shift_receipts(number, fn), repo.shift_cash_moves(number, fn))


def check_cash_move(uow, kind: str, amount: int) -> int:
    """Before the register is asked: a shift is open and the amount makes sense. Whether the
    drawer holds a payout is the register's to say (46h): it knows the cash carried over from
    earlier shifts and moved at its own keyboard, which these books do not."""
    if kind not in ("in", "out"):
        raise InvalidInput(f"cash moves are in or out, not {kind!r}")
    require_int(amount, "amount", minimum=1, maximum=10**10)
    shift = uow.fiscal.open_shift()
    if shift is None:
        raise InvalidTransition("no open shift: open the shift first / Откройте смену")
    return shift


def cash_moved(uow, kind: str, amount: int, *, by: Staff, register_doc: int | None) -> dict:
    """The register did it: recorded as it happened (the register's figure is the truth)."""
    require(uow, by, CASH_IN if kind == "in" else CASH_OUT, amount=amount)
    key = uow.fiscal.open_shift_key()
    if key is None:
        raise InvalidTransition("the register moved cash outside a shift the gateway knows")
    fn, shift = key
    uow.fiscal.add_cash_move(kind, amount, register_doc, by)
    record_money(uow, by, f"cash_{kind}", amount, f"shift {shift}")
    return current_shift_totals(uow, shift, fn)
