"""`updated_at` is NULL until an order first changes (m025): a database from before keeps its
orders, lines, indexes, triggers and view; a new order stores no second copy of its arrival
time and still shows one; a change writes the time of the change."""

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.order_queries import order_detail
from gateway.services.orders import confirm_order, create_order
from tests import builders
from tests.builders import MANAGER
from tests.integration.test_order_pages import ONE_PRODUCT, database_before

# The search index's tables aside: a later migration (m027) makes that index anew.
SCHEMA = (
    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    " AND name NOT LIKE 'stock_search%' ORDER BY 1, 2"
)


def test_a_database_from_before_m025_keeps_its_orders_and_everything_on_them(tmp_path):
    path = tmp_path / "old.db"
    database_before(
        path,
        "m025_updated_at_when_changed",
        f"""{ONE_PRODUCT}
INSERT INTO stock_level(sku, location_id, on_hand, reserved) VALUES ('A', 'main', 5, 1);
INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason, idem_key, created_at)
  VALUES ('A', 'main', 5, 1, 'cloud_set', 'k1', 't0');
INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,
  created_at, updated_at, lines_json) VALUES
  ('W-1', '1', 'web', 0, 'reserved', 1, 'main', 't0', 't1', '[["1","A",1,100,1,0,0]]');
""",
    )
    with closing(sqlite3.connect(path)) as conn:
        schema = conn.execute(SCHEMA).fetchall()
    database = Database(path)  # migrates
    try:
        with closing(database.reader()) as conn:
            assert [tuple(row) for row in conn.execute(SCHEMA)] == schema  # indexes, triggers, view
            assert conn.execute("SELECT updated_at FROM customer_order").fetchone()[0] == "t1"
            assert [tuple(r) for r in conn.execute("SELECT order_id, sku FROM order_line")] == [
                ("W-1", "A")
            ]
            assert check_invariants(conn) == []
        # the lines' trigger came back with the table
        with (
            pytest.raises(sqlite3.IntegrityError, match="order lines"),
            database.transaction() as uow,
        ):
            uow.conn.execute("UPDATE customer_order SET lines_json = '[1]'")
    finally:
        database.close()


def test_a_new_order_stores_one_time_and_a_change_writes_its_own(shop):
    shop.stock(A=3)
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    with closing(shop.db.reader()) as conn:
        created, updated = conn.execute(
            "SELECT created_at, updated_at FROM customer_order WHERE id = 'W-1'"
        ).fetchone()
        assert updated is None
        assert order_detail(conn, "W-1", datetime.now(UTC))["updated_at"] == created
    shop.run(confirm_order, "W-1", by=MANAGER)
    with closing(shop.db.reader()) as conn:
        (updated,) = conn.execute("SELECT updated_at FROM customer_order").fetchone()
        assert updated is not None and updated >= created
        assert order_detail(conn, "W-1", datetime.now(UTC))["updated_at"] == updated
