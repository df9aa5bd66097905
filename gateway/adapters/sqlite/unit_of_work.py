"""A unit of work: the repositories of one write transaction, and the outbox it fills."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


class _Repo:
    """A repository made on first use, then a plain attribute of the unit of work: what
    `functools.cached_property` does, without the lock Python 3.11's takes at every first use
    (dropped in 3.12). A unit of work lives in one thread."""

    def __init__(self, make):
        self.make = make

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, uow, owner=None):
        if uow is None:
            return self
        repo = uow.__dict__[self.name] = self.make(uow)
        return repo


class SqliteUnitOfWork:
    """The repositories are made when a command first uses one: an order touches four of the
    twelve, and making the others cost every command a few microseconds (issue 12)."""

    attached: tuple[str, ...] = ()  # the scratch files `attach`ed, by schema name

    def __init__(self, conn: sqlite3.Connection, coalescing: Coalescing | None = None):
        self.conn = conn
        self.now = command_time()  # one informational timestamp for all the command writes
        self._coalescing = coalescing

    def attach(self, path: Path) -> str:
        """Another database file (a catalog reader's scratch stage), read under the schema name
        returned until the transaction ends: `Database.transaction` (and `run`) detaches it then,
        as SQLite cannot inside one."""
        name = f"scratch{len(self.attached) + 1}"
        self.conn.execute(f"ATTACH ? AS {name}", (str(path),))
        self.attached += (name,)
        return name

    outbox = _Repo(lambda uow: Outbox(uow.conn, uow.now, uow._coalescing))
    sync = _Repo(lambda uow: SyncRepo(uow.conn, uow.now))
    commands = _Repo(lambda uow: CommandLog(uow.conn, uow.now))
    catalog = _Repo(lambda uow: CatalogRepo(uow.conn))
    stock = _Repo(lambda uow: StockRepo(uow.conn, uow.now))
    orders = _Repo(lambda uow: OrderRepo(uow.conn, uow.now))
    fiscal = _Repo(lambda uow: FiscalRepo(uow.conn, uow.now))
    payments = _Repo(lambda uow: PaymentRepo(uow.conn, uow.now))
    receiving = _Repo(lambda uow: ReceivingRepo(uow.conn, uow.now))
    stocktake = _Repo(lambda uow: StocktakeRepo(uow.conn, uow.now))
    prints = _Repo(lambda uow: PrintRepo(uow.conn, uow.now))
    staff = _Repo(lambda uow: StaffRepo(uow.conn, uow.now, uow.next_counter))

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
