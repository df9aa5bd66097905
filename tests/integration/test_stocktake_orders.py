"""A stocktake that finds less than the orders hold, against a real database (QA: the report said
only «с заказов снимется резерв: 10 шт.»): the report lists which orders lose their reserve
(number, item, pieces, paid on the site), the newest first and paid ones last, as the apply then
takes it; each order's history names the stocktake, who applied it and who approved it."""

import json
from contextlib import closing

import pytest

from gateway.adapters.sqlite.order_history import order_history
from gateway.adapters.sqlite.stocktake_repo import stocktake_report as report_on_connection
from gateway.services.orders import create_order
from gateway.services.stocktake import (
    apply_stocktake,
    set_stocktake_count,
    start_stocktake,
    stocktake_report,
)
from tests import builders
from tests.builders import CASHIER, MANAGER, hire, order

SKU = "A0019-RED-M"
WHAT = "stocktake"  # the history row's `what` (order_history.describe words it)
HELD = [("W-1", 2, False), ("W-2", 2, True), ("W-3", 1, False), ("W-4", 2, False),
        ("W-5", 1, True), ("W-6", 2, False)]  # fmt: skip


@pytest.fixture
def held(shop):
    """10 on the books, all 10 held by six orders (two paid on the site)."""
    shop.run(hire)
    shop.load_catalog(builders.product("P-A19", [builders.variant(SKU)], [], name="Платье"))
    shop.stock(**{SKU: 10})
    for order_id, qty, paid in HELD:
        shop.run(create_order, order(order_id, (SKU, qty), paid=paid))
    assert (shop.level(SKU).on_hand, shop.level(SKU).reserved) == (10, 10)
    return shop


def counted_zero(shop) -> str:
    take = shop.run(start_stocktake, by=CASHIER)["take_id"]
    shop.run(set_stocktake_count, take, SKU, 0, by=CASHIER)
    return take


EXPECTED = [  # the newest unpaid first, the paid ones last (newest first among them)
    ("W-6", 2, False), ("W-4", 2, False), ("W-3", 1, False), ("W-1", 2, False),
    ("W-5", 1, True), ("W-2", 2, True),
]  # fmt: skip


def test_the_report_lists_the_orders_that_lose_their_reserve(held):
    take = counted_zero(held)
    report = held.run(stocktake_report, take)
    assert report["totals"]["reserve_taken"] == 10
    orders = report["reserve_orders"]
    assert [(o["number"], o["qty"], o["paid"]) for o in orders] == EXPECTED
    assert {(o["sku"], o["name"]) for o in orders} == {(SKU, "Платье")}
    with closing(held.db.reader()) as conn:  # the page's read connection says the same
        assert report_on_connection(conn, take)["reserve_orders"] == orders


def test_applying_records_the_stocktake_in_each_orders_history(held):
    take = counted_zero(held)
    shown = held.run(stocktake_report, take)["reserve_orders"]
    result = held.run(apply_stocktake, take, by=CASHIER.approved(MANAGER))
    assert result["reserve_orders"] == shown
    assert (held.level(SKU).on_hand, held.level(SKU).reserved) == (0, 0)
    with closing(held.db.reader()) as conn:
        rows = conn.execute(
            "SELECT order_id, what, ref, actor, detail_json FROM order_history"
            " WHERE what NOT IN ('arrived') ORDER BY id"
        ).fetchall()
    taken = [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]
    assert [(order_id, detail["qty"]) for order_id, *_, detail in taken] == [
        (number, qty) for number, qty, _ in EXPECTED
    ]
    for _, what, ref, actor, detail in taken:
        assert (what, ref, actor) == (WHAT, take, "Анна")
        assert detail == detail | {
            "sku": SKU, "name": "Платье", "applied_by": "Анна", "approved_by": "Ольга",
        }  # fmt: skip
    assert {held.order(o).status for o, *_ in HELD} == {"short"}
    with closing(held.db.reader()) as conn:  # in the order's history, in words
        first = taken[0][0]
        [line] = [h for h in order_history(conn, first, first) if h["what"] == WHAT]
    assert line["text"] == (
        f"Инвентаризация {take} (применил(а) Анна, разрешил(а) Ольга): Платье — снято с резерва"
        f" {taken[0][4]['qty']} шт."
    )
    assert line["text_en"].startswith(f"Stocktake {take} (applied by Анна, allowed by Ольга)")
    short = {e["order_id"] for e in held.events("order.reserved") if e["status"] == "short"}
    assert short == {o for o, *_ in HELD}
    assert held.problems() == []


def test_a_manager_applying_alone_is_named_without_an_approver(held):
    take = counted_zero(held)
    held.run(apply_stocktake, take, by=MANAGER)
    with closing(held.db.reader()) as conn:
        details = [
            row[0]
            for row in conn.execute("SELECT detail_json FROM order_history WHERE what = ?", (WHAT,))
        ]
    assert len(details) == 6
    assert all('"applied_by": "Ольга"' in d and "approved_by" not in d for d in details)
