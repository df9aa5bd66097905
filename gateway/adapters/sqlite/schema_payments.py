"""Payments made on the web shop's site and the money given back (issue 11): migration m013.

`order_payment` is one `order.paid` (its payment id is the cloud's, the primary key: the same
payment twice is one row, one prepayment receipt — `receipt_job_payment` backs that too);
`refunded` is what of it went back (`order_refund` rows, kept in step in the same transaction).
`order_refund` is one `order.refunded`: a message carries no refund id, so a refund is known by
its payment, amount and time — a repeat with another message id is the same refund."""

from sqlite_utils import Database


def create_payment_tables(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE order_payment(
  payment_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES customer_order(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  method TEXT NOT NULL CHECK (method IN ('card_online', 'sbp', 'other_electronic')),
  paid_at TEXT NOT NULL,
  receipt_id INTEGER NOT NULL UNIQUE REFERENCES receipt_job(id),
  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
  msg_id TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX order_payment_order ON order_payment(order_id);

CREATE TABLE order_refund(
  id INTEGER PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES order_payment(payment_id),
  order_id TEXT NOT NULL REFERENCES customer_order(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  refunded_at TEXT NOT NULL,
  receipt_id INTEGER NOT NULL UNIQUE REFERENCES receipt_job(id),
  msg_id TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (payment_id, refunded_at, amount)
) STRICT;
CREATE INDEX order_refund_order ON order_refund(order_id);
CREATE INDEX receipt_job_order ON receipt_job(order_id) WHERE order_id IS NOT NULL;
"""
    )
