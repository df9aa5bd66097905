"""Fewer pages per order (issue 12): which tables one order writes to the WAL, the arrival on
the order row (m019), the indexes and counters an order no longer writes (m020, m021) and
databases from before them, and a full stock snapshot applied in batches with the same levels,
ledger keys and refusals as one sku at a time."""

import sqlite3
import struct
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.order_history import order_history
from gateway.adapters.sqlite.outbox import outbox_head
from gateway.adapters.sqlite.queries import open_order_count
from gateway.adapters.sqlite.schema import migrations
from gateway.adapters.sqlite.stock_queries import sku_card
from gateway.domain.errors import InvalidInput
from gateway.domain.stock import parse_stock_change
from gateway.services.orders import cancel_order, create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import MANAGER


def wal_pages_by_table(path: Path) -> Counter:
    """Pages in the WAL, by the table or index that owns them (frame headers + dbstat)."""
    wal = Path(f"{path}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    pages = [
        struct.unpack(">I", wal[offset : offset + 4])[0]
        for offset in range(32, len(wal) - 23, 24 + page_size)
    ]
    with closing(sqlite3.connect(path)) as conn:
        owner = dict(conn.execute("SELECT pageno, name FROM dbstat"))
    return Counter(owner.get(page, "sqlite_schema") for page in pages)


ONE_PRODUCT = """
INSERT INTO product(id, name, vat, catalog_version) VALUES ('P', 'x', 'vat22', 1);
INSERT INTO variant(sku, product_id, name, price) VALUES ('A', 'P', 'x', 100);"""


def database_before(path: Path, migration: str, rows: str) -> None:
    """A database file as the gateway left it before `migration`, holding `rows`."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.apply(sqlite_utils.Database(conn), stop_before=migration)
        conn.executescript(rows)


def checkpoint(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0


def test_an_order_writes_no_history_row_and_still_shows_its_arrival(shop, tmp_path):
    shop.stock(A=1, B=5)
    path = tmp_path / "gateway.db"
    checkpoint(path)
    shop.run(create_order, builders.order("W-1", ("A", 2), ("B", 2)))
    tables = wal_pages_by_table(path)
    assert "order_history" not in tables and "order_history_order" not in tables
    assert {"customer_order", "stock_level", "stock_move", "outbox"} <= set(tables)
    with closing(shop.db.reader()) as conn:
        history = order_history(conn, "W-1", "W-1")
    assert [(h["what"], h["by"], h["detail"]) for h in history] == [
        ("arrived", "cloud", {"reserved": 3, "short": 1})
    ]


def test_a_reserved_order_writes_its_five_tables_and_no_index_more(shop, tmp_path):
    shop.stock(A=5, B=5)
    path = tmp_path / "gateway.db"
    checkpoint(path)
    shop.run(create_order, builders.order("W-1", ("A", 2), ("B", 1)))
    assert set(wal_pages_by_table(path)) - {"sqlite_schema"} == {
        "customer_order",
        "customer_order_tab",  # its lines are on its row (m023)
        "stock_level",
        "stock_move",
        "outbox",
    }
    checkpoint(path)
    shop.run(create_order, builders.order("W-2", ("A", 9)))  # short: receiving looks for it
    with shop.db.transaction() as uow:
        assert uow.orders.waiting_for("A") == ["W-2"]
        assert uow.orders.holding("A") == ["W-2", "W-1"]  # newest first


def test_arrival_numbers_follow_the_newest_order_whatever_its_status(shop):
    shop.stock(A=5)
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    shop.run(create_order, builders.order("W-2", ("A", 1)))
    shop.run(cancel_order, "W-2", by=MANAGER)  # the newest is now among the finished
    shop.run(create_order, builders.order("W-3", ("A", 9)))  # short
    shop.run(create_order, builders.order("W-4", ("A", 1)))
    arrivals = [shop.order(order_id).arrival for order_id in ("W-1", "W-2", "W-3", "W-4")]
    assert arrivals == [1, 2, 3, 4]
    with closing(shop.db.reader()) as conn:  # systemd's status line, from the tab index too
        assert open_order_count(conn) == 3


def test_outbox_numbers_go_on_after_pruning_took_every_row(shop):
    shop.stock(A=5)
    head = shop.events()[-1]["seq"]
    with shop.db.transaction() as uow:
        assert uow.sync.prune_outbox(head, "9999", 100) == head
        assert uow.sync.outbox_head() == head  # kept by the counter now
    assert shop.events() == []
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    assert [event["seq"] for event in shop.events()] == [head + 1, head + 2]
    with pytest.raises(RuntimeError), shop.db.transaction() as uow:  # a counter ahead: a hole
        uow.conn.execute("UPDATE counter SET value = value + 5 WHERE name = 'outbox_seq'")
        assert any("outbox sequence" in line for line in check_invariants(uow.conn))
        raise RuntimeError("rolled back")


def test_a_database_from_before_m020_goes_on_numbering_and_finds_its_orders(tmp_path):
    path = tmp_path / "old.db"
    database_before(
        path,
        "m020_indexes_a_new_order_skips",
        f"""{ONE_PRODUCT}
INSERT INTO stock_level(sku, location_id, on_hand, reserved) VALUES ('A', 'main', 5, 2);
INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason, idem_key, created_at)
  VALUES ('A', 'main', 5, 0, 'cloud_set', 'k1', 't0'), ('A', 'main', 0, 2, 'reserve', 'k2', 't0');
INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,
  created_at, updated_at) VALUES ('W-7', 'W-7', 'web', 0, 'short', 7, 'main', 't0', 't0');
INSERT INTO order_line(order_id, line_id, position, sku, qty_ordered, qty_reserved)
  VALUES ('W-7', '1', 0, 'A', 3, 2);
INSERT INTO counter(name, value) VALUES ('order_arrival', 7), ('outbox_seq', 12);
""",
    )
    database = Database(path)  # migrates: m020, m021 rebuilds customer_order, m023 its lines
    try:
        with closing(database.reader()) as conn:
            assert check_invariants(conn) == []
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            indexes = {row[1] for row in conn.execute("PRAGMA index_list('customer_order')")}
            assert "customer_order_tab" in indexes and not any(
                name.startswith("sqlite_autoindex_customer_order_2") for name in indexes
            )
            assert outbox_head(conn) == 12
            card = sku_card(conn, "A")
        assert [(o["order_id"], o["reserved"], o["short"]) for o in card["orders"]] == [
            ("W-7", 2, 1)
        ]
        with database.transaction() as uow:
            assert uow.orders.waiting_for("A") == ["W-7"]
            assert uow.orders.holding("A") == ["W-7"]
        database.run(create_order, builders.order("W-8", ("A", 1)))
        with database.transaction() as uow:
            assert uow.orders.get("W-8").arrival == 8
        with closing(database.reader()) as conn:
            seqs = [seq for (seq,) in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
            assert seqs == [13, 14]
            assert check_invariants(conn) == []
    finally:
        database.close()


def test_a_database_from_before_m019_keeps_its_arrival_rows(tmp_path):
    path = tmp_path / "old.db"
    database_before(
        path,
        "m019_arrival_on_the_order",
        f"""{ONE_PRODUCT}
INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,
  created_at, updated_at) VALUES ('W-0', 'W-0', 'web', 0, 'short', 1, 'main', 't0', 't0');
INSERT INTO order_line(order_id, line_id, position, sku, qty_ordered)
  VALUES ('W-0', '1', 0, 'A', 2);
INSERT INTO order_history(order_id, what, detail_json, actor, created_at)
  VALUES ('W-0', 'arrived', '{{"reserved": 0, "short": 2}}', 'cloud', 't0');
INSERT INTO counter(name, value) VALUES ('order_arrival', 1);
INSERT INTO stock_level(sku, location_id) VALUES ('A', 'main');
""",
    )
    database = Database(path)  # migrates
    try:
        with closing(database.reader()) as conn:
            history = order_history(conn, "W-0", "W-0")
            assert conn.execute("SELECT COUNT(*) FROM order_history").fetchone()[0] == 1
            assert check_invariants(conn) == []
        assert [(h["what"], h["detail"]) for h in history] == [
            ("arrived", {"reserved": 0, "short": 2})
        ]
    finally:
        database.close()


def test_a_full_snapshot_leaves_what_one_sku_at_a_time_would(shop):
    shop.stock(A=5, B=5, C=5, D=0)
    shop.run(create_order, builders.order("W-1", ("A", 4)))  # A: 4 reserved
    shop.run(create_order, builders.order("W-2", ("D", 2)))  # D: short 2
    before = {sku: shop.level(sku) for sku in "ABCD"}
    body = {
        "reason": "inventory",
        "items": [
            {"sku": "A", "on_hand": 1},  # below its reserve: W-1 gives 3 back
            {"sku": "B", "on_hand": 9, "safety": 2},
            {"sku": "C", "on_hand": 5, "safety": 1},  # safety alone: no ledger row
            {"sku": "D", "on_hand": 3},  # W-2 takes 2 of it
        ],
    }
    result = shop.run(apply_stock_change, parse_stock_change("set", body), idem_key="snap-1")
    assert result["items"] == [
        {"sku": "A", "delta": -4, "on_hand": 1},
        {"sku": "B", "delta": 4, "on_hand": 9},
        {"sku": "D", "delta": 3, "on_hand": 3},
    ]
    after = {sku: shop.level(sku) for sku in "ABCD"}
    assert (after["B"].on_hand, after["B"].safety, after["B"].seq) == (9, 2, before["B"].seq + 2)
    assert (after["C"].safety, after["C"].seq) == (1, before["C"].seq + 1)
    assert after["A"].reserved == 1 and shop.order("W-1").status == "short"
    assert after["D"].reserved == 2 and shop.order("W-2").status == "reserved"
    with closing(shop.db.reader()) as conn:
        keys = dict(
            conn.execute(
                "SELECT sku, idem_key FROM stock_move WHERE reason = 'cloud_set'"
                " AND ref_id = 'snap-1'"
            )
        )
    assert keys["B"] == f"cloud_set:stock:snap-1:B@{after['B'].seq}"
    assert keys["D"] == f"cloud_set:stock:snap-1:D@{before['D'].seq + 1}"
    assert "C" not in keys
    changed = shop.events("stock.changed")[-1]
    assert {item["sku"] for item in changed["items"]} == set("ABCD")


def test_a_snapshot_with_one_bad_sku_changes_nothing(shop):
    shop.stock(A=5, B=5)
    events = len(shop.events())
    for items, reason in (
        ([{"sku": "A", "on_hand": 1}, {"sku": "X", "on_hand": 1}], "unknown_sku"),
        ([{"sku": "A", "delta": 1}, {"sku": "B", "delta": -6}], "negative_stock"),
    ):
        kind = "set" if "on_hand" in items[0] else "adjust"
        change = parse_stock_change(kind, {"reason": "x", "items": items})
        with pytest.raises(InvalidInput) as refused:
            shop.run(apply_stock_change, change)
        assert refused.value.reason == reason
    assert (shop.level("A").on_hand, shop.level("B").on_hand) == (5, 5)
    assert len(shop.events()) == events
