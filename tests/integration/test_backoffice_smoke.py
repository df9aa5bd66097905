"""The back-office simulator against a real Mosquitto and a tiny fake gateway written here with
raw paho (never the real gateway: this checks the simulator speaks MQTT-CONTRACT.md on its own)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from simulators.backoffice import Cloud, make_catalog
from simulators.backoffice.shop import initial_stock

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="mosquitto not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(tmp: Path, port: int) -> subprocess.Popen:
    conf = tmp / f"mosquitto-{port}.conf"
    conf.write_text(
        f"user root\nlistener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n"
    )
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mosquitto did not start")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    port = free_port()
    proc = start_broker(tmp_path_factory.mktemp("mqtt"), port)
    yield f"mqtt://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(5)


@pytest.fixture
def store() -> str:
    return f"shop-{uuid.uuid4().hex[:8]}"  # one store per test: no retained state leaks


class FakeGateway:
    """The gateway side, minimally: cloud seqs applied in order (sync.resend on a gap), stock
    and reservations in dicts, every out message numbered and kept for cmd.replay, a status."""

    def __init__(self, url: str, store: str, boot: int = 1):
        self.base, self.boot = f"storegw/{store}", boot
        self.lock = threading.RLock()
        self.out_seq = self.in_seq = self.acked = 0
        self.outbox: dict[int, tuple[str, dict]] = {}
        self.held: dict[int, dict] = {}
        self.on_hand: dict[str, int] = {}
        self.reserved: dict[str, int] = {}
        self.orders: dict[str, dict[str, int]] = {}
        self.drop_out: set[int] = set()  # out seqs "lost by the broker" on first publish
        self.twice_out: set[int] = set()  # out seqs published twice
        self.drop_in: set[int] = set()  # cloud seqs "lost" on first arrival
        self.replays: list[int] = []
        self.applied: list[dict] = []
        port = int(url.rsplit(":", 1)[1])
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"storegw-{store}", protocol=mqtt.MQTTv5
        )
        will = json.dumps({"v": 1, "id": "will", "type": "gateway.status", "ts": "",
                           "data": {"online": False, "boot": boot}})  # fmt: skip
        self.client.will_set(f"{self.base}/out/status", will, qos=1, retain=True)
        self.client.on_connect = self.on_connect
        self.ready = threading.Event()  # subscribed and first status out
        self.client.on_subscribe = lambda *_: (self.publish_status(), self.ready.set())
        self.client.on_message = self.on_message
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect("127.0.0.1", port, clean_start=False, properties=props)
        self.client.loop_start()
        assert self.ready.wait(5), "fake gateway did not subscribe"

    def on_connect(self, client, *_) -> None:
        # Back-to-back small publishes otherwise wait ~40 ms for the broker's delayed ACK.
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.subscribe(f"{self.base}/in/#", qos=1)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, kind: str, env: dict) -> None:
        self.client.publish(f"{self.base}/out/{kind}", json.dumps(env), qos=1)

    def publish_status(self, **extra) -> None:
        with self.lock:
            data = {"online": True, "boot": self.boot, "in_seq": self.in_seq,
                    "out_seq": self.out_seq, "acked_seq": self.acked} | extra  # fmt: skip
        env = {"v": 1, "id": str(uuid.uuid4()), "type": "gateway.status", "ts": "", "data": data}
        self.client.publish(f"{self.base}/out/status", json.dumps(env), qos=1, retain=True)

    def emit(self, type_: str, data: dict, kind: str = "events") -> None:
        self.out_seq += 1
        env = {"v": 1, "id": str(uuid.uuid4()), "type": type_, "ts": "", "seq": self.out_seq}
        env["data"] = data
        self.outbox[self.out_seq] = (kind, env)
        if self.out_seq in self.drop_out:
            self.drop_out.discard(self.out_seq)
            return
        self.publish(kind, env)
        if self.out_seq in self.twice_out:
            self.publish(kind, env)

    def stock_changed(self, skus, full: bool = False) -> None:
        items = [
            {"sku": s, "on_hand": self.on_hand[s], "reserved": self.reserved[s],
             "available": max(0, self.on_hand[s] - self.reserved[s])}
            for s in sorted(skus)
        ]  # fmt: skip
        self.emit("stock.changed", {"full": full, "items": items}, "stock")

    def on_message(self, _client, _userdata, msg) -> None:
        env = json.loads(msg.payload)
        with self.lock:
            seq = env.get("seq")
            if seq is None:
                return self.apply(env)
            if seq in self.drop_in:
                self.drop_in.discard(seq)
                return
            if seq <= self.in_seq:
                return
            if seq > self.in_seq + 1:
                self.held[seq] = env
                return self.emit("sync.resend", {"from_seq": self.in_seq + 1})
            self.apply(env)
            self.in_seq = seq
            while self.in_seq + 1 in self.held:
                self.in_seq += 1
                self.apply(self.held.pop(self.in_seq))

    def apply(self, env: dict) -> None:
        type_, data = env["type"], env["data"]
        self.applied.append(env)
        if type_ == "catalog.upsert":
            for v in (v for p in data["products"] for v in p["variants"]):
                self.on_hand.setdefault(v["sku"], 0)
                self.reserved.setdefault(v["sku"], 0)
        elif type_ == "stock.set":
            for item in data["items"]:
                self.on_hand[item["sku"]] = item["on_hand"]
            self.stock_changed(item["sku"] for item in data["items"])
        elif type_ == "order.created" and data["order_id"] not in self.orders:
            self.create_order(data)
        elif type_ == "order.cancelled" and data["order_id"] in self.orders:
            held = self.orders[data["order_id"]]
            for sku, qty in held.items():
                self.reserved[sku] -= qty
            released = [{"sku": s, "qty": q} for s, q in held.items()]
            self.orders[data["order_id"]] = {}
            self.emit("order.cancelled", {"order_id": data["order_id"], "released": released,
                                          "by": "cloud"})  # fmt: skip
            self.stock_changed(held)
        elif type_ == "cmd.resync":
            self.stock_changed(self.on_hand, full=True)
        elif type_ == "cmd.replay":
            self.replays.append(data["from_seq"])
            for seq in range(data["from_seq"], self.out_seq + 1):
                self.publish(*self.outbox[seq])
        elif type_ == "sync.ack":
            self.acked = max(self.acked, data["through_seq"])

    def create_order(self, data: dict) -> None:
        order_id, lines = data["order_id"], data["lines"]
        if any(line["sku"] not in self.on_hand for line in lines):
            self.orders[order_id] = {}
            detail = "unknown sku"
            return self.emit("order.rejected", {"order_id": order_id, "reason": "unknown_sku",
                                                "detail": detail})  # fmt: skip
        held, out = {}, []
        for line in lines:
            sku = line["sku"]
            take = max(0, min(line["qty"], self.on_hand[sku] - self.reserved[sku]))
            self.reserved[sku] += take
            held[sku] = held.get(sku, 0) + take
            out.append({"line_id": line["line_id"], "sku": sku, "qty": line["qty"],
                        "reserved": take})  # fmt: skip
        self.orders[order_id] = held
        short = any(line["reserved"] < line["qty"] for line in out)
        self.emit("order.reserved", {"order_id": order_id, "lines": out,
                                     "status": "short" if short else "reserved"})  # fmt: skip
        self.stock_changed(held)


@pytest.fixture
def gateway(broker, store):
    gw = FakeGateway(broker, store)
    yield gw
    gw.stop()


@pytest.fixture
def cloud_factory(broker, store):
    clouds = []

    def make(**kwargs) -> Cloud:
        kwargs.setdefault("gap_timeout", 0.3)
        cloud = Cloud(broker, store, **kwargs)
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


def test_a_cloud_joining_late_asks_for_the_tail_it_missed(broker, store, gateway):
    with gateway.lock:  # published before any cloud subscribed: the broker drops them
        gateway.on_hand["A"], gateway.reserved["A"] = 3, 0
        gateway.stock_changed(["A"])
        gateway.emit("order.rejected", {"order_id": "W-0", "reason": "x", "detail": "y"})
    gateway.publish_status()  # retained: out_seq 2
    time.sleep(0.3)  # let the broker drop them for want of a subscriber
    cloud = Cloud(broker, store, gap_timeout=0.3)
    try:
        assert cloud.start(wait=5)
        assert cloud.wait_applied(2, 5), cloud.stats()
        assert cloud.available == {"A": 3} and gateway.replays == [1]
    finally:
        cloud.stop()


def test_messages_sent_before_the_gateway_exists_are_resent(broker, store, cloud_factory):
    cloud = cloud_factory()
    load_shop(cloud)  # nobody subscribed yet: the broker drops both
    time.sleep(0.4)
    gw = FakeGateway(broker, store)  # first connection, status says in_seq 0
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


def test_cli_plays_the_web_shop_and_never_oversells(broker, store, gateway):
    extra = ("--stock", "3", "--rate", "5", "--burst-every", "0.5", "--cancel-ratio", "0.2")
    proc = run_cli(broker, store, *extra, "--duration", "3")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "summary: orders sent" in out and "oversold: 0" in out, out
    assert "burst:" in out and "SHORT" in out and "accepted" in out, out
    assert "protocol errors 0" in out and "unanswered 0" in out, out
    assert gateway.acked == gateway.out_seq  # everything acknowledged before exiting
    assert all(v >= 0 for v in gateway.on_hand.values())
    assert all(gateway.reserved[s] <= gateway.on_hand[s] for s in gateway.on_hand)


def test_cli_waits_for_a_late_broker_and_stops_on_sigterm(tmp_path, store):
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    proc = run_cli(url, store, "--rate", "10")
    time.sleep(1.5)
    broker = start_broker(tmp_path, port)
    gw = FakeGateway(url, store)
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
        broker.terminate()
        broker.wait(5)
    assert proc.returncode == 0, out
    assert "unreachable; retrying" in out and "summary: orders sent" in out, out
