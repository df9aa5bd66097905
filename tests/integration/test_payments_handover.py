"""The handover of an order paid on the site (its receipt offsets the prepayment, tag 1215) and the
money given back (`order.refunded`, contract 1.1), through the inbox and the order services on a
real database (FISCAL.md "Web shop receipts")."""

import pytest

from gateway.domain.fiscal import (
    METHOD_ADVANCE,
    METHOD_FULL_PAYMENT,
    PREPAYMENT,
    PREPAYMENT_REFUND,
    SELL,
    SELL_REFUND,
    SUBJECT_PAYMENT,
    Payments,
)
from gateway.services.orders import ship_order
from gateway.services.refunds import refund
from tests.builders import CASHIER, MANAGER
from tests.payments_helpers import Cloud, fiscalise, jobs, make_cloud, page, rejected, rows


@pytest.fixture
def cloud(shop) -> Cloud:
    return make_cloud(shop)


# --- the handover ------------------------------------------------------------------------------


def test_the_handover_of_a_prepaid_order_offsets_the_prepayment(shop, cloud):
    cloud.order("W-1", ("A", 2), ("B", 1))
    cloud.pay("W-1", 30000)
    shipped = shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})
    handover = jobs(shop)[1]
    assert handover.id == shipped["receipt_id"] and handover.kind == SELL
    assert handover.draft.payments == Payments(prepaid=30000)  # nothing taken at the counter
    assert not handover.draft.electronic and not handover.draft.internet  # printed
    assert {i.method for i in handover.draft.items} == {METHOD_FULL_PAYMENT}
    assert handover.draft.payment_id is None


def test_a_partial_shipment_offsets_its_share_and_the_rest_later(shop, cloud):
    cloud.order("W-1", ("A", 2), ("B", 2))  # 400 ₽
    cloud.pay("W-1", 40000)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={})
    shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    first, second = jobs(shop)[1:]
    assert first.draft.payments == Payments(prepaid=10000)
    assert second.draft.payments == Payments(prepaid=30000)


def test_a_part_prepayment_leaves_the_rest_to_pay_at_pickup(shop, cloud):
    cloud.order("W-1", ("A", 3))  # 300 ₽
    cloud.pay("W-1", 12000)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={"payment": "card"})
    shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": {"cash": 20000}})
    first, second = jobs(shop)[1:]
    assert first.draft.payments == Payments(prepaid=10000)  # covered: the card is not asked
    # 200 ₽ of goods: 20 ₽ prepaid left, 180 ₽ in cash — taken exact (no change with an offset).
    assert second.draft.payments == Payments(cash=18000, prepaid=2000)
    detail = page(shop, "W-1")["payment"]
    assert (detail["online"], detail["offset"], detail["due"]) == (12000, 12000, 0)


def test_what_an_edit_added_after_a_full_payment_is_taken_at_the_counter(shop, cloud):
    """QA: paid in full on the site, then enlarged by the cloud: the handover said the rest
    was paid by card, though nothing was taken (the order's paid flag stayed set)."""
    cloud.order("W-1", ("A", 1))  # 100 ₽
    cloud.pay("W-1", 10000)
    assert shop.order("W-1").paid
    edit = {"order_id": "W-1", "version": 2, "lines": [{"line_id": "1", "sku": "A", "qty": 3}]}
    cloud.send("order.updated", edit)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 2}, receipt={"payment": "cash"})
    shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": {"cash": 20000}})
    first, second = jobs(shop)[1:]
    assert first.draft.payments == Payments(cash=10000, prepaid=10000)
    assert second.draft.payments == Payments(cash=20000)  # the prepayment is used up
    assert page(shop, "W-1")["payment"]["due"] == 0


def test_an_order_paid_at_pickup_or_by_a_v1_cloud_keeps_one_receipt(shop, cloud):
    cloud.order("W-1", ("A", 1))  # paid at pickup
    cloud.order("W-2", ("A", 1), paid=True)  # contract v1: paid, but no order.paid
    shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": {"cash": 15000}})
    shop.run(ship_order, "W-2", by=CASHIER, receipt={"payment": "cash"})
    at_pickup, v1 = jobs(shop)
    assert (at_pickup.kind, at_pickup.draft.payments) == (SELL, Payments(cash=15000))
    assert (v1.kind, v1.draft.payments) == (SELL, Payments(card=10000))


def test_goods_of_an_offset_handover_are_refunded_electronically(shop, cloud):
    cloud.order("W-1", ("A", 2))
    cloud.pay("W-1", 15000)  # a part: 50 ₽ to pay at pickup
    shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})
    handover = jobs(shop)[1]
    assert handover.draft.payments == Payments(cash=5000, prepaid=15000)
    fiscalise(shop, handover.id, fd=20)
    first = shop.run(refund, handover.id, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    second = shop.run(refund, handover.id, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    back = {job.id: job.draft.payments for job in jobs(shop)}
    assert back[first["receipt_id"]] == Payments(card=10000)  # what was paid on the site
    assert back[second["receipt_id"]] == Payments(cash=5000, card=5000)


# --- order.refunded ------------------------------------------------------------------------------


def test_a_cancel_after_payment_refunds_the_prepayment_to_the_same_contact(shop, cloud):
    cloud.order("W-1", ("A", 2), ("B", 1))
    cloud.pay("W-1", 30000)
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    assert len(jobs(shop)) == 1  # a cancel alone gives no money back
    answer = cloud.refund("W-1", 30000)
    assert answer["outcome"] == "applied"
    prepayment, back = jobs(shop)
    assert (back.kind, back.draft.operation, back.refund_of) == (
        PREPAYMENT_REFUND, SELL_REFUND, prepayment.id,
    )  # fmt: skip
    assert back.draft.items == prepayment.draft.items  # the whole of it: the same items
    assert (back.draft.contact, back.draft.electronic, back.draft.internet) == (
        "anna@example.ru", True, True,
    )  # fmt: skip
    assert (back.draft.payments, back.draft.payment_id) == (Payments(card=30000), "pay-1")
    assert rows(shop, "SELECT refunded FROM order_payment") == [(30000,)]
    assert shop.order("W-1").paid is False
    # The same refund again under another message id: nothing more.
    assert cloud.refund("W-1", 30000)["duplicate"] is True and len(jobs(shop)) == 2


def test_a_part_refund_is_an_advance_refund_split_like_the_prepayment(shop, cloud):
    cloud.order("W-1", ("A", 3), ("B", 2))  # 300 ₽ at 22 %, 200 ₽ at 10 %
    cloud.pay("W-1", 50000)
    cloud.refund("W-1", 10001)
    back = jobs(shop)[1]
    assert [(i.name, i.price, i.vat, i.subject, i.method) for i in back.draft.items] == [
        ("Предоплата по заказу №W-1", 6001, "vat122", SUBJECT_PAYMENT, METHOD_ADVANCE),
        ("Предоплата по заказу №W-1", 4000, "vat110", SUBJECT_PAYMENT, METHOD_ADVANCE),
    ]
    assert back.draft.payments == Payments(card=10001)
    assert cloud.refund("W-1", 39999, at="2026-11-29T09:00:00Z")["outcome"] == "applied"
    assert rejected(shop) == []
    assert cloud.refund("W-1", 1, at="2026-11-30T09:00:00Z")["reason"] == "payment_not_applicable"


def test_the_rest_of_a_full_prepayment_is_refunded_as_the_goods_themselves(shop, cloud):
    """QA: a 100 % prepayment, one line handed over, the rest cancelled and its money given
    back: the refund was an «аванс» (1214 = 3) split over both VAT rates, not the goods."""
    cloud.order("W-1", ("A", 1), ("B", 2))  # 100 ₽ at 22 %, 200 ₽ at 10 %
    cloud.pay("W-1", 30000)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={})
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    assert cloud.refund("W-1", 20000)["outcome"] == "applied"
    prepayment, _, back = jobs(shop)
    assert back.draft.items == (prepayment.draft.items[1],)  # B, 2 pieces, 1214 = 1, 10 %
    assert back.draft.payments == Payments(card=20000)


def test_what_was_offset_at_a_handover_cannot_be_refunded_as_a_prepayment(shop, cloud):
    cloud.order("W-1", ("A", 2))
    cloud.pay("W-1", 20000)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={})
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    answer = cloud.refund("W-1", 20000)
    assert answer["reason"] == "payment_not_applicable"
    [(_, words)] = rejected(shop)
    assert "more than is left of it to give back (100.00 ₽" in words
    assert cloud.refund("W-1", 10000)["outcome"] == "applied"
    assert [job.kind for job in jobs(shop)] == [PREPAYMENT, SELL, PREPAYMENT_REFUND]


def test_a_refund_of_an_unknown_payment_is_rejected(shop, cloud):
    cloud.order("W-1", ("A", 1))
    cloud.pay("W-1", 10000)
    assert cloud.refund("W-1", 100, payment_id="pay-404")["reason"] == "payment_not_applicable"
    assert cloud.refund("W-2", 100)["reason"] == "payment_not_applicable"  # not this order's
    assert len(jobs(shop)) == 1
