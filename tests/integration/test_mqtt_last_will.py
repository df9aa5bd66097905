"""The MQTT last will over a real Mosquitto: the broker publishes it when the gateway's connection
dies without a DISCONNECT, long after the gateway handed it over. It must not pass the figures
of that moment (out_seq, acked_seq, ...) off as current: they are said to be as of the
connection (the envelope's `ts` and the first alarm), made afresh at every connection."""

import json
import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from gateway.adapters.mqtt.gateway_status import AS_OF_ALARM
from gateway.bootstrap import Gateway
from gateway.config import load_config
from tests import builders
from tests.asyncapi_contract import Contract, load_document
from tests.mqtt_helpers import (
    STORE,
    counters,
    gateway_env,
    seed,
    start_cloud,
    wait_in_sync,
    wait_until,
)


class OutWatch:
    """Everything the gateway (or the broker for it) publishes on out/#, in arrival order."""

    def __init__(self, port: int):
        self._lock = threading.Lock()
        self._seen: list[tuple[str, dict]] = []
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self._client.on_message = self._on_message
        self._client.connect("127.0.0.1", port)
        self._client.subscribe(f"storegw/{STORE}/out/#", qos=1)
        self._client.loop_start()

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            self._seen.append((message.topic.rsplit("/", 1)[-1], json.loads(message.payload)))

    def seen(self) -> list[tuple[str, dict]]:
        with self._lock:
            return list(self._seen)

    def wills(self) -> list[dict]:
        return [env for kind, env in self.seen() if kind == "status" and not env["data"]["online"]]

    def events(self, after_seq: int = 0) -> list[dict]:
        """The sequenced messages (not the status) with a seq over `after_seq`."""
        return [env for kind, env in self.seen() if env.get("seq", 0) > after_seq]

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


@pytest.fixture
def contract() -> Contract:
    return Contract(load_document())


def check_will(will: dict, contract: Contract, gateway: Gateway) -> None:
    """A valid gateway.status whose figures are said to be as of its `ts`."""
    contract.check("out/status", will)
    data = will["data"]
    assert data["online"] is False and data["boot"] == gateway.boot
    assert data["alarms"][0] == AS_OF_ALARM.format(as_of=will["ts"])


def test_the_last_will_does_not_pass_old_figures_off_as_current(
    broker, proxy_to, tmp_path, contract
):
    db_path = tmp_path / "g.db"
    wan = proxy_to(broker)  # the gateway's connection, which the test kills
    gateway = Gateway(load_config(None, env=gateway_env(db_path, wan.url))).start()
    watch = OutWatch(broker.port)
    cloud = start_cloud(broker.url)
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the link")
        seed(cloud, A=5)  # the gateway publishes its first messages after it connected
        wait_in_sync(cloud, db_path)
        head = counters(db_path)["outbox_seq"]
        assert head > 0 and watch.events()

        wan.cut()  # the connection dies without a DISCONNECT: the broker publishes the will
        wait_until(lambda: watch.wills(), 10, "the first last will")
        [will] = watch.wills()
        check_will(will, contract, gateway)
        # As of the connection, before the gateway published anything: what it says is not
        # the head of the moment the broker published it, and its ts says so.
        assert will["data"]["out_seq"] == 0 < head
        assert will["ts"] < min(event["ts"] for event in watch.events())

        wan.restore()
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 20, "the reconnect")
        at_reconnect = counters(db_path)["outbox_seq"]
        cloud.send("order.created", builders.order("W-1", ("A", 2)))
        wait_in_sync(cloud, db_path)
        head = counters(db_path)["outbox_seq"]
        assert head > at_reconnect and watch.events(at_reconnect)

        wan.cut()
        wait_until(lambda: len(watch.wills()) == 2, 10, "the second last will")
        second = watch.wills()[1]
        check_will(second, contract, gateway)
        # Made again for this connection (not the one of the process's start) ...
        assert second["ts"] > will["ts"]
        assert second["data"]["out_seq"] == at_reconnect
        # ... and still only as of it: the messages published since are newer than its ts.
        assert second["data"]["out_seq"] < head
        assert second["ts"] < min(event["ts"] for event in watch.events(at_reconnect))
        assert second["data"]["acked_seq"] <= at_reconnect < counters(db_path)["acked_seq"]
    finally:
        cloud.stop()
        watch.close()
        gateway.stop()
