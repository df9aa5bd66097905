"""The fiscal service against a real database (issue 4): receipt jobs queued with counter sales
and shipments (FISCAL.md 3, MQTT-CONTRACT `receipt.fiscalized`, `stock.adjusted`,
`order.shipped`). Refunds, the worker's steps, shifts and cash: test_fiscal_service_*.py."""

import pytest

from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import (
    QUEUED,
    SELL,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    Payments,
)
from gateway.services.fiscal import counter_sale
from gateway.services.orders import create_order, ship_order
from tests.builders import CASHIER, order, product, variant
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    all_jobs,
    code,
    job,
    ledger,
    marked_goods,
    sale,
    snapshot,
    staff,
)

# --- helpers ----------------------------------------------------------------------------------


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
