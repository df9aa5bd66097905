"""Applying a stocktake through the staff API (a running gateway) when the count takes reserve
from web orders: the apply carries the orders the person saw (`reserve_orders`, as the report
listed them); an order that arrived since is a 409 `reserve_orders_changed` carrying the orders
of now, in Russian and English, and nothing changed; sent again with those, it applies.
The service side: test_stocktake_orders.py."""

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import order
from tests.signin import desk_clients, start_gateway


@pytest.fixture
def desk(tmp_path):
    """10 mugs; W-1 holds 4 (unpaid), W-2 holds 3 (paid on the site)."""
    gateway = start_gateway(tmp_path, "shop-stocktake-orders")
    gateway.run(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
    )
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=10)))
    gateway.run(create_order, order("W-1", ("MUG", 4), paid=False))
    gateway.run(create_order, order("W-2", ("MUG", 3), paid=True))
    client = desk_clients(gateway)
    yield client
    gateway.stop()


def test_an_order_arriving_after_the_report_refuses_the_apply_until_confirmed_again(desk):
    olga = desk.manager  # applying a count is a manager's job
    take = olga.post("/api/stocktakes", json={"skus": ["MUG"]}).json()["take_id"]
    counted = olga.post(f"/api/stocktakes/{take}/count", json={"sku": "MUG", "counted": 5})
    assert counted.status_code == 200, counted.text
    shown = olga.get(f"/api/stocktakes/{take}").json()["reserve_orders"]
    assert [(o["number"], o["qty"]) for o in shown] == [("W-1", 2)]

    desk.gateway.run(create_order, order("W-3", ("MUG", 2), paid=False))  # while she looks
    path = f"/api/stocktakes/{take}/apply"
    refused = olga.post(path, json={"reserve_orders": shown, "idem_key": "apply-1"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "reserve_orders_changed"
    assert [(o["number"], o["qty"], o["paid"]) for o in body["orders"]] == [
        ("W-3", 2, False),
        ("W-1", 2, False),
    ]
    russian, english = body["detail"].split(" / ")
    assert "изменились" in russian and "заказ № W-3" in russian and "подтвердите снова" in russian
    assert "changed" in english and "order W-3" in english and "confirm again" in english
    card = olga.get("/api/stock/MUG").json()
    assert (card["on_hand"], card["reserved"]) == (10, 9)  # nothing changed
    assert olga.get(f"/api/stocktakes/{take}").json()["status"] == "counting"
    assert olga.get("/api/orders/W-1").json()["status"] == "reserved"
    assert olga.post(path, json={}).json()["error"] == "reserve_orders_changed"  # saw none

    applied = olga.post(path, json={"reserve_orders": body["orders"], "idem_key": "apply-1"})
    assert applied.status_code == 200, applied.text
    assert applied.json()["reserve_orders"] == body["orders"]
    card = olga.get("/api/stock/MUG").json()
    assert (card["on_hand"], card["reserved"]) == (5, 5)
    assert olga.get("/api/orders/W-3").json()["status"] == "short"
    again = olga.post(path, json={"reserve_orders": body["orders"], "idem_key": "apply-1"})
    assert again.json()["replayed"] is True
