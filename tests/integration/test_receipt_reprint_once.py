"""«Чек ещё раз» prints one copy per tap: the same idempotency key, sent twice (a double tap that
got through, a request retried after a lost answer, both at once), prints one «КОПИЯ»; a new
key is a new copy; a copy the register refused leaves its key free."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from gateway.services.orders import create_order
from tests import builders
from tests.integration.test_orders_api import receipts_done, start


@pytest.fixture
def till(tmp_path, sim):
    client = start(tmp_path, sim.slave_path)
    with client, client.manager:
        yield client
    client.gateway.stop()


def copies(sim) -> int:
    return sum("КОПИЯ" in page for page in sim.printed)


def test_one_key_prints_one_copy_even_sent_twice_or_at_once(till, sim):
    till.gateway.run(create_order, builders.order("W-1", ("TS-RED-M", 1), paid=False))
    assert (
        till.post("/api/orders/W-1/ship", json={"receipt": {"payment": "cash"}}).status_code == 200
    )
    [receipt] = receipts_done(till, 1)
    path = f"/api/receipts/{receipt['receipt_id']}/reprint"

    first = till.post(path, json={"idem_key": "copy-1"})
    assert first.status_code == 200, first.text
    again = till.post(path, json={"idem_key": "copy-1"})  # the retry after a lost answer
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert copies(sim) == 1

    with ThreadPoolExecutor(2) as pool:  # a double tap whose two requests race
        both = list(pool.map(lambda _: till.post(path, json={"idem_key": "copy-2"}), range(2)))
    assert [r.status_code for r in both] == [200, 200]
    assert copies(sim) == 2
    assert till.post(path, json={"idem_key": "copy-3"}).status_code == 200  # a new tap
    assert copies(sim) == 3
    history = till.get("/api/orders/W-1").json()["history"]
    assert [e["what"] for e in history].count("receipt_copy") == 3


def test_a_refused_copy_leaves_its_key_free(till, sim):
    for order_id in ("W-1", "W-2"):
        till.gateway.run(create_order, builders.order(order_id, ("TS-RED-M", 1), paid=False))
        body = {"receipt": {"payment": "card"}}
        assert till.post(f"/api/orders/{order_id}/ship", json=body).status_code == 200
    first, _ = sorted(r["receipt_id"] for r in receipts_done(till, 2))
    refused = till.post(f"/api/receipts/{first}/reprint", json={"idem_key": "copy-9"})
    assert refused.status_code == 409 and refused.json()["error"] == "not_last_document"
    again = till.post(f"/api/receipts/{first}/reprint", json={"idem_key": "copy-9"})
    assert again.json()["error"] == "not_last_document"  # asked again, not «done» from memory
    assert copies(sim) == 0
