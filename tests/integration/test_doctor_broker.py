"""`storegw doctor` and the gateway's broker session, on a real Mosquitto configured as
firmware-config/mosquitto/acl.example asks (`use_username_as_clientid true`): every connection
made with the gateway's user name gets the gateway's client id, so a doctor connecting as the
gateway would throw it off and, starting clean, wipe its session and the messages queued in it.

- The gateway running (`storegw run`): the doctor reports the broker from the gateway's own
  link and opens no connection; the gateway stays connected and a message queued in its session
  while the doctor runs is delivered.
- The gateway stopped: the doctor connects itself, and the session the broker keeps for the
  gateway (with an order queued in it) is still there, order and all, when the gateway returns.
"""

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gateway.config import load_config
from gateway.doctor import OK, Probes
from gateway.doctor_gateway import fetch_status
from gateway.doctor_system import broker_findings
from tests import builders
from tests.clean_env import storegw_free_env
from tests.integration.test_doctor import STOREGW, write_config
from tests.mqtt_helpers import start_cloud, wait_until

STORE = "shop-001"
TAKEN_OVER = "already connected, closing old connection"
AS_GATEWAY = f"as {STORE} ("  # mosquitto: "New client connected from ... as shop-001 (p5, ..."


@pytest.fixture
def username_broker(make_broker):
    """The integrators' setting; at most one unacknowledged QoS 1 message per client, so what
    the broker sends next waits in the client's session."""
    return make_broker(extra_conf="use_username_as_clientid true\nmax_inflight_messages 1")


def gateway_config(folder: Path, broker) -> Path:
    return write_config(folder, broker.url, mqtt=f'username = "{STORE}"\n')


def test_a_running_gateway_keeps_its_connection_and_its_queued_message(tmp_path, username_broker):
    config_path = gateway_config(tmp_path / "box", username_broker)
    config = load_config(config_path, env={})
    url = f"http://127.0.0.1:{config.web_port}/healthz"
    env = storegw_free_env()
    process = subprocess.Popen(
        [str(STOREGW), "run", "--config", str(config_path)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cloud = None
    try:
        wait_until(lambda: _link(url).get("state") == "connected", 30, "the gateway's link")
        cloud = start_cloud(f"mqtt://cloud@{username_broker.host}:{username_broker.port}")
        cloud.send("catalog.upsert", builders.catalog(builders.simple_product("MUG")))
        wait_until(lambda: _link(url).get("in_seq") == 1, 10, "the catalog applied")
        sent_before = _sent_to_gateway(username_broker)

        # The gateway's writer waits for this lock: the first message stays unacknowledged in
        # the gateway, the second waits in its session on the broker.
        lock = sqlite3.connect(config.database_path, isolation_level=None, timeout=5)
        lock.execute("BEGIN IMMEDIATE")
        try:
            cloud.send("stock.set", builders.stock_set(MUG=5))
            last = cloud.send("stock.set", builders.stock_set(MUG=7))["seq"]
            wait_until(
                lambda: _sent_to_gateway(username_broker) > sent_before, 3, "the first delivery"
            )

            found = broker_findings(config, Probes(timeout=2.0))
        finally:
            lock.execute("ROLLBACK")
            lock.close()

        wait_until(lambda: _link(url).get("in_seq") == last, 15, "the queued message applied")
        link, resends = _link(url), cloud.resends
    finally:
        if cloud is not None:
            cloud.stop()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)

    [broker] = found
    assert broker.level == OK, broker.line()
    assert broker.found.startswith("connected since "), broker.line()
    assert f"({username_broker.url}, the running gateway's own link): " in broker.found
    log = username_broker.log_text()
    assert TAKEN_OVER not in log
    assert log.count(AS_GATEWAY) == 1  # the gateway's one connection, and nobody else as it
    assert link["state"] == "connected"
    # Delivered from the session the broker kept, not sent again by the cloud after a gap.
    assert resends == 0


def test_a_stopped_gateways_session_and_its_queued_order_survive_the_doctor(
    tmp_path, username_broker
):
    topic = f"storegw/{STORE}/in/orders"
    gateway = _session_client(username_broker)  # the gateway's session, as it leaves it
    subscribed = []
    gateway.on_subscribe = lambda *_: subscribed.append(True)
    gateway.subscribe(topic, qos=1)
    while not subscribed:
        gateway.loop(timeout=0.1)
    gateway.disconnect()
    _publish(username_broker, topic, b"order W-7")  # queued for the stopped gateway
    config = load_config(gateway_config(tmp_path / "box", username_broker), env={})

    [found] = broker_findings(config, Probes(timeout=5.0))

    assert found.level == OK, found.line()
    assert found.found == f"127.0.0.1:{username_broker.port} accepts the gateway as {STORE}"
    back, received = _session_client(username_broker, collect=True)
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        back.loop(timeout=0.1)
    back.disconnect()
    assert back.session_present, "the gateway's session was wiped"
    assert received == [b"order W-7"]


def test_the_doctors_own_session_ends_with_it(tmp_path, broker):
    config = load_config(write_config(tmp_path / "box", broker.url), env={})

    [found] = broker_findings(config, Probes(timeout=5.0))

    assert found.level == OK, found.line()
    probe = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"storegw-{STORE}-doctor", protocol=mqtt.MQTTv5
    )
    flags = []
    probe.on_connect = lambda _c, _u, f, _r, _p: flags.append(f.session_present)
    probe.connect(broker.host, broker.port, clean_start=False)
    while not flags:
        probe.loop(timeout=0.1)
    probe.disconnect()
    assert flags == [False]  # nothing left behind on the broker


def _link(url: str) -> dict:
    return (fetch_status(url, 2.0) or {}).get("mqtt") or {}


def _sent_to_gateway(broker) -> int:
    return broker.log_text().count(f"Sending PUBLISH to {STORE} ")


def _session_client(broker, collect: bool = False):
    """A client as the gateway connects: its user name, a persistent session. With collect,
    (client, the payloads it receives, acknowledged)."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"storegw-{STORE}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(STORE)
    received: list[bytes] = []
    client.on_message = lambda _c, _u, message: received.append(message.payload)
    state = []
    client.on_connect = lambda _c, _u, flags, reason, _p: state.append(flags.session_present)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    client.connect(broker.host, broker.port, clean_start=False, properties=properties)
    deadline = time.monotonic() + 5
    while not state and time.monotonic() < deadline:
        client.loop(timeout=0.1)
    assert state, "no CONNACK"
    client.session_present = state[0]
    return (client, received) if collect else client


def _publish(broker, topic: str, payload: bytes) -> None:
    cloud = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="cloud", protocol=mqtt.MQTTv5)
    cloud.username_pw_set("cloud")  # the broker wants a user name for every client
    cloud.connect(broker.host, broker.port)
    cloud.loop_start()
    cloud.publish(topic, payload, qos=1).wait_for_publish(5)
    cloud.disconnect()
    cloud.loop_stop()
