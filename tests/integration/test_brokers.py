"""The broker and proxy fixtures of tests/brokers.py, proved with raw paho-mqtt 2.x (MQTT v5):
a round trip, a crash and restart on the same port, the queue limit of RELIABILITY.md E4,
persistence across a crash (E5), and WAN cuts through the proxy."""

import queue
import threading
import time
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tests import brokers
from tests.brokers import Broker, MosquittoNotFound, TcpProxy

pytest_plugins = ["tests.brokers"]

WAIT_S = 10


class Client:
    """A paho client on its own network thread that records what happens to it."""

    def __init__(self, url: str, client_id: str = "", *, keepalive: int = 60):
        self.url = urlsplit(url)
        self.keepalive = keepalive
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.subscriptions: list[tuple[str, int]] = []
        self.connects: list[bool] = []  # session_present of each CONNACK
        self.disconnects = 0
        self.acks: dict[int, mqtt.ReasonCode] = {}
        self._changed = threading.Condition()
        self.paho = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.paho.reconnect_delay_set(min_delay=0.2, max_delay=1)
        self.paho.on_connect = self._on_connect
        self.paho.on_disconnect = self._on_disconnect
        self.paho.on_message = lambda client, userdata, message: self.messages.put(message)
        self.paho.on_publish = self._on_publish

    def connect(self, *, session_expiry: int | None = None) -> "Client":
        properties = None
        if session_expiry is not None:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = session_expiry
        self.paho.connect(
            self.url.hostname,
            self.url.port,
            keepalive=self.keepalive,
            clean_start=session_expiry is None,
            properties=properties,
        )
        self.paho.loop_start()
        self.wait_for(lambda: self.connects, "a CONNACK")
        return self

    def subscribe(self, topic: str, qos: int = 1) -> None:
        """Subscribed again on every (re)connection: a broker crash loses what it knew."""
        self.subscriptions.append((topic, qos))
        self.paho.subscribe(topic, qos)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> int:
        info = self.paho.publish(topic, payload, qos=qos)
        return info.mid

    def receive(self, timeout: float = WAIT_S) -> mqtt.MQTTMessage:
        return self.messages.get(timeout=timeout)

    def drain(self, quiet_s: float = 1.0) -> list[bytes]:
        """Payloads received until nothing has come for `quiet_s`."""
        payloads = []
        while True:
            try:
                payloads.append(self.messages.get(timeout=quiet_s).payload)
            except queue.Empty:
                return payloads

    def wait_for(self, predicate, what: str, timeout: float = WAIT_S) -> None:
        with self._changed:
            if not self._changed.wait_for(predicate, timeout=timeout):
                raise AssertionError(f"no {what} within {timeout} s")

    def close(self) -> None:
        self.paho.disconnect()
        self.paho.loop_stop()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if not reason_code.is_failure:
            for topic, qos in self.subscriptions:
                client.subscribe(topic, qos)
        with self._changed:
            self.connects.append(flags.session_present)
            self._changed.notify_all()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._changed:
            self.disconnects += 1
            self._changed.notify_all()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self._changed:
            self.acks[mid] = reason_code
            self._changed.notify_all()


@pytest.fixture
def clients():
    made: list[Client] = []

    def make(url: str, client_id: str = "", **options) -> Client:
        client = Client(url, client_id, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def round_trip(publisher: Client, subscriber: Client, payload: bytes) -> None:
    """QoS 1 is at least once: a message from before a reconnect may come again first."""
    publisher.publish("store/shop-001/down/test", payload)
    for _ in range(5):
        if subscriber.receive().payload == payload:
            return
    raise AssertionError(f"{payload!r} never arrived")


def test_a_message_goes_round_trip(broker, clients):
    assert broker.url == f"mqtt://127.0.0.1:{broker.port}"
    subscriber = clients(broker.url).connect()
    subscriber.subscribe("store/+/down/#")
    time.sleep(0.2)  # the SUBACK
    publisher = clients(broker.url).connect()
    round_trip(publisher, subscriber, b"hello")
    assert "mosquitto version" in broker.log_text()


def test_a_killed_broker_restarts_on_the_same_port_and_clients_come_back(broker, clients):
    subscriber = clients(broker.url).connect()
    subscriber.subscribe("store/+/down/#")
    publisher = clients(broker.url).connect()
    time.sleep(0.2)
    round_trip(publisher, subscriber, b"before")
    port, pid = broker.port, broker.pid

    broker.kill()
    assert not broker.running
    subscriber.wait_for(lambda: subscriber.disconnects >= 1, "disconnection")
    publisher.wait_for(lambda: publisher.disconnects >= 1, "disconnection")

    broker.restart()
    assert broker.running and broker.port == port and broker.pid != pid
    subscriber.wait_for(lambda: len(subscriber.connects) == 2, "reconnection")
    publisher.wait_for(lambda: len(publisher.connects) == 2, "reconnection")
    time.sleep(0.2)
    round_trip(publisher, subscriber, b"after")


def test_stop_is_a_clean_exit_and_restart_works_after_it(broker):
    assert broker.stop() == 0
    assert broker.stop() == 0  # idempotent
    broker.restart()
    assert brokers.port_accepts(broker.port)


def test_queue_limit_drops_messages_for_an_offline_session(make_broker, clients):
    """RELIABILITY.md E4: 20 PUBACK Success, yet the offline subscriber only ever gets 5."""
    broker = make_broker(max_queued_messages=5)
    gateway = clients(broker.url, "gw1").connect(session_expiry=3600)
    gateway.subscribe("store/shop-001/down/#")
    time.sleep(0.2)
    gateway.close()  # the session stays on the broker, queueing for gw1

    cloud = clients(broker.url, "cloud").connect()
    mids = [cloud.publish("store/shop-001/down/cmd", f"cmd{i}".encode()) for i in range(20)]
    cloud.wait_for(lambda: len(cloud.acks) == 20, "20 PUBACKs")
    assert all(not cloud.acks[mid].is_failure for mid in mids)

    gateway = clients(broker.url, "gw1").connect(session_expiry=3600)
    assert gateway.connects == [True]  # session_present
    received = gateway.drain()
    assert received == [f"cmd{i}".encode() for i in range(5)]
    assert "Outgoing messages are being dropped for client gw1" in broker.log_text()


def test_persistence_keeps_queued_messages_across_a_crash(make_broker, clients):
    """RELIABILITY.md E5: with autosave_interval 1, a SIGKILL loses nothing already saved."""
    broker = make_broker(persistence=True, autosave_interval=1)
    gateway = clients(broker.url, "gw1").connect(session_expiry=3600)
    gateway.subscribe("store/shop-001/down/#")
    time.sleep(0.2)
    gateway.close()
    cloud = clients(broker.url, "cloud").connect()
    for i in range(5):
        cloud.publish("store/shop-001/down/cmd", f"cmd{i}".encode())
    cloud.wait_for(lambda: len(cloud.acks) == 5, "5 PUBACKs")
    time.sleep(2.5)  # two autosaves
    broker.kill()
    assert (broker.persistence_dir / "mosquitto.db").is_file()

    broker.restart()
    gateway = clients(broker.url, "gw1").connect(session_expiry=3600)
    assert gateway.connects == [True]
    assert gateway.drain() == [f"cmd{i}".encode() for i in range(5)]


def test_extra_conf_is_applied(make_broker):
    broker = make_broker(extra_conf="max_inflight_messages 1\n")
    assert "max_inflight_messages 1" in broker.conf_path.read_text()
    assert broker.running


def test_a_broker_that_cannot_start_fails_with_its_log(make_broker):
    with pytest.raises(brokers.BrokerError, match="(?s)exited with status.*no_such_option"):
        make_broker(extra_conf="no_such_option 1")


def test_the_context_manager_stops_the_broker(tmp_path):
    with Broker(tmp_path / "cm") as broker:
        proc = broker._proc
        assert brokers.port_accepts(broker.port)
    assert proc.poll() is not None


def test_a_cut_closes_connections_and_refuses_new_ones_until_restored(broker, proxy_to, clients):
    proxy = proxy_to(broker)
    assert isinstance(proxy, TcpProxy) and proxy.url == f"mqtt://127.0.0.1:{proxy.port}"
    subscriber = clients(broker.url).connect()
    subscriber.subscribe("store/+/down/#")
    gateway = clients(proxy.url).connect()
    assert proxy.connections == 1
    time.sleep(0.2)
    round_trip(gateway, subscriber, b"online")

    proxy.cut()
    gateway.wait_for(lambda: gateway.disconnects >= 1, "disconnection", timeout=3)
    time.sleep(1.5)  # several reconnection attempts, each closed at once
    assert len(gateway.connects) == 1 and proxy.connections == 0

    proxy.restore()
    gateway.wait_for(lambda: len(gateway.connects) == 2, "reconnection")
    round_trip(gateway, subscriber, b"back")


def test_a_silent_cut_is_only_noticed_by_keepalive(broker, proxy_to, clients):
    proxy = proxy_to(broker)
    gateway = clients(proxy.url, keepalive=1).connect()
    proxy.cut(silent=True)
    started = time.monotonic()
    gateway.wait_for(lambda: gateway.disconnects >= 1, "disconnection", timeout=5)
    assert time.monotonic() - started >= 0.9  # no FIN: paho waited for a PINGRESP
    time.sleep(1)
    assert len(gateway.connects) == 1  # new attempts hang without a CONNACK

    proxy.restore()
    gateway.wait_for(lambda: len(gateway.connects) == 2, "reconnection")


def test_a_missing_mosquitto_fails_the_test_instead_of_skipping(make_broker, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(brokers, "SBIN_DIRS", ())
    with pytest.raises(MosquittoNotFound, match="apt-get install mosquitto"):
        Broker(tmp_path / "b")
    with pytest.raises(pytest.fail.Exception, match="apt-get install mosquitto"):
        make_broker()
