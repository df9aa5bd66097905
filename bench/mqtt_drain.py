"""Phase 4 of bench_mqtt.py: draining an outbox backlog.

An outbox of about DRAIN_EVENTS events is written by the gateway's own services while no
gateway is connected; for each of DRAINS, a gateway child starts on a copy of it and a Cloud
simulator (here), connected and acknowledging, must receive every seq 1..N once and ack them
all."""

import os
import sqlite3
import threading
import time
from collections import Counter
from contextlib import ExitStack, closing
from pathlib import Path

import psutil
from mqtt_children import Child
from mqtt_common import CpuMeter, PySpy, mib, order_data, shop_catalog

DRAIN_EVENTS = int(os.environ.get("BENCH_MQTT_DRAIN_EVENTS", "100000"))
SEED_BATCH = 256  # orders per transaction when seeding the outbox (group commit)
AIM_DRAIN_RATIO = 0.5
DRAIN_TIMEOUT_S = 90.0  # per drain: the rate is then over what arrived
STALL_S = 10.0  # the drain made no progress this long: stalled
# (label, the Cloud's ack_every): its default (a cumulative sync.ack every 100 messages and
# when the stream goes quiet), then a sync.ack for every single message
DRAINS = (("ack100", 100), ("ack1", 1))
STORE_DRAIN = "bench-drain"


def counter(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
    return row[0] if row else 0


def seed_outbox(db: Path, target: int) -> tuple[int, int]:
    """A gateway database whose outbox holds about `target` unpublished events, written by the
    gateway's own services (catalog, stock.set, then one-line orders in group-committed batches:
    each order writes order.reserved and stock.changed, ~250-300 bytes on the wire). Returns
    (outbox head, orders)."""
    from gateway.adapters.sqlite.database import Database
    from gateway.adapters.sqlite.outbox import outbox_head
    from gateway.domain.catalog import parse_catalog_upsert
    from gateway.domain.stock import parse_stock_change
    from gateway.services.catalog import apply_catalog
    from gateway.services.orders import create_order
    from gateway.services.stock import apply_stock_change
    from simulators.backoffice.shop import initial_stock

    catalog, prices, skus = shop_catalog()
    database = Database(db)

    def head() -> int:
        with closing(database.reader()) as conn:
            return outbox_head(conn)

    try:
        database.run(apply_catalog, parse_catalog_upsert(catalog), report=False)
        stock = initial_stock(catalog, on_hand=1_000_000)
        database.run(apply_stock_change, parse_stock_change("set", stock))
        orders = max(0, (target - head()) // 2)
        for first in range(0, orders, SEED_BATCH):
            jobs = []
            for n in range(first, min(orders, first + SEED_BATCH)):
                sku = skus[n % len(skus)]
                jobs.append((create_order, (order_data(n + 1, sku, prices[sku]),), {}))
            for ok, value in database.run_batch(jobs):
                if not ok or value["status"] != "reserved":
                    raise RuntimeError(f"seeding: an order failed: {value!r}")
        return head(), orders
    finally:
        database.close()


def read_outbox(db: Path) -> tuple[int, list[str], float]:
    """(acked_seq, event ids in seq order, mean wire-free data size)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        ids = [row[0] for row in conn.execute("SELECT event_id FROM outbox ORDER BY seq")]
        size = conn.execute("SELECT AVG(LENGTH(data_json)) FROM outbox").fetchone()[0]
        return counter(conn, "acked_seq"), ids, size


def watch_drain(cloud, gateway: Child, db: Path, n: int, online_at: float, rss: int) -> dict:
    """Poll every 10 ms until the Cloud holds seqs 1..n and the gateway's acked_seq is n, or
    nothing moves for STALL_S, or DRAIN_TIMEOUT_S passes (perf_counter times)."""
    received_at = acked_at = None
    deadline = online_at + DRAIN_TIMEOUT_S
    through, moved_at, progress, rss_peak = 0, time.perf_counter(), [], rss
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        while True:
            now = time.perf_counter()
            rss_peak = max(rss_peak, gateway.ps.memory_info().rss)
            if cloud.applied_through != through:
                through, moved_at = cloud.applied_through, now
            if received_at is None and through >= n:
                received_at = now
            if received_at is not None and counter(conn, "acked_seq") >= n:
                acked_at = now
                break
            if now - moved_at > STALL_S or now > deadline:
                break
            if not progress or now - progress[-1][0] >= 1.0:
                progress.append((now, through))
            time.sleep(0.01)
    stalled = acked_at is None and time.perf_counter() - moved_at > STALL_S
    end = acked_at or (moved_at if stalled else deadline)
    return {
        "finished": acked_at is not None,
        "stalled": stalled,
        "through": through,
        "moved_at": moved_at,
        "seconds": end - online_at,
        "received_s": (received_at or moved_at) - online_at,
        "rss_peak": rss_peak,
        "per_second": [f"{b - a}" for (_, a), (_, b) in zip(progress, progress[1:], strict=False)],
    }


def check_drain(
    label: str, events: list[dict], ids: list[str], acked: int, finished: bool, problems: list
) -> None:
    """The Cloud holds seqs 1..k in order with the outbox's ids (all N once finished), and the
    gateway's acked_seq is N once finished."""
    n = len(ids)
    seqs = [e["seq"] for e in events]
    if seqs != list(range(1, len(seqs) + 1)) or (finished and len(seqs) != n):
        problems.append(f"drain {label}: the cloud holds {len(seqs)} events, not 1..{n}")
    if [e["id"] for e in events] != ids[: len(events)]:
        problems.append(f"drain {label}: event ids differ from the gateway's outbox rows")
    if len({e["id"] for e in events}) != len(events):
        problems.append(f"drain {label}: an event id arrived under two seqs")
    if finished and acked != n:
        problems.append(f"drain {label}: gateway acked_seq {acked}, expected {n}")


def outbox_drain(
    broker, tmp: Path, seeded: Path, label: str, ack_every: int, problems: list[str]
) -> dict:
    """Start a gateway on a copy of the seeded database, with a fresh Cloud (acknowledging
    every `ack_every` messages, and when the stream goes quiet) subscribed before it comes
    online; time from its `online` status until the Cloud holds seqs 1..N and the gateway's
    acked_seq is N. Stops at the time bound (then the rate is over what arrived) and when
    nothing moves for STALL_S (a problem)."""
    from simulators.backoffice import Cloud

    db = tmp / label / "gateway.db"
    db.parent.mkdir()
    with closing(sqlite3.connect(seeded)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    _, ids, _ = read_outbox(db)
    n = len(ids)
    store = f"{STORE_DRAIN}-{label}"
    with ExitStack() as stack:
        cloud = Cloud(broker.url, store, ack_every=ack_every)
        stack.callback(cloud.stop)
        if not cloud.start(wait=10):
            raise RuntimeError("the Cloud simulator did not connect")
        online_at: list[float] = []

        def wait_online() -> None:
            if cloud.wait_for(lambda c: (c.status or {}).get("online"), 60):
                online_at.append(time.perf_counter())

        waiter = threading.Thread(target=wait_online, daemon=True)
        waiter.start()
        cpu = CpuMeter(bench=psutil.Process(), broker=psutil.Process(broker.pid))
        launched = time.perf_counter()
        args = ["gateway", str(db), broker.url, store]
        gateway = stack.enter_context(Child(f"gateway-{label}", args, tmp))
        rss_ready = gateway.reply()["rss"]
        spy = PySpy(gateway.proc.pid, label)
        gateway_cpu = CpuMeter(gateway=gateway.ps)
        waiter.join(60)
        if not online_at:
            raise RuntimeError("the gateway did not come online")
        watch = watch_drain(cloud, gateway, db, n, online_at[0], rss_ready)
        spy.stop()
        print(f"drain {label}: {cpu.line()}; {gateway_cpu.line('gateway')}")
        status = gateway.status(f"drain {label}", problems)
        acked, _, _ = read_outbox(db)
        if watch["stalled"]:
            moved_at = watch["moved_at"]
            problems.append(
                f"drain {label}: stalled: the cloud has seqs 1..{watch['through']} of {n}"
                f" {moved_at - online_at[0]:.1f} s after the gateway came online, and nothing"
                f" more for {time.perf_counter() - moved_at:.0f} s; gateway acked_seq {acked}"
            )
        events = cloud.events()
        check_drain(label, events, ids, acked, watch["finished"], problems)
        if cloud.protocol_errors:
            problems.append(f"drain {label}: cloud protocol errors: {cloud.errors[:3]}")
        rss_peak = watch["rss_peak"]
        return {
            **watch,
            "label": label,
            "ack_every": ack_every,
            "n": n,
            "launch_to_online": online_at[0] - launched,
            "rss": (rss_ready, rss_peak, status.get("rss", rss_peak)),
            "gateway_cpu_s": gateway_cpu.used("gateway"),
            "cloud": cloud.stats(),
            "types": dict(Counter(e["type"] for e in events)),
            "warnings": gateway.warnings(),
        }


def run_drains(broker, tmp: Path, problems: list[str]) -> list[dict]:
    """Seed the outbox once, then drain a copy of it for each of DRAINS."""
    clock = time.perf_counter()
    seeded = tmp / "seeded.db"
    n, orders = seed_outbox(seeded, DRAIN_EVENTS)
    _, _, data_size = read_outbox(seeded)
    print(
        f"drain phases: seeded {n} outbox events ({orders} orders; data_json"
        f" {data_size:.0f} bytes on average) in {time.perf_counter() - clock:.1f} s,"
        " with no gateway connected"
    )
    return [
        outbox_drain(broker, tmp, seeded, label, ack_every, problems) for label, ack_every in DRAINS
    ]


def report_drain(drain: dict, raw_rate: float, primary: bool) -> None:
    label, cloud = drain["label"], drain["cloud"]
    rss_ready, rss_peak, rss_end = drain["rss"]
    delivered = drain["n"] if drain["finished"] else drain["through"]
    cpu_ms = drain["gateway_cpu_s"] * 1000 / max(1, delivered)
    print(
        f"drain {label} (cloud ack_every {drain['ack_every']}): {drain['through']} of"
        f" {drain['n']} events at the cloud ({drain['types']}) after {drain['received_s']:.2f} s,"
        f" acked after {drain['seconds']:.2f} s, timed from the gateway's online status"
        f" ({drain['launch_to_online']:.2f} s after its launch); cloud duplicates"
        f" {cloud['duplicates']}, replays asked {cloud['gaps_replayed']}, acks sent"
        f" {cloud['acks_sent']}"
        + ("" if drain["stalled"] else f"; gateway cpu {cpu_ms:.3f} ms per event")
    )
    print(f"drain {label}: cloud applied per second: {' '.join(drain['per_second'])}")
    print(
        f"drain {label}: gateway rss {mib(rss_ready):.1f} MiB at start (backlog {drain['n']}),"
        f" peak {mib(rss_peak):.1f} MiB during the drain, {mib(rss_end):.1f} MiB after"
    )
    name = "outbox_drain" if primary else f"outbox_drain_{label}"
    if drain["stalled"] or drain["seconds"] <= 0:
        print(f"{name}_per_s: not measured: the drain stalled (see PROBLEM)")
        if primary:
            print(f"aim: outbox_drain_vs_raw_ratio ≥ {AIM_DRAIN_RATIO:g} NOT met")
        return
    rate = delivered / drain["seconds"]
    if not drain["finished"]:
        print(f"{name}: time bound reached; the rate is over the {delivered} events that arrived")
    print(f"BENCH {name}_per_s {rate:.0f} events/s")
    print(f"BENCH {name}_vs_raw_ratio {rate / raw_rate:.3f} ratio")
    if primary:
        met = "met" if rate / raw_rate >= AIM_DRAIN_RATIO else "NOT met"
        print(f"aim: outbox_drain_vs_raw_ratio ≥ {AIM_DRAIN_RATIO:g} {met}")
        print(f"BENCH gateway_rss_drain_growth_mb {mib(rss_peak - rss_ready):.1f} MB")
