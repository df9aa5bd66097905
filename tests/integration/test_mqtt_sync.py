"""The contract over a real Mosquitto: the gateway in-process, the cloud simulator beside it."""

import pytest

from tests import builders
from tests.mqtt_helpers import (
    counters,
    database_problems,
    reserved_by_order,
    seed,
    start_linked,
    wait_in_sync,
)


@pytest.fixture
def link(broker, tmp_path):
    """(gateway, cloud, db_path) connected through the test broker."""
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    yield gateway, cloud, db_path
    cloud.stop()
    gateway.stop()
    assert database_problems(db_path) == []


def test_the_last_units_race_over_mqtt(link):
    """The seed's second criterion: many web orders for a few units — exactly the stock is
    reserved, everyone else is short, and the web shop ends up showing 0."""
    gateway, cloud, db_path = link
    seed(cloud, LAST=5)
    for n in range(30):
        cloud.send("order.created", builders.order(f"W-{n}", ("LAST", 1)))
    wait_in_sync(cloud, db_path)
    statuses = [cloud.orders.get(f"W-{n}") for n in range(30)]
    assert statuses.count("reserved") == 5 and statuses.count("short") == 25
    assert cloud.available["LAST"] == 0
    assert sum(reserved_by_order(db_path).values()) == 5
    assert cloud.check_oversold() == {}


def test_duplicates_and_redelivery_are_applied_once(link):
    gateway, cloud, db_path = link
    seed(cloud, A=5)
    first = cloud.send("order.created", builders.order("W-1", ("A", 2)))
    cloud.send_envelope(first)  # the very same message again
    cloud.send("order.created", builders.order("W-1", ("A", 2)))  # a cloud retry: new id, seq
    wait_in_sync(cloud, db_path)
    assert reserved_by_order(db_path) == {"W-1": 2}
    reserved_events = [e for e in cloud.events() if e["type"] == "order.reserved"]
    assert len(reserved_events) == 1


def test_missing_and_reordered_cloud_seqs_are_asked_for_and_applied_in_order(link):
    gateway, cloud, db_path = link
    seed(cloud, A=3)
    wait_in_sync(cloud, db_path)
    first = cloud.make_envelope("order.created", builders.order("W-1", ("A", 2)))
    second = cloud.make_envelope("order.created", builders.order("W-2", ("A", 2)))
    third = cloud.make_envelope("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    cloud.send_envelope(third)
    cloud.send_envelope(second)
    assert cloud.wait_for(
        lambda c: any(
            e["type"] == "sync.resend" and e["data"]["from_seq"] == first["seq"] for e in c.events()
        ),
        10,
    )
    assert reserved_by_order(db_path) == {}  # nothing applied out of order
    cloud.send_envelope(first)
    wait_in_sync(cloud, db_path)
    assert cloud.orders["W-1"] == "cancelled"
    assert cloud.orders["W-2"] == "reserved"  # W-1's cancel freed the units W-2 waited for


def test_bad_messages_are_rejected_and_the_gateway_carries_on(link):
    gateway, cloud, db_path = link
    seed(cloud, A=5)
    cloud.send_raw("in/orders", b"{oops")
    cloud.send_raw("in/orders", b"x" * (16 * 1024 * 1024 + 1))
    cloud.send_raw("in/orders", b'{"v": 2, "id": "old", "type": "order.created", "data": {}}')
    cloud.send_raw("in/orders", b'{"v": 1, "id": "odd", "type": "order.teleported", "data": {}}')
    cloud.send("order.created", {"order_id": "W-bad", "lines": [{"sku": "A", "qty": 1.5}]})
    cloud.send("order.created", builders.order("W-1", ("A", 1)))
    wait_in_sync(cloud, db_path)
    reasons = sorted(r["reason"] for r in cloud.rejected)
    assert reasons == ["invalid_json", "oversize", "unknown_type", "wrong_version"]
    assert cloud.orders["W-bad"] == "rejected"  # order.rejected: its data broke a rule
    assert reserved_by_order(db_path) == {"W-1": 1}


def test_a_catalog_with_mismatched_characteristics_is_rejected_by_product(link):
    gateway, cloud, db_path = link
    good = builders.product("P-ok", [builders.variant("OK-M", Размер="M")])
    bad = builders.product(
        "P-bad", [builders.variant("BAD-1", Размер="M"), builders.variant("BAD-2", Размер="M")]
    )
    cloud.send("catalog.upsert", builders.catalog(good, bad))
    cloud.send("stock.set", builders.stock_set(**{"OK-M": 2}))
    wait_in_sync(cloud, db_path)
    [rejected] = cloud.rejected
    assert rejected["reason"] == "characteristics_mismatch" and "P-bad" in rejected["detail"]
    assert cloud.available == {"OK-M": 2}


def test_status_is_retained_with_boot_and_progress(link):
    gateway, cloud, db_path = link
    seed(cloud, A=1)
    wait_in_sync(cloud, db_path)
    assert cloud.wait_for(lambda c: (c.status or {}).get("in_seq") == 2, 10)
    status = cloud.status
    assert status["online"] is True and status["boot"] == gateway.boot
    assert status["devices"]["fiscal"] == "not_configured"
    assert counters(db_path)["acked_seq"] == status["out_seq"] or status["outbox_backlog"] >= 0
