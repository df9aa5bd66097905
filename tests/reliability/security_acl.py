"""Two shops on one real Mosquitto with password auth and the ACL the project ships
(firmware-config/mosquitto/acl.example). Both gateways and their clouds work normally (the
legitimate messages must flow both ways, or the ACL proved nothing); an intruder holding shop
A's credentials subscribes to shop B's topics and every wildcard, publishes into B's topics
(and the cloud's side of its own), and tries to take over B's client id. Observers: the
intruder's own inbox, a watch client with the cloud's rights on `storegw/#`, and shop B's
database."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from gateway.bootstrap import Gateway
from gateway.config import load_config
from simulators.backoffice.cloud import Cloud
from tests import builders
from tests.brokers import Broker
from tests.mqtt_helpers import counters, gateway_env, seed, wait_in_sync, wait_until

ROOT = Path(__file__).resolve().parents[2]
ACL = ROOT / "firmware-config" / "mosquitto" / "acl.example"
SHOPS = {"shop-a": "secret-a", "shop-b": "secret-b"}
# The back office's connections: one per shop's cloud simulator and the watch. Each needs a user
# of its own (use_username_as_clientid); the example names one, the others get the same rights.
CLOUD_USERS = {"shop-a": "cloud", "shop-b": "cloud-b", "watch": "cloud-watch"}
CLOUD_PASSWORD = "secret-cloud"
MARK = "intruder-was-here"
SNOOPS = ("storegw/shop-b/#", "storegw/+/out/#", "storegw/+/in/#", "storegw/#", "#", "$SYS/#")
FORGERIES = (
    "storegw/shop-b/in/orders",
    "storegw/shop-b/in/cmd",
    "storegw/shop-b/out/status",
    "storegw/shop-b/out/events",
    "storegw/shop-a/in/orders",  # the cloud's side of its own shop
    "storegw/other/in/orders",
)


@dataclass
class AclOutcome:
    legit_in: int = 0  # cloud messages each shop applied
    legit_out: int = 0  # gateway events the clouds received
    snoop_filters: int = len(SNOOPS)
    forged: int = len(FORGERIES)
    leaks: list[str] = field(default_factory=list)
    legit_stalled: list[str] = field(default_factory=list)  # a shop's own sync did not finish
    takeover_kicked: int = 0  # shop B's gateway thrown off by a client using its id


def make_broker(workdir: Path) -> Broker:
    passwords, acl = workdir / "passwords", workdir / "acl"
    acl.write_text(
        ACL.read_text("utf-8")
        + "".join(f"\nuser {user}\ntopic readwrite storegw/#\n" for user in CLOUD_USERS.values()
                  if user != "cloud"),
        "utf-8",
    )  # fmt: skip
    users = {**SHOPS, **dict.fromkeys(CLOUD_USERS.values(), CLOUD_PASSWORD)}
    for n, (user, password) in enumerate(users.items()):
        create = ["-c"] if n == 0 else []
        subprocess.run(["mosquitto_passwd", "-b", *create, str(passwords), user, password],
                       check=True, capture_output=True, timeout=30)  # fmt: skip
    conf = (  # as acl.example says to configure the broker
        f"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}\n"
        "use_username_as_clientid true"
    )
    return Broker(workdir / "broker-acl", extra_conf=conf).start()


def client(user: str, password: str, client_id: str, inbox: list) -> mqtt.Client:
    made = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    made.username_pw_set(user, password)
    made.on_message = lambda c, u, m: inbox.append((m.topic, bytes(m.payload)))
    return made


def run_acl(workdir: Path) -> AclOutcome:
    outcome = AclOutcome()
    workdir.mkdir(parents=True, exist_ok=True)
    broker = make_broker(workdir)
    gateways: dict[str, Gateway] = {}
    clouds: dict[str, Cloud] = {}
    watched: list = []
    watch = client(CLOUD_USERS["watch"], CLOUD_PASSWORD, "watch", watched)
    try:
        for shop, password in SHOPS.items():
            credentials = {"STOREGW_MQTT_USERNAME": shop, "STOREGW_MQTT_PASSWORD": password}
            env = gateway_env(
                workdir / f"{shop}.db", broker.url, STOREGW_STORE_ID=shop, **credentials
            )
            gateways[shop] = Gateway(load_config(None, env=env)).start()
            url = f"mqtt://{CLOUD_USERS[shop]}:{CLOUD_PASSWORD}@127.0.0.1:{broker.port}"
            clouds[shop] = Cloud(url, shop, gap_timeout=0.5)
            clouds[shop].start()
        watch.connect("127.0.0.1", broker.port)
        watch.subscribe("storegw/#", qos=1)
        watch.loop_start()
        for shop, cloud in clouds.items():
            seed(cloud, **{f"{shop}-X": 5})
            wait_in_sync(cloud, workdir / f"{shop}.db")
        # Shop A's box is in the intruder's hands: its gateway is off, its password known (with
        # use_username_as_clientid the two would only keep throwing each other off).
        count_legit(outcome, clouds.pop("shop-a"), workdir / "shop-a.db")
        gateways.pop("shop-a").stop()
        intrude(broker, watch, watched, outcome)
        seed(clouds["shop-b"], **{"shop-b-Y": 7})  # shop B's traffic after the intrusion
        count_legit(outcome, clouds["shop-b"], workdir / "shop-b.db")
        outcome.leaks += [
            f"watch saw {topic}"
            for topic, body in watched
            if MARK.encode() in body and not topic.startswith("storegw/shop-a/out/")
        ]
        orders = gateways["shop-b"].read(
            lambda conn: conn.execute("SELECT count(*) FROM customer_order").fetchone()[0]
        )
        if orders:
            outcome.leaks.append(f"shop B holds {orders} order(s) nobody placed")
    finally:
        watch.loop_stop()
        watch.disconnect()
        for cloud in clouds.values():
            cloud.stop()
        for gateway in gateways.values():
            gateway.stop()
        log = broker.log_text()
        outcome.takeover_kicked = sum(
            log.count(f"Client {name} already connected") for name in ("shop-b", "storegw-shop-b")
        )
        broker.stop()
    return outcome


def count_legit(outcome: AclOutcome, cloud: Cloud, db_path: Path) -> None:
    """The shop's own traffic flowed both ways: the cloud's messages applied, its events sent."""
    try:
        wait_in_sync(cloud, db_path)
    except AssertionError as exc:  # e.g. thrown off the broker, its session wiped
        outcome.legit_stalled.append(f"{cloud.store_id}: {exc}")
    outcome.legit_in += counters(db_path).get("in_seq", 0)
    outcome.legit_out += len(cloud.events())
    cloud.stop()


def intrude(broker: Broker, watch: mqtt.Client, watched: list, outcome: AclOutcome) -> None:
    """Shop A's credentials against shop B. Two controls show the intruder's connection works:
    a message the cloud sends to shop A reaches it, and one it publishes as shop A reaches the
    cloud -- sent after the forgeries, so they had every chance to arrive too."""
    inbox: list = []
    intruder = client("shop-a", SHOPS["shop-a"], "intruder", inbox)
    intruder.connect("127.0.0.1", broker.port)
    intruder.loop_start()
    try:
        wait_until(intruder.is_connected, 10, "the intruder's connection")
        for snoop in (*SNOOPS, "storegw/shop-a/in/#"):
            intruder.subscribe(snoop, qos=1)
        order = builders.order("INTRUDER-1", ("shop-b-X", 1))
        for topic in FORGERIES:
            body = json.dumps({"type": "order.created", "seq": 1, "data": order, "note": MARK})
            intruder.publish(topic, body.encode(), qos=1).wait_for_publish(5)
        watch.publish("storegw/shop-a/in/probe", b"control", qos=1).wait_for_publish(5)
        intruder.publish("storegw/shop-a/out/probe", MARK.encode(), qos=1).wait_for_publish(5)
        wait_until(lambda: ("storegw/shop-a/in/probe", b"control") in inbox, 10, "the read control")
        wait_until(
            lambda: any(topic == "storegw/shop-a/out/probe" for topic, _ in watched),
            10,
            "the write control",
        )
        outcome.leaks += [
            f"intruder read {topic}"
            for topic, _ in inbox
            if not topic.startswith("storegw/shop-a/in/")
        ]
    finally:
        intruder.loop_stop()
        intruder.disconnect()
    # Shop A's credentials with shop B's client id: without use_username_as_clientid Mosquitto
    # would end B's connection and, with a clean start, wipe B's session.
    hijack = client("shop-a", SHOPS["shop-a"], "storegw-shop-b", [])
    hijack.connect("127.0.0.1", broker.port)
    hijack.loop_start()
    try:
        wait_until(hijack.is_connected, 10, "the hijacker's connection")
    finally:
        hijack.loop_stop()
        hijack.disconnect()
