"""The cloud link's own recovery over a real Mosquitto (issue 13, the sync defects): a skipped
cloud seq stays visible until it arrives, a connection whose first transaction failed is not
left idle, a cloud that never acknowledges is not flooded with the same window, and cloud
messages the database refused for a while (the disk full) are applied once it takes them."""

import logging
import sqlite3
import time
from contextlib import closing

from gateway.adapters.sqlite.connection import open_connection
from gateway.bootstrap import Gateway
from gateway.config import load_config
from tests import builders
from tests.mqtt_helpers import (
    counters,
    database_problems,
    gateway_env,
    reserved_by_order,
    seed,
    start_cloud,
    start_gateway,
    start_linked,
    wait_in_sync,
    wait_until,
)

LINK_LOG = "storegw.mqtt"


def gap_alarms(cloud) -> list[str]:
    return [a for a in (cloud.status or {}).get("alarms", []) if a.startswith("cloud_seq_gap")]


def test_a_lost_cloud_seq_stays_in_the_status_until_the_cloud_sends_it(broker, tmp_path, caplog):
    caplog.set_level(logging.WARNING, LINK_LOG)
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        seed(cloud, A=3)
        wait_in_sync(cloud, db_path)
        lost = cloud.make_envelope("order.created", builders.order("W-lost", ("A", 1)))
        cloud.send_envelope(cloud.make_envelope("cmd.resync", {}))  # held behind the lost one
        # After gap_wait the gateway skips the gap and applies the resync it held ...
        assert cloud.wait_for(
            lambda c: any(e["type"] == "stock.changed" and e["data"]["full"] for e in c.events()),
            30,
        )
        # ... and the loss stays in its status, naming the seq, and in its log.
        assert cloud.wait_for(lambda c: gap_alarms(c), 15), cloud.status
        assert f"cloud messages {lost['seq']} never arrived" in gap_alarms(cloud)[0]
        skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
        assert skipped and f"{lost['seq']}..{lost['seq']}" in skipped[0]

        cloud.send_envelope(lost)  # the cloud sends it again: applied late, the alarm goes
        assert cloud.wait_for(lambda c: c.orders.get("W-lost") == "reserved", 15)
        assert cloud.wait_for(lambda c: not gap_alarms(c) and c.status.get("in_seq"), 15)
        assert any("arrived at last" in r.getMessage() for r in caplog.records)
    finally:
        cloud.stop()
        gateway.stop()
    assert database_problems(db_path) == []


def test_a_gap_is_asked_for_several_times_before_it_is_given_up(broker, tmp_path):
    """From the network campaign: with gap_wait (4 s here) under the 5 s repeat, the gateway
    skipped a gap it had asked for once, while the cloud's answer was still trickling in
    through a broker that dropped most of it."""
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        seed(cloud, A=3)
        wait_in_sync(cloud, db_path)
        lost = cloud.make_envelope("order.created", builders.order("W-lost", ("A", 1)))
        cloud.send("order.created", builders.order("W-2", ("A", 1)))
        assert cloud.wait_for(lambda c: c.orders.get("W-2") == "reserved", 30)  # skipped
        asks = [
            e
            for e in cloud.events()
            if e["type"] == "sync.resend" and e["data"]["from_seq"] == lost["seq"]
        ]
        assert len(asks) >= 3, asks
    finally:
        cloud.stop()
        gateway.stop()


def test_a_connection_whose_database_step_failed_is_not_left_idle(
    broker, proxy_to, tmp_path, caplog
):
    """The link's first transaction on a new connection fails for real (another process holds
    the write lock longer than the busy timeout): it is retried, and the link works again. The
    default keepalive (30 s), so that the broker does not end the idle connection for us."""
    caplog.set_level(logging.WARNING, LINK_LOG)
    db_path = tmp_path / "g.db"
    wan = proxy_to(broker)
    env = gateway_env(db_path, wan.url, STOREGW_SYNC_KEEPALIVE="30")
    gateway = Gateway(load_config(None, env=env)).start()
    cloud = start_cloud(broker.url)
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the link")
        seed(cloud, A=3)
        wait_in_sync(cloud, db_path)
        wan.cut()
        wait_until(lambda: gateway.link.snapshot()["state"] == "offline", 10, "the cut")
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held past the busy timeout
        try:
            wan.restore()
            wait_until(
                lambda: any("database did not answer" in r.getMessage() for r in caplog.records),
                30,
                "the link's transaction to fail",
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        cloud.send("order.created", builders.order("W-1", ("A", 2)))
        wait_in_sync(cloud, db_path)
        assert cloud.orders["W-1"] == "reserved"
        assert gateway.link.snapshot()["state"] == "connected"
    finally:
        cloud.stop()
        gateway.stop()
    assert database_problems(db_path) == []


def test_a_silent_cloud_gets_the_window_again_less_and_less_often(broker, tmp_path):
    """No sync.ack comes (the cloud is down; this one listens but never acknowledges): each
    republication of the window waits about twice as long as the last (resend_after is 1 s
    here), and the first acknowledgement brings the short wait back."""
    db_path = tmp_path / "g.db"
    gateway = start_gateway(db_path, broker.url)
    cloud = start_cloud(broker.url, auto_ack=False)
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the link")
        seed(cloud, A=3)
        wait_until(lambda: counters(db_path).get("in_seq") == 2, 15, "the seed")
        wait_until(lambda: cloud.applied_through >= counters(db_path)["outbox_seq"], 15, "all")
        window = counters(db_path)["outbox_seq"]
        start = cloud.duplicates
        time.sleep(16)  # an outage of 16 resend_after: 16 republications before the back-off
        rounds = (cloud.duplicates - start) / window
        assert 2 <= rounds <= 6, rounds  # 1 + 2 + 4 + 8 s (jittered: 0.5-1 of each)

        cloud.ack(window)  # the cloud is back: progress resets the wait
        cloud.send("stock.adjust", builders.stock_adjust(A=1))
        wait_until(lambda: counters(db_path)["outbox_seq"] > window, 10, "a new event")
        before = cloud.duplicates
        wait_until(lambda: cloud.duplicates > before, 6, "a prompt republication")
    finally:
        cloud.stop()
        gateway.stop()
    assert database_problems(db_path) == []


def test_cloud_messages_refused_by_a_full_disk_are_applied_once_there_is_room(broker, tmp_path):
    """The database full (SQLite's max_page_count: a real SQLITE_FULL) while more cloud messages
    come than the broker lets us leave unacknowledged (Mosquitto: 20). Before, each refused one
    stayed unacknowledged until a reconnect: the broker stopped delivering, for good."""
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        seed(cloud, A=2000)
        wait_in_sync(cloud, db_path)
        gateway.writer.call(lambda uow: uow.conn.execute("PRAGMA max_page_count = 1"))
        lines = [("A", 1)] * 40  # a few KiB of lines: every order needs new pages
        ids = [f"W-{n:02d}" for n in range(30)]
        for order_id in ids:
            cloud.send("order.created", builders.order(order_id, *lines))
        # All the broker lets through (its window: 20 unacknowledged), after what still fitted.
        wait_until(lambda: gateway.link.snapshot()["unapplied"] >= 15, 20, "the messages held")
        assert "database refused" in gateway.link.snapshot()["detail"]
        assert len(reserved_by_order(db_path)) <= 5

        gateway.writer.call(lambda uow: uow.conn.execute("PRAGMA max_page_count = 1000000000"))
        wait_in_sync(cloud, db_path, timeout=60)
        assert reserved_by_order(db_path) == {order_id: 40 for order_id in ids}
        with closing(open_connection(db_path, readonly=True)) as conn:
            arrived = [i for (i,) in conn.execute("SELECT id FROM customer_order ORDER BY arrival")]
        assert arrived == ids  # in the order the cloud sent them
        snapshot = gateway.link.snapshot()
        assert snapshot["unapplied"] == 0 and snapshot["detail"] in (
            "new session",
            "session resumed",
        )
    finally:
        cloud.stop()
        gateway.stop()
    assert database_problems(db_path) == []


def test_a_message_over_the_brokers_packet_limit_waits_without_a_reconnect_storm(
    make_broker, tmp_path
):
    """QA: a full stock snapshot over the broker's max_packet_size made the broker drop the
    connection, again at every reconnect (56 times a minute), the outbox stuck behind it and
    the cloud shown the last will. Now it waits, said in the link and the status, until a
    broker that takes it."""
    broker = make_broker(extra_conf="max_packet_size 20000")
    db_path = tmp_path / "g.db"
    gateway, cloud = start_linked(db_path, broker.url)
    try:
        skus = [f"S-{n:03d}" for n in range(400)]
        for first in range(0, len(skus), 40):  # each cloud message under the limit too
            batch = skus[first : first + 40]
            cloud.send("catalog.upsert", builders.catalog(*map(builders.simple_product, batch)))
            cloud.send("stock.set", builders.stock_set(**dict.fromkeys(batch, 5)))
        wait_in_sync(cloud, db_path)
        cloud.send("cmd.resync", {})  # one stock.changed of 400 skus: about 28 kB
        cloud.send("order.created", builders.order("W-1", ("S-001", 1)))
        wait_until(lambda: gateway.link.snapshot()["held_back"], 15, "the snapshot held back")
        held = gateway.link.snapshot()["held_back"]
        assert "maximum packet size of 20000" in held
        time.sleep(3)
        snapshot = gateway.link.snapshot()
        assert (
            snapshot["state"] == "connected"
            and snapshot["sent_seq"] < counters(db_path)["outbox_seq"]
        )
        assert "oversize" not in broker.log_text()
        assert any(held in alarm for alarm in cloud.status["alarms"])

        broker.extra_conf = "max_packet_size 1000000"
        broker.restart()
        wait_in_sync(cloud, db_path, timeout=60)
        assert cloud.orders["W-1"] == "reserved"
        assert gateway.link.snapshot()["held_back"] is None
    finally:
        cloud.stop()
        gateway.stop()
    assert database_problems(db_path) == []
