"""Fewer pages per order on the SD card (issue 12, second round): migration m019.

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
