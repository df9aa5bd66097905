"""The staff JSON API on a running gateway with the register simulator: ship with a receipt, sell
at the counter, refund, shift and cash, and the status the cloud and the status page see. Анна
(a cashier) and Ольга (the manager) are signed in by PIN; refunds, cash out and closing the
shift are the manager's."""

import time

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.signin import desk_clients, start_gateway


def start_with_mugs(tmp_path, fiscal: str | None) -> Gateway:
    gateway = start_gateway(tmp_path, "shop-api", fiscal)
    catalog = builders.catalog(builders.simple_product("MUG", 45000))
    gateway.run(apply_catalog, parse_catalog_upsert(catalog))
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=10)))
    return gateway


@pytest.fixture
def api(tmp_path, sim):
    gateway = start_with_mugs(tmp_path, sim.slave_path)
    client = desk_clients(gateway)
    with client, client.manager:
        yield client
    gateway.stop()


def wait_done(client, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        receipts = client.get("/api/receipts").json()
        if len(receipts) == count and all(r["state"] == "done" for r in receipts):
            return receipts
        time.sleep(0.05)
    raise AssertionError(f"receipts not done: {client.get('/api/receipts').json()}")


def test_ship_sell_refund_and_close_the_shift_through_the_api(api, sim):
    api.gateway.writer.call(create_order, builders.order("W-1", ("MUG", 2), paid=False))
    refused = api.post("/api/orders/W-1/ship", json={})
    assert refused.status_code == 422 and "payment" in refused.json()["detail"]
    shipped = api.post("/api/orders/W-1/ship", json={"receipt": {"payment": "card"}})
    assert shipped.status_code == 200, shipped.text
    sale = {"items": [{"sku": "MUG"}], "payment": {"cash": 50000}, "idem_key": "tap-1"}
    sold = api.post("/api/sales", json=sale).json()
    assert sold["change"] == 5000
    assert api.post("/api/sales", json=sale).json()["replayed"] is True  # a double tap sells once
    wait_done(api, 2)
    manager = api.manager  # a refund and the shift's close are the manager's
    refunded = manager.post(f"/api/receipts/{sold['receipt_id']}/refund", json={})
    assert refunded.status_code == 200, refunded.text
    wait_done(api, 3)
    assert [doc["op_type"] for doc in sim.receipts] == [1, 1, 2]
    fiscal = api.get("/api/fiscal").json()
    assert fiscal["device"]["state"] == "ok" and fiscal["shift"]["cash_in_drawer"] == 0
    uncounted = manager.post("/api/fiscal/close-shift", json={})  # a person counts the drawer
    assert uncounted.status_code == 422 and "counted" in uncounted.json()["detail"]
    closed = manager.post("/api/fiscal/close-shift", json={"counted": 500})
    assert closed.status_code == 200 and closed.json()["totals"]["sales"]["count"] == 2
    cash = {k: closed.json()[k] for k in ("cash_expected", "cash_counted", "cash_difference")}
    assert cash == {"cash_expected": 0, "cash_counted": 500, "cash_difference": 500}
    again = manager.post("/api/fiscal/close-shift", json={"counted": 500})
    assert again.status_code == 409 and "смена не открыта" in again.json()["detail"]


def test_refusals_say_what_is_wrong_and_change_nothing(api, sim):
    sale = {"by": "Анна", "items": [{"sku": "MUG"}], "payment": "cash"}
    with TestClient(api.app) as nobody:  # a name in the body is no sign-in
        signed_out = nobody.post("/api/sales", json=sale)
    assert signed_out.status_code == 401 and "войдите" in signed_out.json()["detail"]
    stale = api.post("/api/sales", json=sale, headers={"X-CSRF-Token": "from-another-page"})
    assert stale.status_code == 403 and stale.json()["error"] == "csrf"
    unknown = api.post("/api/sales", json={"items": [{"sku": "NOPE"}], "payment": "cash"})
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]
    too_much = api.manager.post("/api/fiscal/cash-out", json={"amount": 100})
    assert too_much.status_code == 409 and "Откройте смену" in too_much.json()["detail"]
    missing = api.manager.post("/api/receipts/99/refund", json={})
    assert missing.status_code == 404
    assert api.get("/api/receipts").json() == [] and sim.receipts == []


def test_status_for_the_cloud_shows_the_register_and_the_shift(api, sim):
    assert api.post("/api/fiscal/open-shift", json={}).status_code == 200
    status = api.gateway.cloud_status(True)
    assert status["devices"]["fiscal"] == "ok" and status["shift"] == {"open": True, "number": 1}
    assert api.post("/api/fiscal/cash-in", json={"amount": 123456}).status_code == 200
    page = api.get("/devices").text
    assert "Фискальный регистратор" in page and "работает" in page
    assert "Смена № 1 открыта" in page and "1\u202f234,56 ₽" in page
    sim.remove_paper()
    api.post("/api/fiscal/x-report", json={})  # refused: paper out
    deadline = time.monotonic() + 5
    while api.gateway.cloud_status(True)["devices"]["fiscal"] != "paper_out":
        assert time.monotonic() < deadline, api.gateway.cloud_status(True)
        time.sleep(0.05)


def test_without_a_register_the_api_says_so_and_shipping_prints_nothing(tmp_path):
    gateway = start_with_mugs(tmp_path, None)
    try:
        gateway.writer.call(create_order, builders.order("W-1", ("MUG", 1), paid=False))
        with desk_clients(gateway) as client:
            assert client.post("/api/orders/W-1/ship", json={}).status_code == 200
            x = client.post("/api/fiscal/x-report", json={})
            assert x.status_code == 503 and "no fiscal register" in x.json()["detail"]
            assert client.get("/api/receipts").json() == []
            assert client.get("/api/fiscal").json()["device"]["state"] == "not_configured"
    finally:
        gateway.stop()
