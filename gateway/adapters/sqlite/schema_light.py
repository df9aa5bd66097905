"""Fewer pages per order on the SD card (issue 12): migration m017.

Every index an INSERT touches is one more 4 KiB page in the WAL at each commit (and again in the
database at the checkpoint). A new order went through two indexes that only its later life needs:
- `customer_order_status` (status, updated_at) serves "finished in the last days" only: it now
  holds finished orders alone, so a new (reserved) order does not touch it; the counts per
  open status come from `customer_order_tab`.
- `customer_order_unseen` (status) WHERE seen_at IS NULL: `customer_order_tab` now carries
  `seen_at` as its last column, so the board's unseen count is read from that index alone."""

from sqlite_utils import Database


def fewer_order_indexes(db: Database) -> None:
    db.executescript(
        """
DROP INDEX customer_order_status;
CREATE INDEX customer_order_status ON customer_order(status, updated_at)
  WHERE status IN ('shipped', 'cancelled');
DROP INDEX customer_order_unseen;
DROP INDEX customer_order_tab;
CREATE INDEX customer_order_tab ON customer_order(status, arrival, seen_at);
"""
    )


# m018: the ledger without the UNIQUE index on `idem_key`. The key ends in the level's own
# `seq`, bumped by the very UPDATE that the ledger row records, so no two rows can share it:
# the index only cost a page per move. The table is rebuilt (SQLite cannot drop a column
# constraint) with its rows, ids, index and append-only triggers.
_STOCK_MOVE = """
CREATE TABLE stock_move_new(
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL REFERENCES variant(sku),
  location_id TEXT NOT NULL REFERENCES location(id),
  d_on_hand INTEGER NOT NULL,
  d_reserved INTEGER NOT NULL,
  reason TEXT NOT NULL,
  ref_type TEXT,
  ref_id TEXT,
  idem_key TEXT NOT NULL,
  actor TEXT,
  created_at TEXT NOT NULL,
  staff_id INTEGER
) STRICT;
INSERT INTO stock_move_new(id, sku, location_id, d_on_hand, d_reserved, reason, ref_type,
  ref_id, idem_key, actor, created_at, staff_id)
  SELECT id, sku, location_id, d_on_hand, d_reserved, reason, ref_type, ref_id, idem_key,
  actor, created_at, staff_id FROM stock_move;
DROP TABLE stock_move;
ALTER TABLE stock_move_new RENAME TO stock_move;
CREATE INDEX stock_move_sku ON stock_move(sku, location_id);
CREATE TRIGGER stock_move_no_update BEFORE UPDATE ON stock_move
  BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END;
CREATE TRIGGER stock_move_no_delete BEFORE DELETE ON stock_move
  BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END;
"""


def ledger_without_key_index(db: Database) -> None:
    db.executescript(_STOCK_MOVE)
