"""m024: an order.cancelled or order.updated that came before its order.created (DOMAIN.md edge
9) is kept, by the order it is about, and applied right after that order arrives
(services/inbox.py)."""

from sqlite_utils import Database


def early_order_messages(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE order_early(
  msg_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('order.cancelled', 'order.updated')),
  topic TEXT NOT NULL,
  data_json TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
CREATE INDEX order_early_order ON order_early(order_id);
"""
    )
