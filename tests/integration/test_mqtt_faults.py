"""Faults (RELIABILITY.md section 6): a broker crash, a gateway crash, a broker that drops
queued messages. In each case every order is applied exactly once, every gateway event reaches
the cloud (by id, de-duplicated) with a gapless seq, and the invariants hold."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests import builders
from tests.brokers import free_port
from tests.mqtt_helpers import (
    STORE,
    counters,
    database_problems,
    gateway_env,
    reserved_by_order,
    seed,
    start_cloud,
    start_gateway,
    start_linked,
    wait_in_sync,
)

ROOT = Path(__file__).resolve().parents[2]


def place_orders(cloud, first: int, count: int, pause: float = 0.02) -> list[str]:
    ids = []
    for n in range(first, first + count):
        cloud.send("order.created", builders.order(f"W-{n}", (f"S{n % 3}", 1)))
        ids.append(f"W-{n}")
        time.sleep(pause)
    return ids


def assert_converged(cloud, db_path: Path, order_ids: list[str]) -> None:
    wait_in_sync(cloud, db_path, timeout=60)
    held = reserved_by_order(db_path)
    assert sorted(held) == sorted(order_ids)  # every order exactly once (primary key)
    assert all(qty == 1 for qty in held.values())
    events = cloud.events()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))  # gapless
    assert len({e["id"] for e in events}) == len(events)
    assert len([e for e in events if e["type"] == "order.reserved"]) == len(order_ids)
    assert database_problems(db_path) == []


def test_broker_killed_and_restarted_while_orders_flow(broker, tmp_path):
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        seed(cloud, S0=100, S1=100, S2=100)
        orders: list[str] = []
        sender = threading.Thread(target=lambda: orders.extend(place_orders(cloud, 0, 60)))
        sender.start()
        time.sleep(0.4)
        broker.kill()  # SIGKILL: what it queued in memory is gone
        time.sleep(1.0)
        broker.restart()
        sender.join()
        orders += place_orders(cloud, 60, 10)
        assert_converged(cloud, db_path, orders)
    finally:
        cloud.stop()
        gateway.stop()


def run_gateway(config: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "storegw"), "run", "--config", str(config)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def write_config(tmp_path: Path, broker) -> Path:
    env = gateway_env(tmp_path / "g.db", broker.url)
    sync = {
        key.removeprefix("STOREGW_SYNC_").lower(): value
        for key, value in env.items()
        if key.startswith("STOREGW_SYNC_")
    }
    lines = [
        f'[store]\nid = "{STORE}"',
        f'[mqtt]\nurl = "{broker.url}"',
        f'[database]\npath = "{tmp_path / "g.db"}"',
        f'[web]\nlisten = "127.0.0.1:{free_port()}"',
        "[sync]",
        *(f'{key} = "{value}"' for key, value in sync.items()),
    ]
    config = tmp_path / "gateway.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def test_gateway_killed_mid_stream_and_restarted(broker, tmp_path):
    """SIGKILL: the will says offline; the persistent session keeps the cloud's messages;
    after the restart the outbox is republished from the last sync.ack."""
    config, log = write_config(tmp_path, broker), tmp_path / "gateway.log"
    db_path = tmp_path / "g.db"
    process = run_gateway(config, log)
    cloud = start_cloud(broker.url)
    try:
        assert cloud.wait_for(lambda c: (c.status or {}).get("online") is True, 20)
        first_boot = cloud.status["boot"]
        seed(cloud, S0=100, S1=100, S2=100)
        orders = place_orders(cloud, 0, 30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        orders += place_orders(cloud, 30, 20, pause=0)  # queued by the broker meanwhile
        assert cloud.wait_for(lambda c: c.status.get("online") is False, 15), "no last will"
        process = run_gateway(config, log)
        assert cloud.wait_for(
            lambda c: c.status.get("boot") == first_boot + 1 and c.status.get("online") is True, 20
        )
        orders += place_orders(cloud, 50, 10)
        assert_converged(cloud, db_path, orders)
    finally:
        cloud.stop()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_a_broker_dropping_queued_messages_loses_nothing(make_broker, tmp_path):
    """RELIABILITY R6: `max_queued_messages 5` PUBACKs 20 messages for an offline gateway and
    drops 15. The gateway's status shows how far it got, and the cloud sends the rest again."""
    broker = make_broker(max_queued_messages=5)
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        seed(cloud, S0=100, S1=100, S2=100)
        wait_in_sync(cloud, db_path)
        gateway.stop()  # offline; its session stays on the broker
        orders = place_orders(cloud, 0, 20, pause=0)
        time.sleep(0.5)
        assert "dropped" in broker.log_text()  # the broker really lost some
        gateway = start_gateway(db_path, broker.url)
        assert_converged(cloud, db_path, orders)
        assert counters(db_path)["in_seq"] == max(cloud.sent)
    finally:
        cloud.stop()
        gateway.stop()
