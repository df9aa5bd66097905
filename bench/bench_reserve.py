"""Reservation throughput: one-line orders reserved through the gateway, against bare SQLite.

Each round measures four short phases one after another, on the same filesystem:
  raw     - a bare sqlite3 connection, same pragmas, one UPDATE per BEGIN IMMEDIATE … COMMIT;
  gateway - `Writer.call(create_order, ...)`: the real path (a caller thread hands the command
            to the single writer thread and waits for COMMIT);
  direct  - `Database.run(create_order, ...)` in this thread: the same transaction, no hand-off;
  grouped - bursts of BURST orders submitted to the writer at once (a burst of MQTT messages or
            several tablets): the writer's group commit applies what has queued up in one
            transaction, each order in its own savepoint.
Many short rounds, the phase order rotating, and the medians reported: a burst of machine noise
(another process's fsyncs, say) hits every phase alike instead of one whole phase.
Speed is never pass/fail; the script exits 1 only if the data is wrong afterwards.

Environment: BENCH_RESERVE_SECONDS (seconds per phase, default 1), BENCH_RESERVE_ROUNDS (10)."""

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.writer import Writer
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change

SKUS = 1000
VARIANTS_PER_PRODUCT = 5
ON_HAND = 100_000  # per sku: far more than a run can reserve (a short order would be a bug here)
PHASE_SECONDS = float(os.environ.get("BENCH_RESERVE_SECONDS", "1"))
ROUNDS = int(os.environ.get("BENCH_RESERVE_ROUNDS", "10"))
PHASE_MAX_TX = 50_000  # a count bound as well as a time bound, for a very fast disk
WARMUP_TX = 5  # per phase, not timed: the other connection's commits invalidate page caches
BURST = 8
WAL_SAMPLE_TX = 1000  # a hundred page splits and more averaged

COLOURS = ("красный", "синий", "зелёный", "чёрный", "белый")
SIZES = ("XS", "S", "M", "L", "XL")

RAW_UPDATE = "UPDATE level SET reserved = reserved + 1 WHERE sku = ? AND on_hand - reserved >= 1"


def sku_name(index: int) -> str:
    return f"S-{index:05d}"


def catalog_data() -> dict:
    products = []
    for p in range(SKUS // VARIANTS_PER_PRODUCT):
        variants = []
        for v in range(VARIANTS_PER_PRODUCT):
            index = p * VARIANTS_PER_PRODUCT + v
            variants.append(
                {
                    "sku": sku_name(index),
                    "characteristics": {"Цвет": COLOURS[v], "Размер": SIZES[(p + v) % 5]},
                    "price": 10_000 + index,
                    "barcodes": [{"code": f"2{index:011d}", "pack": 1}],
                }
            )
        products.append(
            {
                "id": f"P-{p:05d}",
                "article": f"A-{p:05d}",
                "name": f"Футболка {p}",
                "vat": "vat22",
                "marked": False,
                "characteristics": ["Цвет", "Размер"],
                "archived": False,
                "variants": variants,
            }
        )
    return {"full": False, "products": products}


def setup_gateway_db(path: Path) -> None:
    database = Database(path)
    try:
        result = database.run(apply_catalog, parse_catalog_upsert(catalog_data()), report=False)
        if result["rejected"] or len(result["applied"]) != SKUS // VARIANTS_PER_PRODUCT:
            raise SystemExit(f"catalog setup failed: {result['rejected'][:3]}")
        items = [{"sku": sku_name(i), "on_hand": ON_HAND} for i in range(SKUS)]
        change = parse_stock_change("set", {"reason": "initial", "items": items})
        database.run(apply_stock_change, change)
    finally:
        database.close()


def open_raw(path: Path) -> sqlite3.Connection:
    """The gateway's pragmas (connection.open_connection) without any of its code."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE level(sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL,"
        " reserved INTEGER NOT NULL DEFAULT 0) STRICT"
    )
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO level(sku, on_hand) VALUES (?, ?)",
        [(sku_name(i), ON_HAND) for i in range(SKUS)],
    )
    conn.execute("COMMIT")
    return conn


class Counter:
    """Hands out round-robin skus and distinct order ids; counts what was reserved."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> tuple[str, str]:
        n = self.n
        self.n += 1
        return sku_name(n % SKUS), f"B-{n:07d}"


def timed(step: Callable[[], None], seconds: float, max_tx: int) -> tuple[int, float, float]:
    """Run `step` until `seconds` have passed or `max_tx` steps ran: (steps, elapsed seconds,
    CPU seconds of this process, all threads, user + system). Waiting for fsync costs no CPU,
    so the CPU figure tracks the code's own cost even when the disk is noisy."""
    for _ in range(WARMUP_TX):
        step()
    count = 0
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    while count < max_tx:
        step()
        count += 1
        if time.perf_counter() >= deadline:
            break
    return count, time.perf_counter() - start, time.process_time() - cpu


def wal_pages_per_tx(path: Path, step: Callable[[], None]) -> float:
    """WAL frames (pages) appended per transaction: what each commit writes, then fsyncs, and
    what a checkpoint later writes again into the database file (SD card wear). A reader
    holds the emptied WAL's snapshot meanwhile: no automatic checkpoint can start the WAL
    over, so every frame of the sample is still there to count."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    snapshot = sqlite3.connect(str(path), isolation_level=None)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            return float("nan")
        snapshot.execute("BEGIN")
        snapshot.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
        for _ in range(WAL_SAMPLE_TX):
            step()
        _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        snapshot.close()
        conn.close()
    return frames / WAL_SAMPLE_TX


def main() -> int:
    print(
        f"reserve bench: {SKUS} skus; {ROUNDS} rounds of raw, gateway, direct, grouped"
        f" (~{PHASE_SECONDS:g} s each)"
    )
    print(
        "note: reserve_per_s is one caller, one order at a time: every order its own"
        " BEGIN IMMEDIATE … COMMIT (one WAL fsync, synchronous=FULL). reserve_grouped_per_s"
        f" submits bursts of {BURST}: the writer's group commit shares one COMMIT among the"
        " orders that queued up meanwhile."
    )
    with tempfile.TemporaryDirectory(prefix="storegw-bench-") as tmp:
        gateway_path = Path(tmp) / "gateway.db"
        raw_path = Path(tmp) / "raw.db"
        setup_gateway_db(gateway_path)
        raw = open_raw(raw_path)
        writer = Writer(gateway_path).start()
        direct = Database(gateway_path)
        orders = Counter()
        raw_skus = Counter()
        raw_done = 0
        problems: list[str] = []

        def raw_step() -> None:
            nonlocal raw_done
            sku, _ = raw_skus.next()
            raw.execute("BEGIN IMMEDIATE")
            if raw.execute(RAW_UPDATE, (sku,)).rowcount != 1:
                raise RuntimeError(f"raw baseline: no free stock left for {sku}")
            raw.execute("COMMIT")
            raw_done += 1

        def order_step(run: Callable) -> Callable[[], None]:
            def step() -> None:
                sku, order_id = orders.next()
                order = {
                    "order_id": order_id,
                    "lines": [{"line_id": "1", "sku": sku, "qty": 1, "price": 10_000}],
                }
                result = run(create_order, order)
                if result["status"] != "reserved":
                    raise RuntimeError(f"order {order_id} came back {result['status']}")

            return step

        def grouped_step() -> None:
            bodies = []
            for _ in range(BURST):
                sku, order_id = orders.next()
                line = {"line_id": "1", "sku": sku, "qty": 1, "price": 10_000}
                bodies.append({"order_id": order_id, "lines": [line]})
            futures = [writer.submit(create_order, body) for body in bodies]
            for future in futures:
                if future.result()["status"] != "reserved":
                    raise RuntimeError("an order of the burst came back short")

        phases = {
            "raw": raw_step,
            "gateway": order_step(writer.call),
            "direct": order_step(direct.run),
            "grouped": grouped_step,
        }
        per_step = {"grouped": BURST}
        rates: dict[str, list[float]] = {name: [] for name in phases}
        cpu_ms: dict[str, list[float]] = {name: [] for name in phases}
        try:
            for round_no in range(1, ROUNDS + 1):
                line = []
                names = list(phases)
                # The order rotates and flips: no phase always goes first or after the same one.
                turn = round_no % len(names)
                order = names[turn:] + names[:turn]
                if round_no % 2:
                    order.reverse()
                for name in order:
                    step = phases[name]
                    steps, elapsed, cpu = timed(step, PHASE_SECONDS, PHASE_MAX_TX)
                    count = steps * per_step.get(name, 1)
                    rates[name].append(count / elapsed)
                    cpu_ms[name].append(cpu * 1000 / count)
                    line.append(f"{name} {count / elapsed:8.1f}/s ({count} in {elapsed:.2f} s)")
                print(f"round {round_no}: " + ", ".join(line))
            raw_pages = wal_pages_per_tx(raw_path, raw_step)
            order_pages = wal_pages_per_tx(gateway_path, phases["gateway"])
        finally:
            writer.stop()
            direct.close()

        raw_rate = statistics.median(rates["raw"])
        gateway_rate = statistics.median(rates["gateway"])
        direct_rate = statistics.median(rates["direct"])
        grouped_rate = statistics.median(rates["grouped"])
        print(f"BENCH sqlite_raw_commit_per_s {raw_rate:.1f} tx/s")
        print(f"BENCH reserve_per_s {gateway_rate:.1f} orders/s")
        print(f"BENCH reserve_direct_per_s {direct_rate:.1f} orders/s")
        print(f"BENCH reserve_vs_raw_ratio {gateway_rate / raw_rate:.3f} ratio")
        print(f"BENCH reserve_grouped_per_s {grouped_rate:.1f} orders/s")
        print(f"BENCH reserve_grouped_vs_raw_ratio {grouped_rate / raw_rate:.3f} ratio")
        raw_cpu, order_cpu, direct_cpu = (
            statistics.median(cpu_ms[n]) for n in ("raw", "gateway", "direct")
        )
        print(f"BENCH sqlite_raw_cpu_ms_per_tx {raw_cpu:.3f} ms")
        print(f"BENCH reserve_cpu_ms_per_order {order_cpu:.3f} ms")
        print(f"BENCH reserve_direct_cpu_ms_per_order {direct_cpu:.3f} ms")
        cpu_ratio = statistics.median(
            g / r for g, r in zip(cpu_ms["gateway"], cpu_ms["raw"], strict=True)
        )
        print(f"BENCH reserve_cpu_vs_raw_ratio {cpu_ratio:.2f} ratio")
        print(f"BENCH sqlite_raw_wal_pages_per_tx {raw_pages:.1f} pages")
        print(f"BENCH reserve_wal_pages_per_order {order_pages:.2f} pages")
        paired = statistics.median(
            g / r for g, r in zip(rates["gateway"], rates["raw"], strict=True)
        )
        print(f"median of the per-round ratios (gateway / raw of the same round): {paired:.3f}")
        print(
            f"per order: raw commit {1000 / raw_rate:.2f} ms, gateway {1000 / gateway_rate:.2f} ms,"
            f" direct {1000 / direct_rate:.2f} ms (thread hand-off"
            f" {1000 / gateway_rate - 1000 / direct_rate:+.2f} ms)"
        )

        # The figures mean nothing if the data is wrong.
        database = Database(gateway_path)
        conn = database.reader()
        try:
            problems += check_invariants(conn)
            reserved = conn.execute("SELECT COALESCE(SUM(reserved), 0) FROM stock_level").fetchone()
            orders_in_db = conn.execute(
                "SELECT COUNT(*) FROM customer_order WHERE status = 'reserved'"
            ).fetchone()
        finally:
            conn.close()
            database.close()
        if reserved[0] != orders.n or orders_in_db[0] != orders.n:
            problems.append(
                f"{orders.n} one-unit orders placed, but {reserved[0]} units reserved"
                f" and {orders_in_db[0]} orders reserved in the database"
            )
        raw_reserved = raw.execute("SELECT SUM(reserved) FROM level").fetchone()[0]
        raw.close()
        if raw_reserved != raw_done:
            problems.append(f"raw baseline: {raw_done} commits but {raw_reserved} reserved")
        print(f"checked: {orders.n} orders, {reserved[0]} units reserved, invariants run")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
