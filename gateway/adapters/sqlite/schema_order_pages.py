"""Fewer pages per order on the SD card (issue 12, second and third rounds): m019 to m021.

An order's «arrived» line of history was a row of `order_history` and an entry of its index:
two more 4 KiB pages in the WAL for every order, to say what the order row itself can say. The
order row now keeps what was reserved and short when it arrived (NULL for the orders that came
before: their `arrived` history rows stay as they are), and the history shows the arrival from
it, at the order's `created_at`."""

import re

from sqlite_utils import Database


def arrival_on_the_order(db: Database) -> None:
    db.executescript(
        """
ALTER TABLE customer_order ADD COLUMN arrived_reserved INTEGER CHECK (arrived_reserved >= 0);
ALTER TABLE customer_order ADD COLUMN arrived_short INTEGER CHECK (arrived_short >= 0);
"""
    )


# m020 (third round): indexes that a new order no longer writes.
# - `order_line_short`: the lines still short, by sku (what receiving fills first come, first
#   served). A fully reserved order, most of them, is not in it; the orders holding a sku are
#   found through the open orders (`customer_order_tab`), a few hundred at most.
# - `stock_move_sku`: the moves of goods (on hand), by sku. A reserve or a release (on hand
#   unchanged) stays in the ledger, in the order's history and in `storegw check`'s sums; the
#   stock card shows the orders holding the reserve now.
FEWER_INDEXES = """
DROP INDEX order_line_sku;
CREATE INDEX order_line_short ON order_line(sku)
  WHERE qty_ordered - qty_shipped - qty_cancelled - qty_reserved > 0;
DROP INDEX stock_move_sku;
CREATE INDEX stock_move_sku ON stock_move(sku, location_id) WHERE d_on_hand != 0;
"""


def indexes_a_new_order_skips(db: Database) -> None:
    db.executescript(FEWER_INDEXES)


# m021: the arrival number without its UNIQUE index (one more page per order). The newest
# arrival is read per status from `customer_order_tab` (NEWEST_ARRIVAL in order_repo.py), and
# numbers are handed out by the one writer, so two orders cannot share one. SQLite cannot drop
# a column's constraint: the table is rebuilt, rows, indexes and all, with foreign keys off
# (Database._migrate checks them before it commits).
def arrival_without_its_index(db: Database) -> None:
    conn = db.conn
    (table,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customer_order'"
    ).fetchone()
    indexes = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'customer_order' AND sql IS NOT NULL"
        )
    ]
    unique = "arrival INTEGER NOT NULL UNIQUE"
    if unique not in table or not table.startswith("CREATE TABLE customer_order("):
        raise RuntimeError(f"m021: customer_order is not as m001 made it: {table}")
    new = table.replace(unique, "arrival INTEGER NOT NULL")
    conn.execute(new.replace("customer_order(", "customer_order_new(", 1))
    conn.execute("INSERT INTO customer_order_new SELECT * FROM customer_order")
    conn.execute("DROP TABLE customer_order")
    conn.execute("ALTER TABLE customer_order_new RENAME TO customer_order")
    for sql in indexes:
        conn.execute(sql)


# m025: `updated_at` is NULL until the order first changes; readers take `created_at` then.
# The same instant twice cost 27 bytes on every order row, and rows are what a WITHOUT ROWID
# table splits and rebalances by: 0.1 page fewer per new order. Rebuilt as m021 was, with the
# indexes, the line triggers (m023) and the `order_line` view put back.
def updated_at_when_changed(db: Database) -> None:
    conn = db.conn
    (table,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customer_order'"
    ).fetchone()
    required = "updated_at TEXT NOT NULL"
    if required not in table:
        raise RuntimeError(f"m025: customer_order is not as m021 left it: {table}")
    new = re.sub(r'^CREATE TABLE "?customer_order"?\(', "CREATE TABLE customer_order_new(", table)
    dependents = [
        (kind, name, sql)
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
            " (type = 'index' AND tbl_name = 'customer_order')"
            " OR (type IN ('view', 'trigger') AND sql LIKE '%customer_order%'))"
        )
    ]
    for kind, name, _ in dependents:
        if kind != "index":  # the RENAME below checks every view and trigger naming the table
            conn.execute(f"DROP {kind.upper()} {name}")
    conn.execute(new.replace(required, "updated_at TEXT", 1))
    conn.execute("INSERT INTO customer_order_new SELECT * FROM customer_order")
    conn.execute("DROP TABLE customer_order")
    conn.execute("ALTER TABLE customer_order_new RENAME TO customer_order")
    for _, _, sql in dependents:
        conn.execute(sql)
