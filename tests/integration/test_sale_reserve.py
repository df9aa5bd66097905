"""A counter sale of goods held for web orders, against a real database (services/sale_reserve.py):
refused with the orders it would take from until the request lists them and a manager allows it
(nothing changes before); then the orders give the goods back, paid ones last, and each order's
history says who sold what on which receipt. Through the API: test_sale_reserve_api.py."""

from contextlib import closing

import pytest

from gateway.adapters.sqlite.order_history import order_history
from gateway.domain.staff import Forbidden
from gateway.domain.stock import parse_stock_change
from gateway.services.orders import create_order
from gateway.services.sale_reserve import HeldForOrders
from gateway.services.stock import apply_stock_change
from tests.builders import CASHIER, MANAGER, order, stock_set
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    job,
    sale,
    snapshot,
    staff,
)

APPROVED = CASHIER.approved(MANAGER)  # Анна with Ольга's PIN


@pytest.fixture
def held(shop):
    """9 of A on the shelf, all held: W-1 (4, unpaid), W-2 (3, paid on the site), W-3 (2,
    unpaid, the newest); 2 of B free."""
    shop.stock(A=9, B=2)
    shop.run(create_order, order("W-1", ("A", 4), paid=False))
    shop.run(create_order, order("W-2", ("A", 3), paid=True))
    shop.run(create_order, order("W-3", ("A", 2), paid=False))
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (9, 9)
    return shop


def history(shop, order_id):
    with closing(shop.db.reader()) as conn:
        return [row["text"] for row in order_history(conn, order_id, order_id)]


def shown(refusal: HeldForOrders) -> list[dict]:
    """What the screen sends back once the cashier confirmed the orders it showed."""
    return [
        {"order_id": o["order_id"], "sku": o["sku"], "qty": o["qty"], "paid": o["paid"]}
        for o in refusal.orders
    ]


def test_a_sale_of_held_goods_is_refused_with_the_orders_and_changes_nothing(held):
    before = snapshot(held)
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 2), ("B", 1), by=MANAGER)
    assert refused.value.reason == "takes_reserved"
    assert refused.value.orders == [
        {"order_id": "W-3", "number": "W-3", "sku": "A", "name": "Товар P-A", "qty": 2,
         "paid": False},
    ]  # fmt: skip
    assert "заказ № W-3: Товар P-A — 2 шт." in refused.value.detail
    assert snapshot(held) == before


def test_paid_orders_give_their_goods_last_and_each_order_is_listed(held):
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 8), by=MANAGER)
    assert [(o["order_id"], o["qty"], o["paid"]) for o in refused.value.orders] == [
        ("W-3", 2, False),  # the newest unpaid first
        ("W-1", 4, False),
        ("W-2", 2, True),  # the paid one, newer than W-1, only for what is still missing
    ]
    assert "(оплачен на сайте)" in refused.value.detail
    with pytest.raises(HeldForOrders) as five:
        sale(held, ("A", 5), by=MANAGER)
    assert [(o["order_id"], o["qty"]) for o in five.value.orders] == [("W-3", 2), ("W-1", 3)]


def test_a_cashier_needs_the_managers_pin_even_after_confirming(held):
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 2))
    before = snapshot(held)
    with pytest.raises(Forbidden) as forbidden:
        sale(held, ("A", 2), take_reserved=shown(refused.value))
    assert forbidden.value.reason == "needs_manager"
    assert "снятие резерва" in forbidden.value.detail
    assert snapshot(held) == before


def test_confirmed_and_allowed_the_orders_give_the_goods_and_their_history_says_so(held):
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 3), ("B", 1), by=APPROVED)
    result = sale(held, ("A", 3), ("B", 1), by=APPROVED, take_reserved=shown(refused.value))
    receipt_id = result["receipt_id"]
    assert [(o["order_id"], o["qty"]) for o in result["taken_from_orders"]] == [
        ("W-3", 2),
        ("W-1", 1),
    ]
    assert (held.level("A").on_hand, held.level("A").reserved) == (6, 6)
    assert held.order("W-3").status == "short" and held.order("W-1").status == "short"
    assert held.order("W-2").status == "reserved"  # paid: untouched
    said = f"Продано на кассе (чек № {receipt_id}, Анна, разрешил(а) Ольга): Товар P-A — "
    assert history(held, "W-3")[-1] == said + "2 шт."
    assert history(held, "W-1")[-1] == said + "1 шт."
    reserved = {e["order_id"]: e["status"] for e in held.events("order.reserved")[-2:]}
    assert reserved == {"W-3": "short", "W-1": "short"}
    assert job(held, receipt_id).draft.cashier == "Анна"
    with closing(held.db.reader()) as conn:
        audit = conn.execute("SELECT kind, detail FROM audit ORDER BY id").fetchall()
    assert ("override", "release_reserve counter sale takes orders W-3, W-1") in map(tuple, audit)


def test_a_stale_confirmation_is_refused_again_with_what_would_happen_now(held):
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 2), by=MANAGER)
    seen = shown(refused.value)  # W-3: 2
    # Meanwhile the cloud lowers the shelf by one (W-3 gives one back): the same sale now also
    # takes from W-1, which the screen never showed.
    held.run(apply_stock_change, parse_stock_change("set", stock_set(A=8)))
    before = snapshot(held)
    with pytest.raises(HeldForOrders) as again:
        sale(held, ("A", 2), by=MANAGER, take_reserved=seen)
    assert [(o["order_id"], o["qty"]) for o in again.value.orders] == [("W-3", 1), ("W-1", 1)]
    assert snapshot(held) == before
    smaller = sale(held, ("A", 1), by=MANAGER, take_reserved=seen)  # takes less than shown: fine
    assert [(o["order_id"], o["qty"]) for o in smaller["taken_from_orders"]] == [("W-3", 1)]


def test_an_order_paid_since_the_screen_showed_it_is_asked_about_again(held):
    with pytest.raises(HeldForOrders) as refused:
        sale(held, ("A", 9), by=MANAGER)
    seen = [{**each, "paid": False} for each in shown(refused.value)]  # W-2 shown as unpaid
    with pytest.raises(HeldForOrders):
        sale(held, ("A", 9), by=MANAGER, take_reserved=seen)
    sold = sale(held, ("A", 9), by=MANAGER, take_reserved=shown(refused.value))
    assert held.order("W-2").status == "short"
    assert history(held, "W-2")[-1].startswith(f"Продано на кассе (чек № {sold['receipt_id']},")


def test_free_stock_sells_without_asking(held):
    held.run(apply_stock_change, parse_stock_change("set", stock_set(A=11)))
    result = sale(held, ("A", 2), ("B", 2))
    assert "taken_from_orders" not in result
    assert held.level("A").reserved == 9


def test_a_cloud_stock_set_takes_from_unpaid_orders_first_and_names_the_item(held):
    held.run(apply_stock_change, parse_stock_change("set", stock_set(A=4)))
    assert [held.order(o).status for o in ("W-1", "W-2", "W-3")] == ["short", "reserved", "short"]
    assert history(held, "W-1")[-1] == "Остаток уменьшен: Товар P-A — снято с резерва 3 шт."
