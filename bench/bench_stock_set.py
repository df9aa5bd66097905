"""A full stock snapshot from the back-office: one cloud `stock.set` listing every sku, applied
through the real service (`apply_stock_change`), against bare SQLite doing the same writes.

  raw     - a bare sqlite3 connection, same pragmas, one transaction: an UPDATE of every level
            (executemany) and a ledger row for each (executemany), then COMMIT;
  gateway - `Database.run(apply_stock_change, stock.set of every sku)`: the same rows, plus the
            checks (unknown sku, below zero), `stock.adjusted`, `stock.changed`, the low-stock
            check and filling short orders.
Each is timed twice (two snapshots with other numbers) and the faster kept, with its CPU
time (steadier than the wall clock on a shared machine). Speed is never
pass/fail; the script exits 1 only if the data is wrong afterwards.

Environment: BENCH_STOCK_SET_SKUS (default 100 000)."""

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.domain.stock import parse_stock_change
from gateway.services.stock import apply_stock_change

SKUS = int(os.environ.get("BENCH_STOCK_SET_SKUS", "100000"))
ROUNDS = 2


def sku_name(index: int) -> str:
    return f"S-{index:06d}"


def on_hand_of(index: int, round_no: int) -> int:
    return 10 + (index * 7 + round_no * 13) % 90


def setup_gateway(path: Path) -> None:
    """The catalog written straight into the tables (the catalog import is bench_catalog's)."""
    database = Database(path)
    database.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO product(id, name, vat, catalog_version) VALUES (?, ?, 'vat22', 1)",
        [(f"P-{i:06d}", f"Товар {i}") for i in range(SKUS)],
    )
    conn.executemany(
        "INSERT INTO variant(sku, product_id, name, price) VALUES (?, ?, ?, 10000)",
        [(sku_name(i), f"P-{i:06d}", f"Товар {i}") for i in range(SKUS)],
    )
    conn.executemany(
        "INSERT INTO stock_level(sku, location_id) VALUES (?, 'main')",
        [(sku_name(i),) for i in range(SKUS)],
    )
    conn.execute("COMMIT")
    conn.close()


def open_raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE level(sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL DEFAULT 0,"
        " seq INTEGER NOT NULL DEFAULT 0) STRICT"
    )
    conn.execute(
        "CREATE TABLE move(id INTEGER PRIMARY KEY, sku TEXT NOT NULL, d_on_hand INTEGER NOT NULL,"
        " ref TEXT NOT NULL) STRICT"
    )
    conn.execute("CREATE INDEX move_sku ON move(sku)")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO level(sku) VALUES (?)", [(sku_name(i),) for i in range(SKUS)])
    conn.execute("COMMIT")
    return conn


def raw_snapshot(conn: sqlite3.Connection, round_no: int) -> tuple[float, float]:
    cpu, start = time.process_time(), time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    current = dict(conn.execute("SELECT sku, on_hand FROM level"))
    moves = [(sku_name(i), on_hand_of(i, round_no) - current[sku_name(i)]) for i in range(SKUS)]
    conn.executemany(
        "UPDATE level SET on_hand = on_hand + ?, seq = seq + 1 WHERE sku = ?",
        [(delta, sku) for sku, delta in moves],
    )
    conn.executemany(
        "INSERT INTO move(sku, d_on_hand, ref) VALUES (?, ?, ?)",
        [(sku, delta, f"snapshot-{round_no}") for sku, delta in moves],
    )
    conn.execute("COMMIT")
    return time.perf_counter() - start, time.process_time() - cpu


def gateway_snapshot(database: Database, round_no: int) -> tuple[float, float]:
    items = [{"sku": sku_name(i), "on_hand": on_hand_of(i, round_no)} for i in range(SKUS)]
    cpu, start = time.process_time(), time.perf_counter()
    change = parse_stock_change("set", {"reason": f"snapshot {round_no}", "items": items})
    result = database.run(apply_stock_change, change, idem_key=f"snapshot-{round_no}")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if len(result["items"]) != SKUS:
        raise SystemExit(f"snapshot {round_no}: {len(result['items'])} skus adjusted of {SKUS}")
    return elapsed, cpu


def main() -> int:
    print(f"stock.set bench: one snapshot of {SKUS} skus, best of {ROUNDS}")
    problems = []
    with tempfile.TemporaryDirectory(prefix="storegw-bench-") as tmp:
        gateway_path, raw_path = Path(tmp) / "gateway.db", Path(tmp) / "raw.db"
        setup_gateway(gateway_path)
        raw = open_raw(raw_path)
        database = Database(gateway_path)
        raw_times, gateway_times = [], []
        try:
            for round_no in range(1, ROUNDS + 1):
                raw_times.append(raw_snapshot(raw, round_no))
                gateway_times.append(gateway_snapshot(database, round_no))
                (raw_s, raw_cpu), (gateway_s, gateway_cpu) = raw_times[-1], gateway_times[-1]
                print(
                    f"round {round_no}: raw {raw_s:.2f} s ({raw_cpu:.2f} s CPU),"
                    f" gateway {gateway_s:.2f} s ({gateway_cpu:.2f} s CPU)"
                )
        finally:
            database.close()
            raw.close()
        conn = sqlite3.connect(str(gateway_path))
        try:
            problems += check_invariants(conn)
            wrong = [
                sku
                for sku, on_hand in conn.execute("SELECT sku, on_hand FROM stock_level")
                if on_hand != on_hand_of(int(sku[2:]), ROUNDS)
            ]
        finally:
            conn.close()
        if wrong:
            problems.append(f"{len(wrong)} skus with the wrong on_hand, e.g. {wrong[:3]}")
    (raw_s, raw_cpu), (gateway_s, gateway_cpu) = min(raw_times), min(gateway_times)
    size = f"{SKUS // 1000}k"
    print(f"BENCH sqlite_raw_stock_set_{size}_s {raw_s:.2f} s")
    print(f"BENCH stock_set_{size}_s {gateway_s:.2f} s")
    print(f"BENCH stock_set_vs_raw_ratio {gateway_s / raw_s:.2f} ratio")
    print(f"BENCH sqlite_raw_stock_set_{size}_cpu_s {raw_cpu:.2f} s")
    print(f"BENCH stock_set_{size}_cpu_s {gateway_cpu:.2f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
