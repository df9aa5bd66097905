"""A refund receipt (возврат прихода) at the desk for some or all of a fiscalised sale: money
back the way it came, the goods back on the shelf, the order's history told (issue 4's receipts
are fiscal.py's)."""

from typing import Any

from gateway.domain.errors import InvalidTransition, NotFound
from gateway.domain.fiscal import DONE, PREPAYMENT, SELL, SELL_REFUND, ReceiptDraft, ReceiptItem
from gateway.domain.refunds import refund_items, refund_payments
from gateway.domain.staff import REFUND, Staff
from gateway.domain.validation import require_dict

from .fiscal import queued_answer
from .idempotency import run_once
from .orders import refill
from .permissions import record_money, require
from .stock import change_on_hand


def refund(uow, receipt_id: int, data: Any, *, by: Staff, idem_key: str | None = None) -> dict:
    """A refund receipt (возврат прихода) for some or all of a fiscalised sale. `data`:
    {"items": [{"sku", "qty"} | {"sku", "marking_codes"}] (absent: all not yet refunded),
    "restock": true}. Money goes back the way it came; returned goods go back on the shelf."""

    def do_refund() -> dict:
        original = uow.fiscal.job(receipt_id)
        if original is not None and original.kind == PREPAYMENT:
            # Paid on the site: the money goes back there, and the cloud sends order.refunded
            # with its refund receipt. The register here has nothing to give back.
            raise InvalidTransition(
                f"receipt {receipt_id} is a prepayment on the site: it is refunded on the site"
                " / предоплату на сайте возвращают на сайте",
                reason="refund_on_site",
            )
        if original is None or original.kind != SELL:
            raise NotFound(f"sell receipt {receipt_id} not found")
        if original.state != DONE:
            raise InvalidTransition(
                f"receipt {receipt_id} is not fiscalised yet ({original.state}): nothing to refund"
            )
        body = require_dict(data if data is not None else {}, "refund")
        refunded = uow.fiscal.refunded_counts(receipt_id)
        items = refund_items(original.draft.items, refunded, body.get("items"))
        total = sum(item.amount for item in items)
        # What the buyer paid on the site (offset at the handover, tag 1215) goes back
        # electronically like a card payment, never out of the drawer.
        paid = original.draft.payments
        card_left = paid.card + paid.prepaid - uow.fiscal.refunded_card(receipt_id)
        payments = refund_payments(card_left, total)
        detail = f"receipt {receipt_id}"
        require(uow, by, REFUND, detail=detail, amount=total)
        contact = original.draft.contact
        draft = ReceiptDraft(SELL_REFUND, tuple(items), payments, contact, by.name, by.inn)
        job_id = uow.fiscal.add_job(draft, order_id=original.order_id, refund_of=receipt_id, by=by)
        record_money(uow, by, "refund", total, detail)
        restock = bool(body.get("restock", True))
        if restock:
            _restock(uow, items, job_id, by)
        if original.order_id is not None:
            _order_refunded(uow, original.order_id, receipt_id, job_id, draft, restock, by)
        return queued_answer(job_id, draft)

    return run_once(uow, idem_key, "refund", do_refund)


def _order_refunded(
    uow,
    order_id: str,
    receipt_id: int,
    job_id: int,
    draft: ReceiptDraft,
    restock: bool,
    by: Staff,
) -> None:
    """The order's history says what went back, for how much, how and who did it."""
    pieces: dict[str, list] = {}
    for item in draft.items:
        pieces.setdefault(item.sku, [item.name, 0])[1] += item.qty
    uow.orders.record(
        order_id,
        "receipt_refund",
        by,
        receipt_id=job_id,
        refund_of=receipt_id,
        amount=draft.total,
        cash=draft.payments.cash,
        card=draft.payments.card,
        items=[{"sku": sku, "name": name, "qty": qty} for sku, (name, qty) in pieces.items()],
        restock=restock,
        **({"approved_by": by.approved_by.name} if by.approved_by else {}),
    )


def _restock(uow, items: list[ReceiptItem], job_id: int, by: Staff) -> None:
    back: dict[str, int] = {}
    for item in items:
        back[item.sku] = back.get(item.sku, 0) + item.qty
    moved = []
    for sku, qty in back.items():
        on_hand = change_on_hand(uow, sku, qty, reason="return", ref_id=f"receipt/{job_id}", by=by)
        moved.append({"sku": sku, "delta": qty, "on_hand": on_hand})
    uow.outbox.emit(
        "stock.adjusted",
        {"reason": "return", "items": moved, **by.event, "receipt_id": job_id},
    )
    refill(uow, back, by)
