"""Money paid on the web shop's site (contract 1.1): `order.paid` queues the prepayment receipt
at once, `order.refunded` the refund of it, each in the transaction that records the payment
(FISCAL.md "Web shop receipts"). Both receipts go to the buyer electronically only, as an
Internet settlement. What cannot be receipted is refused with `payment_not_applicable`: the
cloud took money the shop cannot account for and must give it back."""

from dataclasses import replace
from typing import Any

from gateway.domain.fiscal import (
    METHOD_ADVANCE,
    PREPAYMENT,
    PREPAYMENT_REFUND,
    Payments,
    ReceiptDraft,
    buyer_contact,
)
from gateway.domain.orders import CANCELLED, SHIPPED, Order
from gateway.domain.payments import (
    advance_items,
    advance_name,
    full_prepayment_items,
    not_applicable,
    parse_order_paid,
    parse_order_refunded,
    vat_weights,
)
from gateway.domain.staff import CLOUD

from .receipts import order_goods


def _rub(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d} ₽"


def order_paid(uow, data: Any, msg_id: str | None = None) -> dict:
    """The buyer paid `amount` for an order on the site. The same payment id again changes
    nothing (whatever the repeat says): one payment, one receipt."""
    payment = parse_order_paid(data)
    known = uow.payments.get(payment.payment_id)
    if known is not None:
        return {"payment_id": known.payment_id, "receipt_id": known.receipt_id, "duplicate": True}
    order = _payable_order(uow, payment.order_id)
    contact = buyer_contact(order.customer.email, order.customer.phone)
    if contact is None:
        raise not_applicable(
            f"order {order.number} has no usable e-mail or phone: a receipt for a payment on the"
            " site must be sent to the buyer"
        )
    goods = order_goods(uow, order, open_only=True)
    open_total = sum(item.amount for item in goods)
    money = uow.payments.money(order.order_id)
    paid_before = money.paid - money.refunded
    owed = sum(item.amount for item in order_goods(uow, order)) - paid_before - money.taken
    if payment.amount > owed:
        raise not_applicable(
            f"payment {_rub(payment.amount)} for order {order.number} is more than is still owed"
            f" ({_rub(max(owed, 0))})"
        )
    if paid_before == 0 and payment.amount == owed == open_total:
        items = full_prepayment_items(goods)  # the whole order, item by item
    else:
        items = advance_items(payment.amount, vat_weights(goods), advance_name(order.number))
    draft = ReceiptDraft(
        PREPAYMENT,
        items,
        Payments(card=payment.amount),
        contact,
        electronic=True,
        internet=True,
        payment_id=payment.payment_id,
    )
    receipt_id = uow.fiscal.add_job(draft, order_id=order.order_id, by=CLOUD)
    uow.payments.add(payment, receipt_id, msg_id)
    fully_paid = payment.amount == owed
    if fully_paid:
        uow.payments.set_paid(order.order_id, True)
    uow.orders.record(
        order.order_id,
        "paid",
        CLOUD,
        ref=payment.payment_id,
        amount=payment.amount,
        method=payment.method,
        receipt_id=receipt_id,
        fully_paid=fully_paid,
    )
    return {"payment_id": payment.payment_id, "receipt_id": receipt_id, "paid": fully_paid}


def _payable_order(uow, order_id: str) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise not_applicable(f"order {order_id} is unknown to this shop")
    if order.status == CANCELLED or order.cancel_reason is not None:
        raise not_applicable(f"order {order.number} is cancelled")
    if order.status == SHIPPED:
        raise not_applicable(f"order {order.number} is already handed over")
    return order


def order_refunded(uow, data: Any, msg_id: str | None = None) -> dict:
    """Money of a payment went back to the buyer: the refund receipt (возврат прихода) of the
    prepayment, to the same contact. Only what of the payment was neither given back before
    nor offset against goods handed over can be refunded (a handed-over item is refunded by
    the shop, from the handover receipt). The same refund (payment, amount, time) again
    changes nothing."""
    refund = parse_order_refunded(data)
    payment = uow.payments.get(refund.payment_id)
    if payment is None or payment.order_id != refund.order_id:
        raise not_applicable(
            f"payment {refund.payment_id} of order {refund.order_id} is unknown to this shop"
        )
    known = uow.payments.refund_known(refund)
    if known is not None:
        return {"payment_id": payment.payment_id, "receipt_id": known, "duplicate": True}
    money = uow.payments.money(payment.order_id)
    refundable = min(payment.amount - payment.refunded, money.unused_prepayment)
    if refund.amount > refundable:
        raise not_applicable(
            f"refund {_rub(refund.amount)} of payment {payment.payment_id} is more than is left"
            f" of it to give back ({_rub(max(refundable, 0))}: the rest was given back already"
            " or paid for goods handed over)"
        )
    prepayment = uow.fiscal.job(payment.receipt_id)
    if refund.amount == payment.amount:
        items = prepayment.draft.items  # all of it: the prepayment receipt's own items
    elif goods := _goods_not_handed_over(uow, payment, prepayment.draft, refund.amount):
        items = goods  # exactly the goods left of a 100 % prepayment: themselves, 1214 = 1
    else:
        name = prepayment.draft.items[0].name if _is_advance(prepayment.draft) else None
        order = uow.orders.get(payment.order_id)
        items = advance_items(
            refund.amount,
            vat_weights(prepayment.draft.items),
            name or advance_name(order.number),
        )
    draft = ReceiptDraft(
        PREPAYMENT_REFUND,
        tuple(items),
        Payments(card=refund.amount),
        prepayment.draft.contact,
        electronic=True,
        internet=True,
        payment_id=payment.payment_id,
    )
    receipt_id = uow.fiscal.add_job(
        draft, order_id=payment.order_id, refund_of=payment.receipt_id, by=CLOUD
    )
    uow.payments.add_refund(refund, receipt_id, msg_id)
    _unpaid_if_short(uow, payment.order_id)
    uow.orders.record(
        payment.order_id,
        "refunded",
        CLOUD,
        ref=refund.payment_id,
        amount=refund.amount,
        receipt_id=receipt_id,
    )
    return {"payment_id": payment.payment_id, "receipt_id": receipt_id}


def _goods_not_handed_over(uow, payment, draft: ReceiptDraft, amount: int) -> tuple | None:
    """The items of a 100 % prepayment less what was handed over since, if they come to
    `amount` exactly (QA: the goods of a cancelled rest refunded as an «аванс» split by VAT,
    under a payment method the prepayment never had). None: refunded as an advance instead."""
    if _is_advance(draft) or payment.refunded:
        return None
    shipped: dict[str, int] = {}
    for line in uow.orders.get(payment.order_id).lines:
        shipped[line.sku] = shipped.get(line.sku, 0) + line.qty_shipped
    left = []
    for item in draft.items:
        handed = min(item.qty, shipped.get(item.sku, 0))
        shipped[item.sku] = shipped.get(item.sku, 0) - handed
        if item.qty > handed:
            left.append(replace(item, qty=item.qty - handed))
    return tuple(left) if left and sum(item.amount for item in left) == amount else None


def _is_advance(draft: ReceiptDraft) -> bool:
    return bool(draft.items) and draft.items[0].method == METHOD_ADVANCE


def _unpaid_if_short(uow, order_id: str) -> None:
    """After money went back the order may no longer be paid in full."""
    order = uow.orders.get(order_id)
    money = uow.payments.money(order_id)
    owed = sum(item.amount for item in order_goods(uow, order)) - money.taken
    kept = money.paid - money.refunded
    if kept <= 0 or kept < owed:
        uow.payments.set_paid(order_id, False)
