"""Edge 1: many orders for the last units at the same moment, from threads through the
gateway's writer and from two other processes with their own connections. Exactly the
available quantity is reserved, never more; everyone else is short."""

import json
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.writer import Writer
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
UNITS = 7


def test_last_units_race_across_threads_and_processes(tmp_path):
    db_path, go_file = tmp_path / "g.db", tmp_path / "go"
    writer = Writer(db_path).start()
    try:
        writer.call(
            apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("LAST")))
        )
        writer.call(apply_stock_change, parse_stock_change("set", builders.stock_set(LAST=UNITS)))
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.workers.race",
                    str(db_path),
                    f"P{p}",
                    "3",
                    "8",
                    str(go_file),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for p in (1, 2)
        ]
        statuses: list[str] = []
        go = threading.Event()

        def place(t: int) -> None:
            go.wait()
            for n in range(8):
                body = builders.order(f"T{t}-{n}", ("LAST", 1))
                statuses.append(writer.call(create_order, body)["status"])

        threads = [threading.Thread(target=place, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        go_file.touch()
        go.set()
        for thread in threads:
            thread.join()
        for process in processes:
            out, _ = process.communicate(timeout=120)
            assert process.returncode == 0
            statuses += json.loads(out)
    finally:
        writer.stop()

    assert len(statuses) == 4 * 8 + 2 * 3 * 8
    assert statuses.count("reserved") == UNITS
    assert statuses.count("short") == len(statuses) - UNITS
    with closing(open_connection(db_path, readonly=True)) as conn:
        on_hand, reserved = conn.execute(
            "SELECT on_hand, reserved FROM stock_level WHERE sku = 'LAST'"
        ).fetchone()
        held = conn.execute("SELECT SUM(qty_reserved) FROM order_line").fetchone()[0]
        assert (on_hand, reserved, held) == (UNITS, UNITS, UNITS)
        assert check_invariants(conn) == []


def test_orders_racing_stock_corrections_keep_every_invariant(tmp_path):
    """Edge 1 and 6: a count or adjustment lands while orders for the same sku arrive."""
    writer = Writer(tmp_path / "g.db").start()
    try:
        upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("LAST")))
        writer.call(apply_catalog, upsert)
        go = threading.Event()

        def place(t: int) -> None:
            go.wait()
            for n in range(25):
                writer.call(create_order, builders.order(f"T{t}-{n}", ("LAST", 1 + n % 2)))

        def count() -> None:
            go.wait()
            for n in range(40):
                on_hand = (n * 7) % 11
                change = parse_stock_change("set", builders.stock_set("count", LAST=on_hand))
                writer.call(apply_stock_change, change)

        threads = [threading.Thread(target=place, args=(t,)) for t in range(3)]
        threads.append(threading.Thread(target=count))
        for thread in threads:
            thread.start()
        go.set()
        for thread in threads:
            thread.join()
    finally:
        writer.stop()
    with closing(open_connection(tmp_path / "g.db", readonly=True)) as conn:
        assert check_invariants(conn) == []
        waiting_while_free = conn.execute(
            "SELECT COUNT(*) FROM order_line l JOIN stock_level s ON s.sku = l.sku"
            " WHERE l.qty_ordered - l.qty_shipped - l.qty_cancelled > l.qty_reserved"
            " AND s.on_hand - s.reserved - s.safety > 0"
        ).fetchone()[0]
        assert waiting_while_free == 0
