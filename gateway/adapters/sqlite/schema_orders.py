"""Tables of the order desk (issue 10): migration m008.

`order_history` is what the order screen shows under «История»: one row per thing done to an
order (arrived, seen, confirmed, shipped, cancelled, released, refilled, edited by the cloud),
written in the transaction that did it, with who did it. `customer_order` gains when it was
confirmed (a pickup is overdue counted from then), when and by whom it was first opened on a
tablet (the board's alert repeats until then), and a lower-cased search text: SQLite's lower()
and LIKE fold ASCII only, so «анна» would never find «Анна» without it."""

import json

from sqlite_utils import Database

from .order_search import search_text


def create_order_desk(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE order_history(
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES customer_order(id),
  what TEXT NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(detail_json) AND json_type(detail_json) = 'object'),
  ref TEXT,  -- the document that caused it: a receiving, a stocktake, a shipment
  actor TEXT,
  staff_id INTEGER,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX order_history_order ON order_history(order_id, id);
CREATE INDEX order_history_ref ON order_history(ref, what) WHERE ref IS NOT NULL;
CREATE TRIGGER order_history_no_update BEFORE UPDATE ON order_history
  BEGIN SELECT RAISE(ABORT, 'order_history is append-only'); END;

ALTER TABLE customer_order ADD COLUMN confirmed_at TEXT;
ALTER TABLE customer_order ADD COLUMN seen_at TEXT;
ALTER TABLE customer_order ADD COLUMN seen_by TEXT;
ALTER TABLE customer_order ADD COLUMN seen_by_id INTEGER;
ALTER TABLE customer_order ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- The board: counts per status and the recently finished ones by time from the index alone;
-- a page of a tab in arrival order without sorting the whole tab.
DROP INDEX customer_order_status;
CREATE INDEX customer_order_status ON customer_order(status, updated_at);
CREATE INDEX customer_order_tab ON customer_order(status, arrival);
-- "Nobody opened it yet": the alert's count, read every second by every tablet.
CREATE INDEX customer_order_unseen ON customer_order(status) WHERE seen_at IS NULL;

-- Orders finished before the desk existed were dealt with: no alert for them.
UPDATE customer_order SET seen_at = updated_at WHERE status IN ('shipped', 'cancelled');
UPDATE customer_order SET confirmed_at = updated_at WHERE confirmed_by IS NOT NULL;
"""
    )
    skus: dict[str, list[str]] = {}
    for order_id, sku in db.execute("SELECT order_id, sku FROM order_line ORDER BY position"):
        skus.setdefault(order_id, []).append(sku)
    rows = db.execute("SELECT id, number, customer_json FROM customer_order").fetchall()
    db.conn.executemany(
        "UPDATE customer_order SET search_text = ? WHERE id = ?",
        [
            (search_text(number, json.loads(customer or "{}"), skus.get(oid, [])), oid)
            for oid, number, customer in rows
        ],
    )
