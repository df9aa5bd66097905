"""A counter sale of goods held for web orders through the staff API (a running gateway, the
register simulator): the refusal is a 409 carrying the orders; the same sale sent again with
them needs a manager (403 needs_manager), and with the manager's PIN it is sold."""

from gateway.services.orders import create_order
from tests.builders import order
from tests.integration.test_fiscal_api import start_with_mugs, wait_done
from tests.signin import MANAGER_PIN, desk_clients


def test_the_api_refuses_with_the_orders_then_sells_with_the_managers_pin(tmp_path, sim):
    gateway = start_with_mugs(tmp_path, sim.slave_path)  # 10 mugs
    try:
        client = desk_clients(gateway)
        with client, client.manager:
            gateway.run(create_order, order("W-278", ("MUG", 6), paid=False))
            gateway.run(create_order, order("W-313", ("MUG", 4), paid=True))
            body = {"items": [{"sku": "MUG", "qty": 2}], "payment": "card", "idem_key": "s-1"}
            refused = client.post("/api/sales", json=body)
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"] == "takes_reserved"
            orders = refused.json()["orders"]
            assert [(o["number"], o["qty"], o["paid"]) for o in orders] == [("W-278", 2, False)]
            body["take_reserved"] = orders
            needs = client.post("/api/sales", json=body)
            assert needs.status_code == 403 and needs.json()["error"] == "needs_manager"
            olga = client.manager.get("/api/me").json()["id"]
            pin = {"X-Storegw-Override": f"{olga}:{MANAGER_PIN}"}
            sold = client.post("/api/sales", json=body, headers=pin)
            assert sold.status_code == 200, sold.text
            assert sold.json()["taken_from_orders"][0]["order_id"] == "W-278"
            assert client.get("/api/orders/W-278").json()["status"] == "short"
            assert client.get("/api/orders/W-313").json()["status"] == "reserved"  # paid
            assert client.post("/api/sales", json=body, headers=pin).json()["replayed"] is True
            wait_done(client, 1)
            assert len(sim.receipts) == 1
    finally:
        gateway.stop()
