"""Payments on the web shop's site, end to end (issue 11, contract 1.1): the back-office
simulator sends `order.paid` / `order.refunded` over a real Mosquitto to the gateway, whose
fiscal worker prints on the register simulator. What counts is the register's archive: one
electronic prepayment receipt per payment (1214 = 1, 1125 = 1, 1187 = the site, 1008 = the
buyer, never on the paper), a printed «полный расчёт» at the handover paid by the prepayment
(1215 = FF45h sum 14), one refund of it after a cancel; and the refusals the cloud must act on."""

import time

import pytest

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.staff import CASHIER
from simulators.backoffice.cloud import Cloud
from tests.payments_e2e import (
    ADVANCE,
    FULL_PAYMENT,
    FULL_PREPAYMENT,
    SALE,
    SALE_RETURN,
    STORE,
    applied_through,
    assert_online,
    cloud_receipts,
    gateway_toml,
    order,
    paper_receipts,
    pay,
    receipts,
    seed,
    ship,
    sums,
    wait_receipts,
    wait_until,
)
from tests.signin import CASHIER_PIN, add_person, signed_in_client


@pytest.fixture
def shop(tmp_path, sim, broker):
    """(gateway, the cashier's API client, cloud), linked and seeded through the cloud."""
    (tmp_path / "gateway.toml").write_text(
        gateway_toml(tmp_path, broker.url, sim.slave_path), encoding="utf-8"
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    cloud = Cloud(broker.url, STORE, gap_timeout=0.5)
    cloud.start()
    assert cloud.wait_connected(10)
    # A first session holds no messages: the cloud sends once the gateway's link is up.
    wait_until(lambda: gateway.link.snapshot()["state"] == "connected", "the gateway's link")
    seed(cloud)
    anna = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN, inn="500100732259")
    with signed_in_client(gateway.web_app(), anna, CASHIER_PIN) as client:
        yield gateway, client, cloud
    cloud.stop()
    gateway.stop()


# --- paid on the site, handed over ---------------------------------------------------------------


def test_a_payment_on_the_site_is_one_electronic_receipt_and_the_handover_offsets_it(shop, sim):
    gateway, client, cloud = shop
    total = order(cloud, "W-1", ("MUG", 2, 45000), ("CAP", 1, 30000))
    pay(cloud, "W-1", total, "pay-1")
    [prepayment] = wait_receipts(sim, 1)
    assert_online(prepayment, SALE, total)
    assert [(i["name"], i["payment_method"], i["amount"]) for i in prepayment["items"]] == [
        ("Кружка", FULL_PREPAYMENT, 90000),
        ("Кепка", FULL_PREPAYMENT, 30000),
    ]
    assert paper_receipts(sim) == 0  # electronic only: nothing on the paper
    [event] = cloud_receipts(cloud, 1)
    assert (event["kind"], event["payment_id"], event["order_id"]) == ("prepayment", "pay-1", "W-1")
    assert event["fiscal"]["fd"] == prepayment["fd"]

    ship(client, "W-1", receipt={})  # paid in full: the desk asks no money
    handover = wait_receipts(sim, 2)[1]
    assert (handover["op_type"], handover["total"], handover["printed"]) == (SALE, total, True)
    assert {i["payment_method"] for i in handover["items"]} == {FULL_PAYMENT}
    assert handover["prepaid"] == handover["1215"] == prepayment["total"]  # FF45h sum 14
    assert sums(handover) == {"prepayment": total}
    assert paper_receipts(sim) == 1  # the handover is printed for the buyer
    offset = cloud_receipts(cloud, 2)[1]
    assert (offset["kind"], offset["payments"]) == (
        "sell",
        {"cash": 0, "card": 0, "prepaid": total},
    )
    assert cloud.receipts == {"prepayment": 1, "sell": 1}  # the back-office's own records
    assert cloud.rejected == []


def test_a_part_payment_and_a_partial_shipment_offset_their_share(shop, sim):
    gateway, client, cloud = shop
    order(cloud, "W-2", ("MUG", 2, 45000), ("CAP", 1, 30000))  # 1 200 ₽
    pay(cloud, "W-2", 60000, "pay-2")  # half of it: an advance per VAT rate
    [advance] = wait_receipts(sim, 1)
    assert_online(advance, SALE, 60000)
    assert [(i["payment_method"], i["payment_object"], i["vat"], i["amount"])
            for i in advance["items"]] == [(ADVANCE, 10, "22/122", 45000),
                                           (ADVANCE, 10, "10/110", 15000)]  # fmt: skip
    ship(client, "W-2", lines={"1": 1}, receipt={})  # one mug: covered by the prepayment
    first = wait_receipts(sim, 2)[1]
    assert (first["total"], first["prepaid"], sums(first)) == (45000, 45000, {"prepayment": 45000})
    ship(client, "W-2", receipt={"payment": "cash"})  # the rest: 150 ₽ prepaid, 600 ₽ cash
    rest = wait_receipts(sim, 3)[2]
    assert (rest["total"], rest["prepaid"]) == (75000, 15000)
    assert sums(rest) == {"cash": 60000, "prepayment": 15000}
    assert paper_receipts(sim) == 2


def test_a_marked_product_is_prepaid_without_its_code(shop, sim):
    """1214 = 1 with 1212 = 32 («ТМ»: a marked product, no code yet; scanned at the handover)."""
    gateway, client, cloud = shop
    total = order(cloud, "W-7", ("SHOE", 1, 500000))
    pay(cloud, "W-7", total, "pay-7")

    def states() -> list[str]:
        return [
            r[0]
            for r in gateway.read(lambda c: c.execute("SELECT state FROM receipt_job").fetchall())
        ]

    wait_until(lambda: states() and set(states()) <= {"done", "failed"}, "the receipt job settled")
    assert states() == ["done"]
    [prepayment] = wait_receipts(sim, 1)
    assert_online(prepayment, SALE, total)
    [item] = prepayment["items"]
    assert (item["payment_method"], item["payment_object"], item["marking_code"]) == (
        FULL_PREPAYMENT, 32, None,
    )  # fmt: skip


def test_an_order_paid_at_pickup_keeps_one_receipt(shop, sim):
    gateway, client, cloud = shop
    order(cloud, "W-3", ("CAP", 1, 30000))
    ship(client, "W-3", receipt={"payment": "card"})
    [sold] = wait_receipts(sim, 1)
    assert (sold["total"], sold["prepaid"], sold["printed"], sums(sold)) == (
        30000, 0, True, {"electronic": 30000},
    )  # fmt: skip
    assert {i["payment_method"] for i in sold["items"]} == {FULL_PAYMENT}
    assert "1125" not in sold["tlv"]


# --- cancelled and refunded ----------------------------------------------------------------------


def test_a_cancel_after_payment_gives_one_refund_of_the_prepayment(shop, sim):
    gateway, client, cloud = shop
    total = order(cloud, "W-4", ("MUG", 1, 45000))
    pay(cloud, "W-4", total, "pay-4")
    [prepayment] = wait_receipts(sim, 1)
    cloud.send("order.cancelled", {"order_id": "W-4", "reason": "customer"})
    wait_until(lambda: cloud.orders.get("W-4") == "cancelled", "W-4 cancelled")
    cloud.send("order.refunded", {"order_id": "W-4", "payment_id": "pay-4", "amount": total,
                                  "refunded_at": "2026-11-28T09:00:00Z"})  # fmt: skip
    back = wait_receipts(sim, 2)[1]
    assert_online(back, SALE_RETURN, total)
    same = ("name", "price", "quantity", "payment_method", "payment_object", "vat")
    assert [[i[k] for k in same] for i in back["items"]] == [
        [i[k] for k in same] for i in prepayment["items"]
    ]
    event = cloud_receipts(cloud, 2)[1]
    assert (event["kind"], event["payment_id"]) == ("prepayment_refund", "pay-4")
    assert event["refund_of"] == cloud_receipts(cloud, 1)[0]["receipt_id"]
    assert paper_receipts(sim) == 0
    assert cloud.receipted_payments == {"pay-4": ["prepayment", "prepayment_refund"]}


# --- once, and refused ---------------------------------------------------------------------------


def test_the_same_payment_twice_is_one_receipt(shop, sim):
    gateway, client, cloud = shop
    total = order(cloud, "W-5", ("CAP", 2, 30000))
    first = pay(cloud, "W-5", total, "pay-5")
    cloud.send_envelope(first)  # the very message again (a redelivery)
    pay(cloud, "W-5", total, "pay-5")  # the cloud's retry: a new message id, the same payment
    wait_receipts(sim, 1)
    wait_until(lambda: applied_through(gateway) == first["seq"] + 1, "both messages applied")
    time.sleep(0.5)
    assert len(receipts(sim)) == 1 and cloud.rejected == []


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("unknown", "order W-404 is unknown"),
        ("cancelled", "order W-6 is cancelled"),
        ("overpaid", "more than is still owed"),
    ],
)
def test_a_payment_the_shop_cannot_take_is_rejected_for_the_cloud_to_return(
    shop, sim, case, detail
):
    gateway, client, cloud = shop
    total = order(cloud, "W-6", ("MUG", 1, 45000))
    if case == "cancelled":
        cloud.send("order.cancelled", {"order_id": "W-6", "reason": "customer"})
    sent = pay(cloud, "W-404" if case == "unknown" else "W-6", total + (case == "overpaid"), "p6")
    wait_until(lambda: cloud.rejected, "message.rejected")
    [refused] = cloud.rejected
    assert (refused["ref_id"], refused["reason"]) == (sent["id"], "payment_not_applicable")
    assert detail in refused["detail"]
    time.sleep(0.5)
    assert receipts(sim) == []
