"""A tiny fake gateway written with raw paho, for the back-office simulator's smoke tests
(tests/integration/test_backoffice_smoke.py): never the real gateway, so those tests check that
the simulator speaks MQTT-CONTRACT.md on its own."""

import json
import socket
import threading
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


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
                                          "by": "cloud", "staff_id": None})  # fmt: skip
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
