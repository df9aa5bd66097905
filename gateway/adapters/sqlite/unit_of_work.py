"""A unit of work: the repositories of one write transaction, and the outbox it fills."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from gateway.domain.catalog import low_stock_crossings
from gateway.domain.stock import stock_changed_items

from .catalog_repo import CatalogRepo
from .command_clock import command_time
from .fiscal_repo import FiscalRepo
from .order_repo import OrderRepo
from .outbox import Coalescing, CommandLog, Outbox
from .payment_repo import PaymentRepo
from .print_repo import PrintRepo
from .receiving_repo import ReceivingRepo
from .staff_repo import StaffRepo
from .stock_repo import StockRepo
from .stocktake_repo import StocktakeRepo
from .sync_repo import SyncRepo


class SqliteUnitOfWork:
    """The repositories are made when a command first uses one: an order touches four of the
    twelve, and making the others cost every command a few microseconds (issue 12)."""

    def __init__(self, conn: sqlite3.Connection, coalescing: Coalescing | None = None):
        self.conn = conn
        self.now = command_time()  # one informational timestamp for all the command writes
        self._coalescing = coalescing

    outbox = cached_property(lambda uow: Outbox(uow.conn, uow.now, uow._coalescing))
    sync = cached_property(lambda uow: SyncRepo(uow.conn, uow.now))
    commands = cached_property(lambda uow: CommandLog(uow.conn, uow.now))
    catalog = cached_property(lambda uow: CatalogRepo(uow.conn))
    stock = cached_property(lambda uow: StockRepo(uow.conn, uow.now))
    orders = cached_property(lambda uow: OrderRepo(uow.conn, uow.now))
    fiscal = cached_property(lambda uow: FiscalRepo(uow.conn, uow.now))
    payments = cached_property(lambda uow: PaymentRepo(uow.conn, uow.now))
    receiving = cached_property(lambda uow: ReceivingRepo(uow.conn, uow.now))
    stocktake = cached_property(lambda uow: StocktakeRepo(uow.conn, uow.now))
    prints = cached_property(lambda uow: PrintRepo(uow.conn, uow.now))
    staff = cached_property(lambda uow: StaffRepo(uow.conn, uow.now, uow.next_counter))

    def next_counter(self, name: str) -> int:
        return self.outbox.next_counter(name)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Part of a command that may fail alone (a rejected cloud message inside the
        transaction that records it was seen)."""
        earlier = self.stock.take_touched()
        self.conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO part")
                self.conn.execute("RELEASE part")
            self.stock.take_touched()  # what the undone part touched is unchanged
            raise
        finally:
            self.stock.touch(earlier)
        self.conn.execute("RELEASE part")

    def before_commit(self) -> None:
        """Every committed stock change is announced, in the same transaction, with the
        numbers as they are at commit — so the last message for a sku is never stale."""
        skus = self.stock.take_touched()
        watched = self.stock.take_watched() | skus
        if not skus:
            self.announce_low_stock(watched)
            return
        levels, states = self.stock.levels_and_thresholds(watched)
        moved = [level for level in levels if level.sku in skus]
        self.outbox.emit_stock_changed(stock_changed_items(moved))
        self._announce(states)

    def announce_low_stock(self, skus: set[str] | None) -> None:
        """`stock.low` for each sku that has just fallen to or below its threshold, in the
        transaction of the change that took it there; once per crossing (the low state is kept
        in `stock_low` until the sku recovers). `skus` None: every sku (the default changed)."""
        if skus is not None and not skus:
            return
        self._announce(self.stock.threshold_states(skus))

    def _announce(self, states) -> None:
        fell, recovered = low_stock_crossings(states)
        if recovered:
            self.stock.clear_low(recovered)
        for state in fell:
            self.stock.mark_low(state)
            self.outbox.emit(
                "stock.low",
                {"sku": state.sku, "available": state.available, "min_stock": state.min_stock},
            )
