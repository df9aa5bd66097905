"""Refunds as the desk finds and makes them, on a real database: receipts page by page and by
number, what is left to refund on a receipt line by line (and the refund itself refusing more),
the refund of the rest after a partial one, a prepayment on the site that is refunded on the site
only, and the order's screen and history after a refund of its receipt."""

import sqlite3
from contextlib import closing

import pytest

from gateway.adapters.sqlite.fiscal_repo import receipt_page, refund_view
from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.services.orders import create_order, ship_order
from gateway.services.refunds import refund
from tests import builders
from tests.builders import CASHIER, MANAGER, order
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    code,
    fiscalise,
    marked_goods,
    sold_and_fiscalised,
    staff,
)
from tests.payments_helpers import Cloud, page


def read(shop, query, *args, **kwargs):
    with closing(shop.db.reader()) as conn:
        conn.row_factory = sqlite3.Row
        return query(conn, *args, **kwargs)


def test_older_receipts_come_page_by_page_and_one_is_found_by_its_number(shop):
    shop.stock(A=50)
    ids = [sold_and_fiscalised(shop, ("A", 1), fd=100 + n) for n in range(20)]
    first = read(shop, receipt_page, limit=15)
    assert [r["receipt_id"] for r in first["receipts"]] == ids[::-1][:15]
    assert first["more"] is True
    older = read(shop, receipt_page, before=first["receipts"][-1]["receipt_id"], limit=15)
    assert [r["receipt_id"] for r in older["receipts"]] == ids[4::-1]
    assert older["more"] is False
    [found] = read(shop, receipt_page, number=ids[2])["receipts"]
    assert (found["receipt_id"], found["refund"], found["refund_left"]) == (ids[2], "here", 10000)
    [by_fd] = read(shop, receipt_page, number=105)["receipts"]  # its fiscal document number
    assert by_fd["receipt_id"] == ids[5]
    assert read(shop, receipt_page, number=9999)["receipts"] == []


def test_what_is_left_shrinks_with_each_partial_refund_and_the_rest_is_refunded(shop):
    shop.stock(A=10, B=10)
    sold = sold_and_fiscalised(shop, ("A", 3), ("B", 2))
    view = read(shop, refund_view, sold)
    assert [(x["sku"], x["sold"], x["refunded"], x["left"]) for x in view["lines"]] == [
        ("A", 3, 0, 3),
        ("B", 2, 0, 2),
    ]
    first = shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    fiscalise(shop, first["receipt_id"], fd=11)
    view = read(shop, refund_view, sold)
    assert [(x["sku"], x["refunded"], x["left"]) for x in view["lines"]] == [
        ("A", 2, 1),
        ("B", 0, 2),
    ]
    assert (view["refund"], view["refunded"], view["refund_ids"]) == (
        "here",
        20000,
        [first["receipt_id"]],
    )
    # More than is left is refused by the gateway itself, whatever the screen sends.
    with pytest.raises(InvalidInput, match="2 × A asked back, 1 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    rest = shop.run(refund, sold, None, by=MANAGER)  # «Вернуть остаток»: what is left
    assert rest["total"] == 10000 + 2 * 10000
    view = read(shop, refund_view, sold)
    assert [x["left"] for x in view["lines"]] == [0, 0]
    assert view["refund"] == "done"
    [row] = read(shop, receipt_page, number=sold)["receipts"]
    assert (row["refund"], row["refund_left"], row["refund_ids"]) == (
        "done",
        0,
        [first["receipt_id"], rest["receipt_id"]],
    )
    with pytest.raises(InvalidInput):
        shop.run(refund, sold, None, by=MANAGER)


def test_a_marked_line_lists_its_codes_left_and_refunded_for_the_dialog(shop):
    marked_goods(shop, on_hand=3)
    shop.stock(A=5)
    codes = [code("serial0001"), code("serial0002"), code("serial0003")]
    sold = sold_and_fiscalised(shop, ("M", 3, codes), ("A", 1), payment="card")
    shop.run(refund, sold, {"items": [{"sku": "M", "marking_codes": [codes[1]]}]}, by=MANAGER)
    marked, plain = read(shop, refund_view, sold)["lines"]
    assert (marked["sold"], marked["refunded"], marked["left"], marked["marked"]) == (3, 1, 2, True)
    assert marked["codes"] == {"left": [codes[0], codes[2]], "refunded": [codes[1]]}
    assert "codes" not in plain


def test_a_prepayment_on_the_site_is_not_refunded_at_the_desk_but_says_where(shop):
    cloud = Cloud(shop)  # the staff are hired already (fixture `staff`)
    shop.load_catalog(builders.simple_product("A", 10000))
    shop.stock(A=10)
    cloud.order("W-1", ("A", 1))
    cloud.pay("W-1", 10000)
    [row] = read(shop, receipt_page)["receipts"]
    assert row["receipt_kind"] == "prepayment"
    assert row["refund"] == "site"  # the screen offers no «Вернуть», it says: on the site
    with pytest.raises(InvalidTransition, match="на сайте") as refused:
        shop.run(refund, row["receipt_id"], None, by=MANAGER)
    assert refused.value.reason == "refund_on_site"
    assert [r["refund"] for r in page(shop, "W-1")["receipts"]] == ["site"]


def test_a_refunded_order_says_so_and_its_history_names_what_who_and_how_much(shop):
    shop.stock(A=5, B=5)
    web = order("W-1", ("A", 2), ("B", 1), paid=False)  # paid at pickup, in cash
    shop.run(create_order, web)
    receipt_id = shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})["receipt_id"]
    fiscalise(shop, receipt_id, fd=10)
    before = page(shop, "W-1")
    assert (before["refunded"], before["refunds"]) == (0, [])
    [sell] = before["receipts"]
    assert (sell["refund"], sell["refund_left"]) == ("here", 30000)

    approved = CASHIER.approved(MANAGER)  # a cashier's refund with the manager's PIN
    body = {"items": [{"sku": "A", "qty": 1}]}
    back = shop.run(refund, receipt_id, body, by=approved)["receipt_id"]
    after = page(shop, "W-1")
    assert after["status"] == "shipped"
    assert after["refunded"] == 10000
    assert [(r["receipt_id"], r["refund_of"], r["total"]) for r in after["refunds"]] == [
        (back, receipt_id, 10000)
    ]
    sell = next(r for r in after["receipts"] if r["receipt_id"] == receipt_id)
    assert (sell["refund"], sell["refunded"], sell["refund_left"]) == ("here", 10000, 20000)
    entry = after["history"][-1]
    assert (entry["what"], entry["by"]) == ("receipt_refund", CASHIER.name)
    assert entry["text"] == (
        f"Возврат по чеку № {receipt_id}: {entry['detail']['items'][0]['name']} — 1 шт.;"
        f" 100 ₽ наличными, чек возврата № {back}, разрешил(а) {MANAGER.name}"
    )
    assert entry["at"]

    shop.run(refund, receipt_id, None, by=MANAGER)  # the rest
    done = page(shop, "W-1")
    assert done["refunded"] == 30000
    assert next(r for r in done["receipts"] if r["receipt_id"] == receipt_id)["refund"] == "done"
    assert [e["what"] for e in done["history"]].count("receipt_refund") == 2
