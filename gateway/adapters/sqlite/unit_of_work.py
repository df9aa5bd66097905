"""A unit of work: the repositories of one write transaction, and the outbox it fills."""

import sqlite3

from .catalog_repo import CatalogRepo
from .order_repo import OrderRepo
from .outbox import CommandLog, Outbox, utc_now
from .stock_repo import StockRepo


class SqliteUnitOfWork:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        now = utc_now()  # one informational timestamp for everything the command writes
        self.outbox = Outbox(conn, now)
        self.commands = CommandLog(conn, now)
        self.catalog = CatalogRepo(conn)
        self.stock = StockRepo(conn, now)
        self.orders = OrderRepo(conn, now)

    def next_counter(self, name: str) -> int:
        return self.outbox.next_counter(name)

    def before_commit(self) -> None:
        """Every committed stock change is announced, in the same transaction, with the
        numbers as they are at commit — so the last message for a sku is never stale."""
        skus = self.stock.take_touched()
        if skus:
            levels = self.stock.levels(sorted(skus))
            items = [
                {
                    "sku": level.sku,
                    "on_hand": level.on_hand,
                    "reserved": level.reserved,
                    "available": level.available,
                    "seq": level.seq,
                }
                for level in levels
            ]
            self.outbox.emit("stock.changed", {"full": False, "items": items}, topic="stock")
