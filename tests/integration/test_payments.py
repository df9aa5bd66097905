"""Payments made on the site (contract 1.1 `order.paid`) through the inbox on a real database: the
prepayment receipt queued with the payment, once per payment, item by item or as an advance, and
everything the shop must refuse (FISCAL.md "Web shop receipts"); and the order screen's view of
the money. The handover and the money given back: test_payments_handover.py."""

import sqlite3

import pytest

from gateway.domain.fiscal import (
    METHOD_ADVANCE,
    METHOD_FULL_PREPAYMENT,
    PREPAYMENT,
    PREPAYMENT_REFUND,
    SELL,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    SUBJECT_PAYMENT,
    Payments,
)
from tests.payments_helpers import Cloud, fiscalise, jobs, make_cloud, page, rejected, rows


@pytest.fixture
def cloud(shop) -> Cloud:
    return make_cloud(shop)


# --- order.paid --------------------------------------------------------------------------------


def test_a_payment_of_the_whole_order_queues_one_electronic_prepayment_receipt(shop, cloud):
    cloud.order("W-1", ("A", 2), ("B", 1))  # the order's prices: 100 ₽ a piece (builders)
    answer = cloud.pay("W-1", 30000)
    assert answer["outcome"] == "applied" and answer["paid"] is True
    [job] = jobs(shop)
    draft = job.draft
    assert (job.kind, draft.operation, job.order_id, job.state) == (
        PREPAYMENT,
        SELL,
        "W-1",
        "queued",
    )
    assert (draft.electronic, draft.internet, draft.payment_id) == (True, True, "pay-1")
    assert draft.contact == "anna@example.ru"
    assert draft.payments == Payments(card=30000)
    assert [(i.sku, i.price, i.qty, i.vat, i.subject, i.method) for i in draft.items] == [
        ("A", 10000, 2, "vat22", SUBJECT_GOODS, METHOD_FULL_PREPAYMENT),
        ("B", 10000, 1, "vat10", SUBJECT_GOODS, METHOD_FULL_PREPAYMENT),
    ]
    assert shop.order("W-1").paid is True
    stored = "SELECT payment_id, order_id, amount, method, receipt_id, refunded FROM order_payment"
    assert rows(shop, stored) == [("pay-1", "W-1", 30000, "card_online", job.id, 0)]
    assert rejected(shop) == []


def test_a_marked_product_is_prepaid_without_its_code(shop, cloud):
    cloud.order("W-1", ("M", 2))
    cloud.pay("W-1", 20000)  # the order's price (builders: 100 ₽ a line)
    [job] = jobs(shop)
    [item] = job.draft.items
    assert (item.sku, item.qty, item.subject, item.method, item.marking_code) == (
        "M", 2, SUBJECT_MARKED, METHOD_FULL_PREPAYMENT, None,
    )  # fmt: skip


def test_the_same_payment_twice_is_one_receipt(shop, cloud):
    cloud.order("W-1", ("A", 1))
    first = cloud.pay("W-1", 10000, msg_id="paid-1")
    assert cloud.pay("W-1", 10000, msg_id="paid-1")["outcome"] == "duplicate"  # redelivered
    again = cloud.pay("W-1", 10000, msg_id="paid-again")  # the cloud's retry, a new message id
    assert again["outcome"] == "applied" and again["duplicate"] is True
    assert again["receipt_id"] == first["receipt_id"]
    assert len(jobs(shop)) == 1 and rejected(shop) == []
    assert rows(shop, "SELECT count(*) FROM order_payment") == [(1,)]


def test_the_database_holds_one_prepayment_receipt_per_payment(shop, cloud):
    cloud.order("W-1", ("A", 1))
    cloud.pay("W-1", 10000)
    [job] = jobs(shop)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        shop.run(lambda uow: uow.fiscal.add_job(job.draft, order_id="W-1"))


def test_a_part_payment_is_an_advance_split_over_the_vat_rates(shop, cloud):
    cloud.order("W-1", ("A", 3), ("B", 2))  # 300 ₽ at 22 %, 200 ₽ at 10 % (builders' prices)
    assert cloud.pay("W-1", 10001)["paid"] is False
    [job] = jobs(shop)
    items = job.draft.items
    assert [(i.sku, i.name, i.price, i.qty, i.vat, i.subject, i.method) for i in items] == [
        ("", "Предоплата по заказу №W-1", 6001, 1, "vat122", SUBJECT_PAYMENT, METHOD_ADVANCE),
        ("", "Предоплата по заказу №W-1", 4000, 1, "vat110", SUBJECT_PAYMENT, METHOD_ADVANCE),
    ]  # fmt: skip
    assert job.draft.payments == Payments(card=10001) and shop.order("W-1").paid is False
    # The rest of it: an advance too (the first part was not itemised), and now it is paid.
    assert cloud.pay("W-1", 39999, payment_id="pay-2")["paid"] is True
    second = jobs(shop)[1]
    assert [(i.price, i.vat, i.method) for i in second.draft.items] == [
        (23999, "vat122", METHOD_ADVANCE),
        (16000, "vat110", METHOD_ADVANCE),
    ]
    assert shop.order("W-1").paid is True


@pytest.mark.parametrize(
    ("setup", "payment", "detail"),
    [
        (lambda c: None, ("W-404", 10000), "order W-404 is unknown to this shop"),
        (
            lambda c: c.send("order.cancelled", {"order_id": "W-1", "reason": "customer"}),
            ("W-1", 10000),
            "order W-1 is cancelled",
        ),
        (lambda c: None, ("W-1", 20001), "is more than is still owed (200.00 ₽)"),
        (lambda c: c.pay("W-1", 15000, "pay-0"), ("W-1", 5001), "still owed (50.00 ₽)"),
    ],
    ids=["unknown", "cancelled", "overpaid", "overpaid-after-a-part"],
)
def test_a_payment_the_shop_cannot_take_is_rejected_for_the_cloud_to_return(
    shop, cloud, setup, payment, detail
):
    cloud.order("W-1", ("A", 2))
    setup(cloud)
    before = len(jobs(shop))
    answer = cloud.pay(*payment)
    assert answer == {"outcome": "rejected", "reason": "payment_not_applicable"}
    [(reason, words)] = rejected(shop)
    assert reason == "payment_not_applicable" and detail in words
    assert len(jobs(shop)) == before
    assert rows(shop, "SELECT count(*) FROM order_payment WHERE payment_id = 'pay-1'") == [(0,)]


def test_a_payment_for_an_order_without_a_contact_is_rejected(shop, cloud):
    cloud.order("W-1", ("A", 1), customer={"name": "Иван", "email": "not an e-mail"})
    assert cloud.pay("W-1", 10000)["reason"] == "payment_not_applicable"
    [(_, words)] = rejected(shop)
    assert "no usable e-mail or phone" in words and jobs(shop) == []


def test_a_payment_with_a_bad_body_is_invalid(shop, cloud):
    cloud.order("W-1", ("A", 1))
    assert cloud.pay("W-1", 10000, data={"method": "cash"})["reason"] == "invalid"
    assert jobs(shop) == []


# --- the order screen ----------------------------------------------------------------------------


def test_the_order_screen_shows_the_money_paid_on_the_site(shop, cloud):
    cloud.order("W-1", ("A", 3))
    cloud.pay("W-1", 12000)
    [prepayment] = jobs(shop)
    fiscalise(shop, prepayment.id, fd=7)
    payment = page(shop, "W-1")["payment"]
    assert (payment["online"], payment["total"], payment["due"]) == (12000, 30000, 18000)
    [paid] = payment["payments"]
    assert (paid["payment_id"], paid["amount"], paid["method"], paid["refunded"]) == (
        "pay-1", 12000, "card_online", 0,
    )  # fmt: skip
    assert (paid["receipt"]["receipt_id"], paid["receipt"]["state"], paid["receipt"]["fd"]) == (
        prepayment.id, "done", 7,
    )  # fmt: skip
    cloud.refund("W-1", 2000)
    payment = page(shop, "W-1")["payment"]
    assert (payment["online"], payment["due"]) == (10000, 20000)
    [back] = payment["payments"][0]["refunds"]
    assert (back["amount"], back["state"], back["fd"]) == (2000, "queued", None)
    kinds = [r["kind"] for r in page(shop, "W-1")["receipts"]]
    assert kinds == [PREPAYMENT, PREPAYMENT_REFUND]
    history = [h["text"] for h in page(shop, "W-1")["history"]]
    assert "Оплачено на сайте: 120 ₽" in history[-2] and "Возврат на сайте: 20 ₽" in history[-1]
