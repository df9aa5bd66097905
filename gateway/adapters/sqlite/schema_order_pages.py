"""Fewer pages per order on the SD card (issue 12, second and third rounds): m019 to m021.

An order's «arrived» line of history was a row of `order_history` and an entry of its index:
two more 4 KiB pages in the WAL for every order, to say what the order row itself can say. The
order row now keeps what was reserved and short when it arrived (NULL for the orders that came
before: their `arrived` history rows stay as they are), and the history shows the arrival from
it, at the order's `created_at`."""

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
