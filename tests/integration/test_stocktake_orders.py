"""A stocktake that finds less than the orders hold, against a real database (QA: the report said
only «с заказов снимется резерв: 10 шт.»): the report lists which orders lose their reserve
(number, item, pieces, paid on the site), the newest first and paid ones last, as the apply then
takes it; each order's history names the stocktake, who applied it and who approved it. Applying
carries the list the person saw: when the orders that lose reserve are no longer those (a new
order arrived, one was cancelled), it is refused with the list of now and nothing changes.
Through the API: test_stocktake_orders_api.py."""

import json
from contextlib import closing

import pytest

from gateway.adapters.sqlite.order_history import order_history
from gateway.adapters.sqlite.stocktake_repo import stocktake_report as report_on_connection
from gateway.domain.errors import InvalidInput
from gateway.services.orders import cancel_order, create_order
from gateway.services.reserve_taking import OrdersLoseReserve
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
    result = held.run(apply_stocktake, take, by=CASHIER.approved(MANAGER), reserve_orders=shown)
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
    shown = held.run(stocktake_report, take)["reserve_orders"]
    held.run(apply_stocktake, take, by=MANAGER, reserve_orders=shown)
    with closing(held.db.reader()) as conn:
        details = [
            row[0]
            for row in conn.execute("SELECT detail_json FROM order_history WHERE what = ?", (WHAT,))
        ]
    assert len(details) == 6
    assert all('"applied_by": "Ольга"' in d and "approved_by" not in d for d in details)


@pytest.fixture
def shelf(shop):
    """10 on the books; W-1 holds 4 (unpaid), W-2 holds 3 (paid on the site)."""
    shop.run(hire)
    shop.load_catalog(builders.product("P-A19", [builders.variant(SKU)], [], name="Платье"))
    shop.stock(**{SKU: 10})
    shop.run(create_order, order("W-1", (SKU, 4), paid=False))
    shop.run(create_order, order("W-2", (SKU, 3), paid=True))
    return shop


def counted_five(shop) -> tuple[str, list[dict]]:
    """5 found of 10: 2 of the 7 held have no goods (W-1 gives them). The report's list."""
    take = shop.run(start_stocktake, by=CASHIER)["take_id"]
    shop.run(set_stocktake_count, take, SKU, 5, by=CASHIER)
    shown = shop.run(stocktake_report, take)["reserve_orders"]
    assert [(o["number"], o["qty"], o["paid"]) for o in shown] == [("W-1", 2, False)]
    return take, shown


def state(shop, take: str) -> tuple:
    """What a refused apply must leave as it was."""
    level = shop.level(SKU)
    with closing(shop.db.reader()) as conn:
        history = conn.execute("SELECT count(*) FROM order_history WHERE what = ?", (WHAT,))
        taken = history.fetchone()[0]
    orders = {o: shop.order(o).status for o in ("W-1", "W-2", "W-3") if shop.order(o)}
    report = shop.run(stocktake_report, take)
    return (level.on_hand, level.reserved, taken, orders, report["status"],
            len(shop.events("stock.adjusted")))  # fmt: skip


def test_a_new_order_since_the_report_refuses_the_apply_with_the_list_of_now(shelf):
    take, shown = counted_five(shelf)
    shelf.run(create_order, order("W-3", (SKU, 2), paid=False))  # arrives while she looks
    before = state(shelf, take)
    with pytest.raises(OrdersLoseReserve) as refused:
        shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders=shown, idem_key="tab-1")
    assert refused.value.reason == "reserve_orders_changed"
    now = refused.value.orders
    assert [(o["number"], o["qty"], o["paid"]) for o in now] == [
        ("W-3", 2, False),
        ("W-1", 2, False),
    ]
    assert now == shelf.run(stocktake_report, take)["reserve_orders"]  # what the page shows next
    russian, english = refused.value.detail.split(" / ")
    assert "изменились" in russian and "заказ № W-3: Платье — 2 шт." in russian
    assert "changed" in english and "order W-3: A0019-RED-M 2 pcs" in english
    assert state(shelf, take) == before
    held = {"W-1": "reserved", "W-2": "reserved", "W-3": "reserved"}
    assert before[:5] == (10, 9, 0, held, "counting")  # nothing taken, nothing applied
    # Confirmed again, as the refusal listed them (any order, with the words they carry): the same
    # key was not spent by the refusal.
    result = shelf.run(
        apply_stocktake, take, by=MANAGER, reserve_orders=now[::-1], idem_key="tab-1"
    )
    assert result["reserve_orders"] == now
    assert (shelf.level(SKU).on_hand, shelf.level(SKU).reserved) == (5, 5)
    assert {o: shelf.order(o).status for o in ("W-1", "W-2", "W-3")} == {
        "W-1": "short", "W-2": "reserved", "W-3": "short",
    }  # fmt: skip
    assert shelf.problems() == []


def test_an_apply_that_names_no_orders_is_refused_when_orders_lose_reserve(shelf):
    take, shown = counted_five(shelf)
    before = state(shelf, take)
    for seen in (None, []):
        with pytest.raises(OrdersLoseReserve) as refused:
            shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders=seen)
        assert refused.value.orders == shown
    assert state(shelf, take) == before


def test_a_list_that_is_no_longer_true_is_refused(shelf):
    take, shown = counted_five(shelf)
    [entry] = shown
    for wrong in (
        [{**entry, "qty": 3}],  # more pieces than are taken now
        [{**entry, "paid": True}],
        [entry, {**entry, "order_id": "W-2"}],  # an order that keeps its reserve
    ):
        with pytest.raises(OrdersLoseReserve):
            shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders=wrong)
    with pytest.raises(InvalidInput):
        shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders="W-1")
    # W-1 is cancelled while she looks: no order loses reserve now (5 found, 3 held).
    shelf.run(cancel_order, "W-1", by=MANAGER)
    with pytest.raises(OrdersLoseReserve) as refused:
        shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders=shown)
    assert refused.value.orders == []
    assert "ни с одного" in refused.value.detail and "now none" in refused.value.detail
    assert shelf.run(stocktake_report, take)["status"] == "counting"
    shelf.run(apply_stocktake, take, by=MANAGER, reserve_orders=[])
    assert (shelf.level(SKU).on_hand, shelf.level(SKU).reserved) == (5, 3)
