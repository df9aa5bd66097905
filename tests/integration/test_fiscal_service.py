"""The fiscal service against a real database (issue 4): receipt jobs queued with shipments and
counter sales, refunds, the worker's durable steps, shifts and the cash drawer
(FISCAL.md 3, MQTT-CONTRACT `receipt.fiscalized`, `stock.adjusted`, `order.shipped`)."""

from contextlib import closing

import pytest

from gateway.adapters.fiscal.worker import MAX_SEND_ATTEMPTS
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.queries import FAILED_COUNT, failed_receipts
from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    DONE,
    FAILED,
    QUEUED,
    SELL,
    SELL_REFUND,
    SENDING,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    Fiscalised,
    Payments,
)
from gateway.services.fiscal import (
    cash_moved,
    check_cash_move,
    counter_sale,
    receipt_failed,
    receipt_fiscalised,
    receipt_requeued,
    receipt_sending,
    refund,
    retry_receipt,
    shift_closed,
    shift_opened,
)
from gateway.services.orders import create_order, ship_order
from tests.builders import CASHIER, MANAGER, hire, order, product, variant

GS = "\x1d"
CRYPTO = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd=="
FN = "7380440700076549"


def code(serial: str) -> str:
    return f"0104601234567893215{serial}{GS}91EE11{GS}92{CRYPTO}"


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def staff(shop):
    """Refunds and cash moves are audited: the audit names staff rows."""
    shop.run(hire)


def marked_goods(shop, sku="M", price=50000, on_hand=5):
    shop.load_catalog(product(f"P-{sku}", [variant(sku, price)], [], marked=True))
    shop.stock(**{sku: on_hand})


def job(shop, job_id):
    with shop.db.transaction() as uow:
        return uow.fiscal.job(job_id)


def all_jobs(shop):
    with closing(shop.db.reader()) as conn:
        return [
            tuple(r) for r in conn.execute("SELECT id, kind, state FROM receipt_job ORDER BY id")
        ]


def ledger(shop, sku):
    with closing(shop.db.reader()) as conn:
        rows = conn.execute(
            "SELECT reason, d_on_hand, d_reserved, ref_id, actor FROM stock_move"
            " WHERE sku = ? ORDER BY id",
            (sku,),
        )
        return [tuple(r) for r in rows]


SNAPSHOT_TABLES = (
    "stock_level",
    "stock_move",
    "customer_order",
    "order_line",
    "shipment",
    "shipment_line",
    "outbox",
    "receipt_job",
    "command_log",
    "counter",
)


def snapshot(shop) -> dict:
    """Everything a refused command must leave untouched."""
    with closing(shop.db.reader()) as conn:
        return {
            table: sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)
            for table in SNAPSHOT_TABLES
        }


def fiscalise(shop, job_id, *, fd, shift=1, change=0, number=None):
    fiscal = Fiscalised(FN, fd, 3000000000 + fd, shift, number or fd, "2026-03-02T10:15:00")
    shop.run(receipt_sending, job_id, fd - 1)
    return shop.run(receipt_fiscalised, job_id, fiscal, change)


def sale(shop, *items, payment="cash", by=CASHIER, **extra):
    """counter_sale with items given as (sku, qty) or (sku, qty, codes)."""
    lines = []
    for sku, qty, *codes in items:
        line = {"sku": sku, "qty": qty}
        if codes:
            line["marking_codes"] = codes[0]
        lines.append(line)
    return shop.run(counter_sale, {"items": lines, "payment": payment, **extra}, by=by)


def sold_and_fiscalised(shop, *items, payment="cash", fd=10, change=0):
    result = sale(shop, *items, payment=payment)
    fiscalise(shop, result["receipt_id"], fd=fd, change=change)
    return result["receipt_id"]


# --- counter sale -----------------------------------------------------------------------------


def test_counter_sale_takes_goods_off_the_shelf_and_queues_a_receipt(shop):
    shop.stock(A=5, B=2)
    result = sale(shop, ("A", 2), ("B", 1), payment={"cash": 50000}, contact="+7 900 123-45-67")
    receipt_id = result["receipt_id"]
    assert result == {
        "receipt_id": receipt_id,
        "kind": SELL,
        "state": QUEUED,
        "total": 30000,
        "change": 20000,
    }
    assert (shop.level("A").on_hand, shop.level("B").on_hand) == (3, 1)
    assert ledger(shop, "A")[-1] == ("sale", -2, 0, f"receipt/{receipt_id}", "Анна")
    assert ledger(shop, "B")[-1] == ("sale", -1, 0, f"receipt/{receipt_id}", "Анна")
    adjusted = shop.events("stock.adjusted")[-1]
    assert adjusted["reason"] == "counter_sale"
    assert adjusted["by"] == "Анна" and adjusted["receipt_id"] == receipt_id
    assert adjusted["items"] == [
        {"sku": "A", "delta": -2, "on_hand": 3},
        {"sku": "B", "delta": -1, "on_hand": 1},
    ]
    queued = job(shop, receipt_id)
    assert (queued.state, queued.kind, queued.order_id, queued.shipment_id) == (
        QUEUED,
        SELL,
        None,
        None,
    )
    draft = queued.draft
    assert [(i.sku, i.name, i.price, i.qty, i.vat, i.subject) for i in draft.items] == [
        ("A", "Товар P-A", 10000, 2, "vat22", SUBJECT_GOODS),
        ("B", "Товар P-B", 10000, 1, "vat22", SUBJECT_GOODS),
    ]
    assert draft.payments == Payments(cash=50000, card=0)
    assert (draft.contact, draft.cashier) == ("+79001234567", "Анна")


def test_two_lines_of_one_sku_move_the_stock_once_for_their_sum(shop):
    shop.stock(A=5)
    result = sale(shop, ("A", 1), ("A", 2), payment="card")
    assert shop.level("A").on_hand == 2
    assert [m for m in ledger(shop, "A") if m[0] == "sale"] == [
        ("sale", -3, 0, f"receipt/{result['receipt_id']}", "Анна")
    ]
    assert [i.qty for i in job(shop, result["receipt_id"]).draft.items] == [1, 2]


def test_counter_sale_of_more_than_the_books_hold_is_refused_whole(shop):
    shop.stock(A=5, B=1)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="the books say 1 on hand, the sale takes 2") as exc:
        sale(shop, ("A", 1), ("B", 2))
    assert exc.value.reason == "negative_stock"
    assert snapshot(shop) == before


def test_counter_sale_of_a_marked_item_without_codes_is_refused_and_changes_nothing(shop):
    marked_goods(shop, on_hand=5)
    shop.stock(A=5)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="M is a marked product: scan 2 marking code") as exc:
        sale(shop, ("A", 1), ("M", 2))
    assert exc.value.reason == "marking_code_missing"
    assert "Маркированный товар" in exc.value.detail
    assert snapshot(shop) == before
    assert (shop.level("M").on_hand, shop.level("A").on_hand) == (5, 5)
    assert all_jobs(shop) == []


def test_counter_sale_of_marked_items_carries_one_code_per_unit(shop):
    marked_goods(shop, price=50000, on_hand=3)
    codes = [code("serial0001"), "]d2" + code("serial0002")]
    result = sale(shop, ("M", 2, codes), payment="card")
    items = job(shop, result["receipt_id"]).draft.items
    assert [(i.qty, i.price, i.subject, i.marking_code) for i in items] == [
        (1, 50000, SUBJECT_MARKED, code("serial0001")),
        (1, 50000, SUBJECT_MARKED, code("serial0002")),  # symbology prefix stripped
    ]
    assert shop.level("M").on_hand == 1


def test_counter_sale_with_a_cyrillic_code_is_refused_with_the_layout_hint(shop):
    marked_goods(shop)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="keyboard layout"):
        sale(shop, ("M", 1, [code("фыва")]))
    assert snapshot(shop) == before


def test_the_same_marking_code_on_two_lines_of_one_sale_is_refused(shop):
    marked_goods(shop, on_hand=5)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="twice"):
        sale(shop, ("M", 1, [code("serial0001")]), ("M", 1, [code("serial0001")]))
    assert snapshot(shop) == before


def test_mixed_payment_with_change_is_refused_and_changes_nothing(shop):
    shop.stock(A=5)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="change is given in cash only") as exc:
        sale(shop, ("A", 1), payment={"cash": 5000, "card": 6000})
    assert exc.value.reason == "payment"
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"items": [], "payment": "cash"}, "1 to 200 items"),
        ({"payment": "cash"}, "items must be a list"),
        ({"items": [{"sku": "NOPE", "qty": 1}], "payment": "cash"}, "unknown sku NOPE"),
        ({"items": [{"sku": "A", "qty": 0}], "payment": "cash"}, "at least 1"),
        ({"items": [{"sku": "A", "qty": 1}]}, "payment"),
        ({"items": [{"sku": "A", "qty": 1}], "payment": "cash", "contact": "nobody"}, "contact"),
        (
            {"items": [{"sku": "A", "qty": 1, "marking_codes": [code("x1")]}], "payment": "cash"},
            "not a marked product",
        ),
    ],
)
def test_bad_counter_sales_are_refused_whole(shop, data, match):
    shop.stock(A=5)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match=match):
        shop.run(counter_sale, data, by=CASHIER)
    assert snapshot(shop) == before


def test_an_archived_sku_cannot_be_sold_at_the_counter(shop):
    shop.stock(A=5)
    shop.load_catalog(product("P-A", [variant("A")], [], archived=True))
    with pytest.raises(InvalidInput, match="archived"):
        sale(shop, ("A", 1))
    assert shop.level("A").on_hand == 5


def test_counter_sale_with_an_idempotency_key_sells_once(shop):
    shop.stock(A=5)
    data = {"items": [{"sku": "A", "qty": 2}], "payment": "card"}
    first = shop.run(counter_sale, data, by=CASHIER, idem_key="tap-1")
    again = shop.run(counter_sale, data, by=CASHIER, idem_key="tap-1")
    assert again == {**first, "replayed": True}
    assert shop.level("A").on_hand == 3
    assert len(all_jobs(shop)) == 1
    assert [e["reason"] for e in shop.events("stock.adjusted")].count("counter_sale") == 1


# --- shipment receipts ------------------------------------------------------------------------


def test_shipping_a_paid_order_queues_a_card_receipt_with_the_orders_contact(shop):
    shop.stock(A=5, B=5)
    web = order("W-1", ("A", 2), ("B", 1))
    web["lines"][1]["price"] = 7500  # the order's price, not the catalog's
    shop.run(create_order, web)
    result = shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})
    receipt_id = result["receipt_id"]
    assert receipt_id is not None
    queued = job(shop, receipt_id)
    assert (queued.state, queued.order_id, queued.shipment_id) == (
        QUEUED,
        "W-1",
        result["shipment_id"],
    )
    draft = queued.draft
    assert [(i.sku, i.name, i.price, i.qty, i.vat) for i in draft.items] == [
        ("A", "Товар P-A", 10000, 2, "vat22"),
        ("B", "Товар P-B", 7500, 1, "vat22"),
    ]
    assert draft.payments == Payments(cash=0, card=27500)  # prepaid on the site
    assert (draft.contact, draft.cashier) == ("anna@example.ru", "Анна")
    [shipped] = shop.events("order.shipped")
    assert shipped["receipt_id"] == receipt_id
    assert shipped["shipment_id"] == result["shipment_id"]
    assert shipped["lines"] == [
        {"line_id": "1", "sku": "A", "qty": 2},
        {"line_id": "2", "sku": "B", "qty": 1},
    ]
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (3, 0)


def test_pay_at_pickup_with_cash_change_and_the_staffs_contact(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3), paid=False))
    result = shop.run(
        ship_order,
        "W-1",
        by=CASHIER,
        receipt={"payment": {"cash": 50000}, "contact": "boris@example.ru"},
    )
    draft = job(shop, result["receipt_id"]).draft
    assert draft.payments == Payments(cash=50000, card=0)
    assert draft.change == 20000
    assert draft.contact == "boris@example.ru"


def test_contact_from_the_order_falls_back_to_a_normalised_phone(shop):
    shop.stock(A=5)
    customer = {"name": "Анна", "email": "anna at example", "phone": "+7 (900) 123-45-67"}
    shop.run(create_order, order("W-1", ("A", 1), customer=customer))
    result = shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    assert job(shop, result["receipt_id"]).draft.contact == "+79001234567"


def test_a_broken_contact_on_the_order_does_not_block_the_receipt(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1), customer={"email": "x", "phone": "call me"}))
    result = shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    assert job(shop, result["receipt_id"]).draft.contact is None


def test_partial_shipment_receipt_covers_only_what_is_handed_over(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 3), ("B", 1)))
    result = shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 2}, receipt={})
    items = job(shop, result["receipt_id"]).draft.items
    assert [(i.sku, i.qty) for i in items] == [("A", 2)]


def test_shipping_a_marked_line_with_its_codes(shop):
    marked_goods(shop, on_hand=5)
    shop.run(create_order, order("W-1", ("M", 2)))
    codes = {"1": [code("serial0001"), code("serial0002")]}
    result = shop.run(ship_order, "W-1", by=CASHIER, receipt={"marking_codes": codes})
    items = job(shop, result["receipt_id"]).draft.items
    assert [(i.qty, i.subject, i.marking_code) for i in items] == [
        (1, SUBJECT_MARKED, c) for c in codes["1"]
    ]


@pytest.mark.parametrize(
    "receipt",
    [
        {},  # no codes at all
        {"marking_codes": {"1": [code("serial0001")]}},  # 1 code for 2 units
        {"marking_codes": {"1": [code("s1"), code("s2"), code("s3")]}},  # 3 for 2
        {"marking_codes": {"1": [code("s1"), code("s1")]}},  # the same twice
        {"marking_codes": {"1": [code("s1"), code("s2")], "9": [code("s3")]}},  # no line 9
        {"marking_codes": {"1": code("s1")}},  # not a list
        {"marking_codes": {"1": [code("s1"), code("s2")]}, "payment": "cash", "contact": "?"},
    ],
)
def test_a_shipment_whose_receipt_cannot_be_built_is_refused_whole(shop, receipt):
    marked_goods(shop, on_hand=5)
    shop.run(create_order, order("W-1", ("M", 2)))
    before = snapshot(shop)
    with pytest.raises(InvalidInput):
        shop.run(ship_order, "W-1", by=CASHIER, receipt=receipt, idem_key="tap-1")
    assert snapshot(shop) == before
    assert shop.order("W-1").status == "reserved"
    assert (shop.level("M").on_hand, shop.level("M").reserved) == (5, 2)
    assert shop.events("order.shipped") == []


def test_the_same_marking_code_on_two_shipped_lines_is_refused(shop):
    marked_goods(shop, on_hand=5)
    shop.run(create_order, order("W-1", ("M", 1), ("M", 1)))
    before = snapshot(shop)
    codes = {"1": [code("serial0001")], "2": [code("serial0001")]}
    with pytest.raises(InvalidInput, match="twice"):
        shop.run(ship_order, "W-1", by=CASHIER, receipt={"marking_codes": codes})
    assert snapshot(shop) == before


def test_pay_at_pickup_without_a_payment_ships_nothing(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1), paid=False))
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="payment"):
        shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    assert snapshot(shop) == before


def test_shipping_without_a_receipt_queues_no_job(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    result = shop.run(ship_order, "W-1", by=CASHIER)
    assert result["receipt_id"] is None
    assert shop.events("order.shipped")[0]["receipt_id"] is None
    assert all_jobs(shop) == []


def test_a_double_tap_ship_with_a_receipt_queues_one_job(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    first = shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={}, idem_key="t")
    again = shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, receipt={}, idem_key="t")
    assert again["receipt_id"] == first["receipt_id"] and again["replayed"] is True
    assert len(all_jobs(shop)) == 1
    assert shop.level("A").on_hand == 4


# --- the worker's durable steps -------------------------------------------------------------


def test_a_fiscalised_receipt_is_done_and_announced_once(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shipped = shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    receipt_id = shipped["receipt_id"]
    shop.run(receipt_sending, receipt_id, 41)
    sending = job(shop, receipt_id)
    assert (sending.state, sending.saved_fd, sending.attempts) == (SENDING, 41, 1)
    fiscal = Fiscalised(FN, 42, 2718281828, 7, 15, "2026-03-02T10:15:00")
    assert shop.run(receipt_fiscalised, receipt_id, fiscal, 0) == {
        "receipt_id": receipt_id,
        "fd": 42,
    }
    done = job(shop, receipt_id)
    assert (done.state, done.fiscal, done.error) == (DONE, fiscal, None)
    [event] = shop.events("receipt.fiscalized")
    assert {k: v for k, v in event.items() if k != "seq"} == {
        "type": "receipt.fiscalized",
        "receipt_id": receipt_id,
        "kind": SELL,
        "order_id": "W-1",
        "shipment_id": shipped["shipment_id"],
        "refund_of": None,
        "total": 20000,
        "payments": {"cash": 0, "card": 20000, "prepaid": 0},
        "change": 0,
        "discount": 0,
        "cashier": {"staff_id": CASHIER.id, "name": CASHIER.name},
        "cash_in_drawer": 0,  # paid by card
        "fiscal": {
            "fn": FN,
            "fd": 42,
            "fp": 2718281828,
            "shift": 7,
            "number": 15,
            "ts": "2026-03-02T10:15:00",
        },
    }
    # The worker recorded it again after a restart: nothing new happens.
    again = shop.run(receipt_fiscalised, receipt_id, fiscal, 0)
    assert again == {"receipt_id": receipt_id, "already": True}
    assert len(shop.events("receipt.fiscalized")) == 1


def test_a_receipt_not_being_sent_cannot_be_fiscalised(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    fiscal = Fiscalised(FN, 42, 1, 1, 1, None)
    with pytest.raises(InvalidTransition, match="not being sent"):
        shop.run(receipt_fiscalised, receipt_id, fiscal, 0)
    assert job(shop, receipt_id).state == QUEUED
    assert shop.events("receipt.fiscalized") == []


def test_an_unknown_shift_after_the_close_is_taken_from_the_open_shift(shop):
    shop.stock(A=5)
    shop.run(shift_opened, 12, by=CASHIER, fd=1, fp=123)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_fiscalised, receipt_id, Fiscalised(FN, 6, 66, None, None, None), 0)
    assert job(shop, receipt_id).fiscal.shift == 12
    assert shop.events("receipt.fiscalized")[0]["fiscal"]["shift"] == 12


def failed_count(shop) -> int:
    with closing(shop.db.reader()) as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN " + FAILED_COUNT).fetchall()
        assert "receipt_job_failed" in plan[0]["detail"]
        return failed_receipts(conn)


def test_requeue_fail_and_retry(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    with pytest.raises(InvalidTransition, match="only a failed one"):
        shop.run(retry_receipt, receipt_id, by=CASHIER)
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_requeued, receipt_id, "not in the FN")
    assert (job(shop, receipt_id).state, job(shop, receipt_id).error) == (QUEUED, "not in the FN")
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_failed, receipt_id, "error 0x7E: wrong VAT")
    assert job(shop, receipt_id).state == FAILED
    assert failed_count(shop) == 1  # what gateway.status says, from the index of failed ones
    assert shop.run(retry_receipt, receipt_id, by=CASHIER) == {
        "receipt_id": receipt_id,
        "state": QUEUED,
    }
    assert job(shop, receipt_id).state == QUEUED
    assert failed_count(shop) == 0
    fiscalise(shop, receipt_id, fd=6)
    with pytest.raises(InvalidTransition, match="done"):
        shop.run(retry_receipt, receipt_id, by=CASHIER)
    with pytest.raises(NotFound):
        shop.run(retry_receipt, 999, by=CASHIER)


def test_a_retried_job_is_sent_again_after_the_attempt_limit(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    for _ in range(MAX_SEND_ATTEMPTS):
        shop.run(receipt_sending, receipt_id, 5)
        shop.run(receipt_requeued, receipt_id, "timeout, not in the FN")
    shop.run(receipt_failed, receipt_id, "refused 10 times")
    shop.run(retry_receipt, receipt_id, by=CASHIER)
    retried = job(shop, receipt_id)
    assert retried.state == QUEUED
    assert retried.attempts < MAX_SEND_ATTEMPTS  # otherwise the worker fails it at once


def test_the_worker_reconciles_a_sending_job_before_the_queue(shop):
    shop.stock(A=9)
    ids = [sale(shop, ("A", 1))["receipt_id"] for _ in range(3)]
    with shop.db.transaction() as uow:
        assert uow.fiscal.next_job().id == ids[0]
    shop.run(receipt_sending, ids[2], 7)
    with shop.db.transaction() as uow:
        assert uow.fiscal.next_job().id == ids[2]
        assert uow.fiscal.counts_by_state() == {QUEUED: 2, SENDING: 1}


def test_receipt_jobs_survive_a_restart(shop, tmp_path):
    marked_goods(shop, on_hand=2)
    receipt_id = sale(shop, ("M", 1, [code("serial0001")]), contact="anna@example.ru")["receipt_id"]
    expected = job(shop, receipt_id)
    reopened = Database(tmp_path / "gateway.db")  # migrations run again: nothing changes
    try:
        with reopened.transaction() as uow:
            assert uow.fiscal.job(receipt_id) == expected
    finally:
        reopened.close()


# --- refunds ----------------------------------------------------------------------------------


def test_only_a_fiscalised_sell_receipt_can_be_refunded(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    with pytest.raises(InvalidTransition, match="not fiscalised yet"):
        shop.run(refund, receipt_id, None, by=MANAGER)
    with pytest.raises(NotFound):
        shop.run(refund, 999, None, by=MANAGER)
    fiscalise(shop, receipt_id, fd=10)
    refund_id = shop.run(refund, receipt_id, None, by=MANAGER)["receipt_id"]
    fiscalise(shop, refund_id, fd=11)
    with pytest.raises(NotFound):  # a refund of a refund
        shop.run(refund, refund_id, None, by=MANAGER)


def test_full_refund_puts_the_goods_back_and_returns_the_cash_without_the_change(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 50000}, change=20000)
    assert shop.level("A").on_hand == 2
    result = shop.run(refund, sold, None, by=MANAGER)
    refund_id = result["receipt_id"]
    assert result == {
        "receipt_id": refund_id,
        "kind": SELL_REFUND,
        "state": QUEUED,
        "total": 30000,
        "change": 0,
    }
    back = job(shop, refund_id)
    assert (back.kind, back.refund_of, back.state) == (SELL_REFUND, sold, QUEUED)
    assert back.draft.payments == Payments(cash=30000, card=0)
    assert (back.draft.cashier, back.draft.cashier_inn) == (MANAGER.name, MANAGER.inn)
    assert [(i.sku, i.qty, i.price) for i in back.draft.items] == [("A", 3, 10000)]
    assert shop.level("A").on_hand == 5
    assert ledger(shop, "A")[-1] == ("return", 3, 0, f"receipt/{refund_id}", MANAGER.name)
    adjusted = shop.events("stock.adjusted")[-1]
    assert (adjusted["reason"], adjusted["receipt_id"], adjusted["by"]) == (
        "return",
        refund_id,
        MANAGER.name,
    )
    assert adjusted["items"] == [{"sku": "A", "delta": 3, "on_hand": 5}]


def test_refunding_twice_is_refused_and_changes_nothing(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    shop.run(refund, sold, None, by=MANAGER)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="nothing left to refund") as exc:
        shop.run(refund, sold, None, by=MANAGER)
    assert exc.value.reason == "already_refunded"
    with pytest.raises(InvalidInput, match="1 × A asked back, 0 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    assert snapshot(shop) == before
    assert shop.level("A").on_hand == 5


def test_partial_refunds_never_exceed_what_was_sold(shop):
    shop.stock(A=5, B=5)
    sold = sold_and_fiscalised(shop, ("A", 3), ("B", 1))
    with pytest.raises(InvalidInput, match="4 × A asked back, 3 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 4}]}, by=MANAGER)
    with pytest.raises(InvalidInput, match="2 × A asked back, 1 left"):  # 2 + 2 > 3 in one go
        shop.run(
            refund, sold, {"items": [{"sku": "A", "qty": 2}, {"sku": "A", "qty": 2}]}, by=MANAGER
        )
    with pytest.raises(InvalidInput, match="C asked back, 0 left"):
        shop.run(refund, sold, {"items": [{"sku": "C", "qty": 1}]}, by=MANAGER)
    first = shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    assert first["total"] == 20000
    with pytest.raises(InvalidInput, match="2 × A asked back, 1 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    rest = shop.run(refund, sold, None, by=MANAGER)  # whatever is left: 1 A and 1 B
    items = job(shop, rest["receipt_id"]).draft.items
    assert sorted((i.sku, i.qty) for i in items) == [("A", 1), ("B", 1)]
    assert (shop.level("A").on_hand, shop.level("B").on_hand) == (5, 5)


def test_a_queued_refund_already_counts_against_the_receipt(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 1))
    refund_id = shop.run(refund, sold, None, by=MANAGER)["receipt_id"]
    shop.run(receipt_sending, refund_id, 10)
    shop.run(receipt_failed, refund_id, "paper out")
    with pytest.raises(InvalidInput, match="nothing left"):
        shop.run(refund, sold, None, by=MANAGER)


def test_refunding_a_marked_item_by_its_code(shop):
    marked_goods(shop, on_hand=3)
    codes = [code("serial0001"), code("serial0002"), code("serial0003")]
    sold = sold_and_fiscalised(shop, ("M", 3, codes), payment="card")
    result = shop.run(
        refund, sold, {"items": [{"sku": "M", "marking_codes": [codes[1]]}]}, by=MANAGER
    )
    [item] = job(shop, result["receipt_id"]).draft.items
    assert (item.qty, item.subject, item.marking_code) == (1, SUBJECT_MARKED, codes[1])
    assert job(shop, result["receipt_id"]).draft.payments == Payments(cash=0, card=50000)
    assert shop.level("M").on_hand == 1
    before = snapshot(shop)
    for bad in ([codes[1]], [code("never-sold")], [codes[0], codes[0]]):
        with pytest.raises(InvalidInput, match="was not sold or is back"):
            shop.run(refund, sold, {"items": [{"sku": "M", "marking_codes": bad}]}, by=MANAGER)
    assert snapshot(shop) == before
    rest = shop.run(refund, sold, None, by=MANAGER)
    assert [i.marking_code for i in job(shop, rest["receipt_id"]).draft.items] == [
        codes[0],
        codes[2],
    ]


def test_refunding_a_marked_item_scanned_with_a_symbology_prefix(shop):
    marked_goods(shop, on_hand=1)
    sold = sold_and_fiscalised(shop, ("M", 1, ["]d2" + code("serial0001")]), payment="card")
    scanned = {"items": [{"sku": "M", "marking_codes": ["]d2" + code("serial0001")]}]}
    result = shop.run(refund, sold, scanned, by=MANAGER)
    assert job(shop, result["receipt_id"]).draft.items[0].marking_code == code("serial0001")


def test_a_mixed_payment_is_refunded_to_the_card_first(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 20000, "card": 10000})
    result = shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    assert job(shop, result["receipt_id"]).draft.payments == Payments(cash=10000, card=10000)


def test_partial_refunds_of_a_mixed_payment_never_give_the_card_more_than_it_paid(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 20000, "card": 10000})
    ids = [
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)["receipt_id"]
        for _ in range(3)
    ]
    paid_back = [job(shop, i).draft.payments for i in ids]
    assert paid_back[0] == Payments(cash=0, card=10000)
    assert sum(p.card for p in paid_back) == 10000
    assert sum(p.cash for p in paid_back) == 20000


def test_refund_of_one_sku_sold_at_two_prices_returns_what_was_paid(shop):
    shop.stock(A=5)
    web = order("W-1", ("A", 1), ("A", 1))
    web["lines"][1]["price"] = 5000  # the second one at a discount
    shop.run(create_order, web)
    receipt_id = shop.run(ship_order, "W-1", by=CASHIER, receipt={})["receipt_id"]
    fiscalise(shop, receipt_id, fd=10)
    assert job(shop, receipt_id).total == 15000
    result = shop.run(refund, receipt_id, None, by=MANAGER)
    assert result["total"] == 15000


def test_returned_goods_fill_short_orders(shop):
    shop.stock(A=1)
    sold = sold_and_fiscalised(shop, ("A", 1))
    shop.run(create_order, order("W-1", ("A", 1)))
    assert shop.order("W-1").status == "short"
    shop.run(refund, sold, None, by=MANAGER)
    assert shop.order("W-1").status == "reserved"
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (1, 1)
    assert shop.events("order.reserved")[-1]["order_id"] == "W-1"
    assert shop.events("order.reserved")[-1]["status"] == "reserved"


def test_a_refund_without_restock_leaves_the_stock_alone(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    adjusted = len(shop.events("stock.adjusted"))
    shop.run(refund, sold, {"restock": False}, by=MANAGER)
    assert shop.level("A").on_hand == 3
    assert len(shop.events("stock.adjusted")) == adjusted
    assert [m[0] for m in ledger(shop, "A")].count("return") == 0


def test_refund_of_a_shipment_receipt_keeps_the_order_and_the_contact(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    receipt_id = shop.run(ship_order, "W-1", by=CASHIER, receipt={})["receipt_id"]
    fiscalise(shop, receipt_id, fd=10)
    refund_id = shop.run(refund, receipt_id, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)[
        "receipt_id"
    ]
    back = job(shop, refund_id)
    assert (back.order_id, back.refund_of, back.shipment_id) == ("W-1", receipt_id, None)
    assert back.draft.contact == "anna@example.ru"
    assert back.draft.payments == Payments(cash=0, card=10000)
    fiscalise(shop, refund_id, fd=11)
    event = shop.events("receipt.fiscalized")[-1]
    assert (event["kind"], event["refund_of"], event["order_id"]) == (
        SELL_REFUND,
        receipt_id,
        "W-1",
    )


def test_refund_with_an_idempotency_key_refunds_once(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    body = {"items": [{"sku": "A", "qty": 1}]}
    first = shop.run(refund, sold, body, by=MANAGER, idem_key="r-1")
    again = shop.run(refund, sold, body, by=MANAGER, idem_key="r-1")
    assert again == {**first, "replayed": True}
    assert shop.level("A").on_hand == 4
    assert [k for _, k, _ in all_jobs(shop)] == [SELL, SELL_REFUND]


# --- shifts and the cash drawer -------------------------------------------------------------


def test_opening_a_shift_twice_records_it_once(shop):
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(shift_opened, 1, by=None, fd=None, fp=None)  # the worker saw the same shift
    [opened] = shop.events("shift.opened")
    assert (opened["shift"], opened["cashier"], opened["fiscal"]) == (
        1,
        {"staff_id": CASHIER.id, "name": "Анна"},
        {"fd": 1, "fp": 123},
    )
    assert shop.events("shift.closed") == []


def test_a_newer_shift_closes_the_stale_open_one(shop):
    shop.stock(A=5)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    sold_and_fiscalised(shop, ("A", 1))
    shop.run(shift_opened, 2, by=None, fd=None, fp=None)  # opened at the register's keyboard
    [closed] = shop.events("shift.closed")
    assert (closed["shift"], closed["cashier"]) == (1, None)
    assert (closed["cash_expected"], closed["cash_counted"], closed["cash_difference"]) == (
        10000,
        None,  # nobody counted the drawer of a shift closed at the keyboard
        None,
    )
    assert closed["totals"]["sales"] == {
        "count": 1,
        "total": 10000,
        "cash": 10000,
        "card": 0,
        "prepaid": 0,
    }
    assert [e["shift"] for e in shop.events("shift.opened")] == [1, 2]
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift() == 2


def test_cash_moves_need_an_open_shift(shop):
    with pytest.raises(InvalidTransition, match="Откройте смену"):
        shop.run(check_cash_move, "in", 1000)
    with pytest.raises(InvalidTransition):
        shop.run(cash_moved, "in", 1000, by=CASHIER, register_doc=2)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(shift_closed, 1, by=MANAGER, fd=9, fp=999)
    with pytest.raises(InvalidTransition):
        shop.run(check_cash_move, "in", 1000)


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100"])
def test_a_cash_move_needs_a_positive_whole_amount(shop, amount):
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    with pytest.raises(InvalidInput):
        shop.run(check_cash_move, "in", amount)


def test_cash_in_drawer_after_a_sale_with_change_a_refund_and_cash_moves(shop):
    shop.stock(A=5, B=5)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(check_cash_move, "in", 100000)
    totals = shop.run(cash_moved, "in", 100000, by=CASHIER, register_doc=2)
    assert totals["cash_in_drawer"] == 100000
    # 300 ₽ paid with 500 ₽ cash: 200 ₽ change leaves the drawer.
    cash_sale = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 50000}, change=20000, fd=3)
    # A mixed sale: only its cash part is in the drawer.
    sold_and_fiscalised(shop, ("B", 2), payment={"cash": 5000, "card": 15000}, fd=4)
    # One of the cash-sale items comes back in cash.
    refund_id = shop.run(refund, cash_sale, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    fiscalise(shop, refund_id["receipt_id"], fd=5)
    # A receipt still queued is not money in the drawer yet.
    sale(shop, ("A", 1), payment="cash")
    expected = 100000 + 30000 + 5000 - 10000
    # Each receipt event tells the cloud the drawer after it.
    drawers = [e["cash_in_drawer"] for e in shop.events("receipt.fiscalized")]
    assert drawers == [100000 + 30000, 100000 + 30000 + 5000, expected]
    assert shop.run(check_cash_move, "out", 20000) == 1  # the register says if it fits
    totals = shop.run(cash_moved, "out", 20000, by=MANAGER, register_doc=6)
    assert totals["cash_in_drawer"] == expected - 20000
    counted = expected - 20000 - 150  # 1,50 ₽ short
    closed_totals = shop.run(shift_closed, 1, by=MANAGER, fd=7, fp=777, counted=counted)
    [closed] = shop.events("shift.closed")
    assert closed["totals"] == closed_totals
    assert (closed["shift"], closed["cashier"], closed["fiscal"]) == (
        1,
        {"staff_id": MANAGER.id, "name": MANAGER.name},
        {"fd": 7, "fp": 777},
    )
    assert (closed["cash_expected"], closed["cash_counted"], closed["cash_difference"]) == (
        expected - 20000,
        counted,
        -150,
    )
    with shop.db.transaction() as uow:
        assert uow.fiscal.shift_row(1)["cash_counted"] == counted
    assert closed["totals"] == {
        "sales": {"count": 2, "total": 50000, "cash": 35000, "card": 15000, "prepaid": 0},
        "refunds": {"count": 1, "total": 10000, "cash": 10000, "card": 0, "prepaid": 0},
        "cash_in": 100000,
        "cash_out": 20000,
        "cash_in_drawer": expected - 20000,
    }
    # Closing again (the worker saw the Z report too) returns the same figures, no new event.
    assert shop.run(shift_closed, 1, by=None, fd=None, fp=None) == closed_totals
    assert len(shop.events("shift.closed")) == 1


def test_shift_totals_count_only_that_shifts_receipts(shop):
    shop.stock(A=9)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=1)
    first = sale(shop, ("A", 1))["receipt_id"]
    fiscalise(shop, first, fd=2, shift=1)
    shop.run(shift_closed, 1, by=MANAGER, fd=3, fp=3)
    shop.run(shift_opened, 2, by=CASHIER, fd=4, fp=4)
    second = sale(shop, ("A", 2), payment="card")["receipt_id"]
    fiscalise(shop, second, fd=5, shift=2)
    totals = shop.run(shift_closed, 2, by=MANAGER, fd=6, fp=6)
    assert totals["sales"] == {"count": 1, "total": 20000, "cash": 0, "card": 20000, "prepaid": 0}
    assert totals["cash_in_drawer"] == 0
    first_totals = shop.events("shift.closed")[0]["totals"]
    assert first_totals["sales"] == {
        "count": 1,
        "total": 10000,
        "cash": 10000,
        "card": 0,
        "prepaid": 0,
    }


def test_closing_a_shift_the_gateway_never_saw_opened(shop):
    totals = shop.run(shift_closed, 5, by=None, fd=None, fp=None)
    assert totals["sales"]["count"] == 0
    [closed] = shop.events("shift.closed")
    assert closed["shift"] == 5
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift() is None
