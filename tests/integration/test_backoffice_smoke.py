"""The back-office simulator against a real Mosquitto and a tiny fake gateway written with raw
paho (tests/fake_gateway.py; never the real gateway: this checks the simulator speaks
MQTT-CONTRACT.md on its own). The broker is the `broker` fixture of tests/brokers.py."""

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from simulators.backoffice import Cloud, make_catalog
from simulators.backoffice.shop import initial_stock
from tests.fake_gateway import FakeGateway

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(broker) -> str:
    return broker.url


@pytest.fixture
def store() -> str:
    return f"shop-{uuid.uuid4().hex[:8]}"  # one store per test: no retained state leaks


@pytest.fixture
def gateway(url, store):
    gw = FakeGateway(url, store)
    yield gw
    gw.stop()


@pytest.fixture
def cloud_factory(url, store):
    clouds = []

    def make(**kwargs) -> Cloud:
        kwargs.setdefault("gap_timeout", 0.3)
        cloud = Cloud(url, store, **kwargs)
        assert cloud.start(wait=5)
        clouds.append(cloud)
        return cloud

    yield make
    for cloud in clouds:
        cloud.stop()


def order(order_id: str, sku: str, qty: int) -> dict:
    return {"order_id": order_id, "number": order_id, "channel": "web", "paid": True,
            "lines": [{"line_id": "1", "sku": sku, "qty": qty, "price": 59090}]}  # fmt: skip


def load_shop(cloud: Cloud, on_hand: int = 1) -> list[str]:
    catalog = make_catalog(2, 2)
    cloud.send("catalog.upsert", catalog)
    cloud.send("stock.set", initial_stock(catalog, on_hand))
    return [v["sku"] for p in catalog["products"] for v in p["variants"]]


def test_catalog_stock_and_orders_round_trip(gateway, cloud_factory):
    cloud = cloud_factory()
    assert cloud.wait_for(lambda c: (c.status or {}).get("online"), 5)
    skus = load_shop(cloud, on_hand=1)
    assert cloud.wait_for(lambda c: len(c.available) == 4, 5)
    cloud.send("order.created", order("W-1", skus[0], 1))
    cloud.send("order.created", order("W-2", skus[0], 1))  # the last unit is gone: short
    cloud.send("order.created", order("W-3", "NO-SUCH-SKU", 1))
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    expected = {"W-1": "cancelled", "W-2": "short", "W-3": "rejected"}
    assert cloud.wait_for(lambda c: c.orders == expected, 5), cloud.orders
    assert cloud.wait_for(lambda c: c.available[skus[0]] == 1, 5)
    assert [m["seq"] for m in cloud.events()] == list(range(1, gateway.out_seq + 1))
    assert cloud.wait_for(lambda c: gateway.acked == gateway.out_seq, 5)  # acked to the end
    assert [e["seq"] for e in cloud.sent.values()] == [1, 2, 3, 4, 5, 6]
    assert gateway.in_seq == 6
    assert cloud.protocol_errors == 0 and cloud.duplicates == 0
    assert cloud.check_oversold() == {}
    assert cloud.lags and cloud.first_status["W-1"] == "reserved"


def test_a_lost_gateway_message_is_replayed_and_duplicates_counted(gateway, cloud_factory):
    cloud = cloud_factory()
    gateway.drop_out.add(2)  # the broker "loses" the second stock.changed
    gateway.twice_out.add(3)
    skus = load_shop(cloud)
    cloud.send("order.created", order("W-1", skus[0], 1))
    # out: 1 stock.changed, 2 order.reserved (lost), 3 stock.changed (twice)
    assert cloud.wait_applied(3, 5)
    assert gateway.replays and gateway.replays[0] == 2
    assert cloud.gaps_replayed >= 1 and cloud.duplicates >= 1
    assert [m["seq"] for m in cloud.events()] == list(range(1, gateway.out_seq + 1))
    assert len(cloud.received) == gateway.out_seq


def test_gateway_resend_request_and_out_of_order_envelopes(gateway, cloud_factory):
    cloud = cloud_factory()
    gateway.drop_in.add(1)  # the catalog is "lost": the stock.set reveals the gap
    skus = load_shop(cloud, on_hand=3)
    assert cloud.wait_for(lambda c: gateway.in_seq == 2, 5)
    assert cloud.resends >= 1
    later = cloud.make_envelope("order.created", order("W-2", skus[1], 1))
    first = cloud.make_envelope("order.created", order("W-1", skus[0], 1))
    assert (later["seq"], first["seq"]) == (3, 4)
    cloud.send_envelope(first)  # seq 4 before 3: the gateway holds it and asks for 3
    cloud.send_envelope(later)
    cloud.send_envelope(later)  # a duplicate: skipped by seq
    assert cloud.wait_for(lambda c: set(c.orders) == {"W-1", "W-2"}, 5)
    applied = [e["data"].get("order_id") for e in gateway.applied if e["type"] == "order.created"]
    assert applied == ["W-2", "W-1"]


def test_malformed_and_stale_gateway_messages_never_crash(gateway, cloud_factory, store):
    cloud = cloud_factory()
    base = f"storegw/{store}/out"
    assert cloud.wait_for(lambda c: c.status is not None, 5)
    gateway.client.publish(f"{base}/events", b"\xff not json", qos=1)
    bad_v = {"v": 2, "id": "x", "type": "order.reserved", "ts": "", "seq": 1, "data": {}}
    gateway.client.publish(f"{base}/events", json.dumps(bad_v), qos=1)
    with gateway.lock:  # a sequenced message with bad data: counted, its seq still consumed
        gateway.emit("stock.changed", {"items": [{"sku": "A", "on_hand": "many"}]}, "stock")
        gateway.emit("order.rejected", {"order_id": "W-9", "reason": "x", "detail": "y"})
    assert cloud.wait_applied(2, 5)
    assert cloud.protocol_errors == 3 and cloud.orders == {"W-9": "rejected"}
    gateway.publish_status(boot=5)
    assert cloud.wait_for(lambda c: c.status["boot"] == 5, 5)
    will = {
        "v": 1,
        "id": "w",
        "type": "gateway.status",
        "ts": "",
        "data": {"online": False, "boot": 4},
    }
    gateway.client.publish(f"{base}/status", json.dumps(will), qos=1)
    gateway.publish_status(boot=5, alarms=["after the will"])
    assert cloud.wait_for(lambda c: c.status.get("alarms") == ["after the will"], 5)
    assert cloud.status["online"] is True


def test_a_cloud_joining_late_asks_for_the_tail_it_missed(url, store, gateway):
    with gateway.lock:  # published before any cloud subscribed: the broker drops them
        gateway.on_hand["A"], gateway.reserved["A"] = 3, 0
        gateway.stock_changed(["A"])
        gateway.emit("order.rejected", {"order_id": "W-0", "reason": "x", "detail": "y"})
    gateway.publish_status()  # retained: out_seq 2
    time.sleep(0.3)  # let the broker drop them for want of a subscriber
    cloud = Cloud(url, store, gap_timeout=0.3)
    try:
        assert cloud.start(wait=5)
        assert cloud.wait_applied(2, 5), cloud.stats()
        assert cloud.available == {"A": 3} and gateway.replays == [1]
    finally:
        cloud.stop()


def test_messages_sent_before_the_gateway_exists_are_resent(url, store, cloud_factory):
    cloud = cloud_factory()
    load_shop(cloud)  # nobody subscribed yet: the broker drops both
    time.sleep(0.4)
    gw = FakeGateway(url, store)  # first connection, status says in_seq 0
    try:
        assert cloud.wait_for(lambda c: gw.in_seq == 2 and len(c.available) == 4, 5)
    finally:
        gw.stop()


def test_manual_ack_and_state_file(gateway, cloud_factory, tmp_path):
    state = tmp_path / "cloud.jsonl"
    cloud = cloud_factory(auto_ack=False, state_file=str(state))
    load_shop(cloud)
    assert cloud.wait_applied(1, 5)
    time.sleep(0.3)
    assert gateway.acked == 0
    cloud.ack()
    assert cloud.wait_for(lambda c: gateway.acked == c.applied_through, 5)
    cloud.stop()
    again = cloud_factory(state_file=str(state))
    assert again.resumed and again.applied_through == gateway.acked
    assert again.send("cmd.resync", {})["seq"] == 3
    assert again.wait_for(lambda c: gateway.in_seq == 3 and len(c.available) == 4, 5)


def run_cli(url: str, store: str, *extra: str) -> subprocess.Popen:
    args = ["--url", url, "--store", store, "--products", "3", "--variants", "2", "--stock", "2"]
    return subprocess.Popen(
        [sys.executable, "-m", "simulators.backoffice", *args, "--seed", "7", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_cli_plays_the_web_shop_and_never_oversells(url, store, gateway):
    extra = ("--stock", "3", "--rate", "5", "--burst-every", "0.5", "--cancel-ratio", "0.2")
    proc = run_cli(url, store, *extra, "--duration", "3")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "summary: orders sent" in out and "oversold: 0" in out, out
    assert "burst:" in out and "SHORT" in out and "accepted" in out, out
    assert "protocol errors 0" in out and "unanswered 0" in out, out
    assert gateway.acked == gateway.out_seq  # everything acknowledged before exiting
    assert all(v >= 0 for v in gateway.on_hand.values())
    assert all(gateway.reserved[s] <= gateway.on_hand[s] for s in gateway.on_hand)


def test_cli_waits_for_a_late_broker_and_stops_on_sigterm(make_broker, store):
    late = make_broker(start=False)  # its port is chosen now, it starts after the simulator
    proc = run_cli(late.url, store, "--rate", "10", "--duration", "60")  # ends a failed wait
    said = []
    for line in proc.stdout:  # the broker starts only once the simulator has found it absent
        said.append(line)
        if "unreachable; retrying" in line:
            break
    late.start()
    gw = FakeGateway(late.url, store)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not gw.orders:
            time.sleep(0.1)
        assert gw.orders, "the simulator never ordered after the broker came up"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
        gw.stop()
    out = "".join(said) + out
    assert proc.returncode == 0, out
    assert "unreachable; retrying" in out and "summary: orders sent" in out, out


def test_cli_pays_on_the_site_and_gives_the_money_back_when_a_paid_order_is_cancelled(
    url, store, gateway
):
    """Contract 1.1: every order here is paid on the site (`order.paid` right after its
    `order.created`, for its total), and a cancelled one gets `order.refunded` of that payment."""
    extra = ("--rate", "8", "--burst-every", "0", "--cancel-ratio", "0.5", "--pay-online", "1")
    proc = run_cli(url, store, *extra, "--duration", "2.5")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    applied = [e for e in gateway.applied if e["type"].startswith("order.")]
    created = {e["data"]["order_id"]: e for e in applied if e["type"] == "order.created"}
    paid = {e["data"]["order_id"]: e for e in applied if e["type"] == "order.paid"}
    refunded = [e["data"] for e in applied if e["type"] == "order.refunded"]
    cancelled = {e["data"]["order_id"] for e in applied if e["type"] == "order.cancelled"}
    assert created and set(paid) == set(created)
    for order_id, env in paid.items():
        order = created[order_id]
        assert order["seq"] < env["seq"] and order["data"]["paid"] is False
        total = sum(line["qty"] * line["price"] for line in order["data"]["lines"])
        assert env["data"]["amount"] == total and env["data"]["payment_id"] == f"pay-{order_id}"
        assert env["data"]["method"] in ("card_online", "sbp", "other_electronic")
    assert refunded and {r["order_id"] for r in refunded} == cancelled
    for back in refunded:
        assert (back["payment_id"], back["amount"]) == (
            paid[back["order_id"]]["data"]["payment_id"],
            paid[back["order_id"]]["data"]["amount"],
        )
    assert f"payments on the site: {len(paid)} (" in out and f"refunded {len(refunded)} (" in out
    assert "protocol errors 0" in out, out


def test_the_cloud_counts_the_gateways_receipts_by_kind(gateway, cloud_factory):
    cloud = cloud_factory()
    with gateway.lock:
        for receipt_id, kind, payment_id in [(1, "prepayment", "pay-1"), (2, "sell", None),
                                             (3, "prepayment_refund", "pay-1")]:  # fmt: skip
            data = {"receipt_id": receipt_id, "kind": kind, "total": 100,
                    "payments": {"cash": 0, "card": 100, "prepaid": 0}}  # fmt: skip
            if payment_id:
                data["payment_id"] = payment_id
            gateway.emit("receipt.fiscalized", data)
        gateway.emit("fiscal.alarm", {"kind": "ofd_queue", "days": 3, "detail": "ОФД"})
    assert cloud.wait_applied(4, 5)
    assert cloud.receipts == {"prepayment": 1, "sell": 1, "prepayment_refund": 1}
    assert cloud.receipted_payments == {"pay-1": ["prepayment", "prepayment_refund"]}
    assert cloud.fiscal_alarms == [{"kind": "ofd_queue", "days": 3, "detail": "ОФД"}]
    assert cloud.protocol_errors == 0 and cloud.stats()["unknown_types"] == {}
