"""The back-office simulator's web shop paying on the site (contract 1.1), without a broker."""

import random

from simulators.backoffice.shop import WebShop, make_catalog


def shop(pay_online: float) -> WebShop:
    return WebShop(make_catalog(3, 2), random.Random(7), pay_online=pay_online)


def test_a_share_of_the_orders_is_paid_on_the_site_for_its_total():
    web = shop(0.5)
    orders = [web.order({sku: 5 for sku in web.prices}) for _ in range(200)]
    payments = [web.payment(order) for order in orders]
    paid = [p for p in payments if p is not None]
    assert 60 < len(paid) < 140  # about half
    for order, payment in zip(orders, payments, strict=True):
        assert order["paid"] is False  # paid at pickup, unless order.paid says otherwise
        if payment is None:
            continue
        assert payment["order_id"] == order["order_id"]
        assert payment["amount"] == sum(li["qty"] * li["price"] for li in order["lines"])
        assert payment["paid_at"].endswith("Z") and "T" in payment["paid_at"]


def test_none_is_paid_online_at_zero_and_every_one_at_one():
    nobody, everybody = shop(0.0), shop(1.0)
    page = {sku: 5 for sku in nobody.prices}
    assert all(nobody.payment(nobody.order(page)) is None for _ in range(20))
    assert all(everybody.payment(everybody.order(page)) for _ in range(20))


def test_a_cancelled_paid_order_gets_its_payment_back_once():
    web = shop(1.0)
    order = web.order({sku: 5 for sku in web.prices})
    payment = web.payment(order)
    back = web.refund(order["order_id"])
    assert (back["payment_id"], back["amount"]) == (payment["payment_id"], payment["amount"])
    assert web.refund(order["order_id"]) is None  # given back already
    assert web.refund("W-unpaid") is None
