"""Shared pieces of the MQTT tests: a gateway wired to a test broker, the cloud simulator,
and checks on the gateway's database."""

import time
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.outbox import outbox_head
from gateway.bootstrap import Gateway
from gateway.config import load_config
from simulators.backoffice.cloud import Cloud
from tests import builders

STORE = "shop-001"
FAST_SYNC = {  # short timers so faults heal within a test's patience
    "STOREGW_SYNC_RESEND_AFTER": "1",
    "STOREGW_SYNC_GAP_WAIT": "4",
    "STOREGW_SYNC_RECONNECT_MAX": "2",
    "STOREGW_SYNC_KEEPALIVE": "3",
}


def gateway_env(db_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        "STOREGW_DATABASE_PATH": str(db_path),
        "STOREGW_MQTT_URL": url,
        "STOREGW_STORE_ID": STORE,
        **FAST_SYNC,
        **extra,
    }


def start_gateway(db_path: Path, url: str) -> Gateway:
    return Gateway(load_config(None, env=gateway_env(db_path, url))).start()


def start_cloud(url: str, **options) -> Cloud:
    cloud = Cloud(url, STORE, gap_timeout=0.5, **options)
    cloud.start()
    assert cloud.wait_connected(10), "the cloud simulator could not connect"
    return cloud


def start_linked(db_path: Path, url: str) -> tuple[Gateway, Cloud]:
    """A gateway and the cloud simulator on one broker, once the gateway's link is up."""
    gateway = start_gateway(db_path, url)
    cloud = start_cloud(url)
    wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the gateway link")
    return gateway, cloud


def seed(cloud: Cloud, **on_hand: int) -> None:
    products = [builders.simple_product(sku) for sku in on_hand]
    cloud.send("catalog.upsert", builders.catalog(*products))
    cloud.send("stock.set", builders.stock_set(**on_hand))


def counters(db_path: Path) -> dict[str, int]:
    with closing(open_connection(db_path, readonly=True)) as conn:
        found = dict(conn.execute("SELECT name, value FROM counter").fetchall())
        return found | {"outbox_seq": outbox_head(conn)}


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_in_sync(cloud: Cloud, db_path: Path, timeout: float = 30) -> None:
    """The gateway applied every cloud seq, and the cloud holds every gateway seq."""
    last_cloud_seq = max(cloud.sent, default=0)
    wait_until(
        lambda: counters(db_path).get("in_seq", 0) >= last_cloud_seq,
        timeout,
        f"the gateway to apply cloud seq {last_cloud_seq}",
    )
    wait_until(
        lambda: (
            cloud.applied_through >= counters(db_path).get("outbox_seq", 0)
            and counters(db_path).get("acked_seq", 0) >= counters(db_path)["outbox_seq"]
        ),
        timeout,
        "the cloud to receive and acknowledge every gateway seq",
    )


def database_problems(db_path: Path) -> list[str]:
    with closing(open_connection(db_path, readonly=True)) as conn:
        return check_invariants(conn)


def reserved_by_order(db_path: Path) -> dict[str, int]:
    with closing(open_connection(db_path, readonly=True)) as conn:
        rows = conn.execute(
            "SELECT order_id, SUM(qty_reserved + qty_shipped) FROM order_line GROUP BY order_id"
        ).fetchall()
    return dict(rows)
