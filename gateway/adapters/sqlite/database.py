"""The database: migrations at open, and `transaction()` — the only way anything is written."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from .connection import open_connection, rollback_journal_if_alone
from .outbox import Coalescing, outbox_head
from .schema import migrations
from .unit_of_work import SqliteUnitOfWork

T = TypeVar("T")
Job = tuple[Callable[..., Any], tuple, dict]


class Database:
    """Owns one write connection. Use it from one thread only (the writer); readers open their
    own connections with `reader()`."""

    def __init__(self, path: str | Path, *, coalesce: bool = False):
        """`coalesce`: fold stock.changed rows while the cloud link is down (the running
        gateway); off, every command's stock.changed is a row of its own."""
        self.path = Path(path)
        self._conn = open_connection(self.path)
        self._migrate()
        self.coalescing = None
        if coalesce:
            self.coalescing = Coalescing(offline=True, floor=outbox_head(self._conn))

    def _migrate(self) -> None:
        # Inside our own IMMEDIATE transaction, sqlite-utils uses savepoints, so two processes
        # starting at once cannot both apply a migration. Foreign keys are off meanwhile (a
        # rebuilt table is dropped under its children, m021) and checked before the COMMIT.
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        try:
            db = sqlite_utils.Database(conn)
            if migrations.pending(db):
                migrations.apply(db)
                broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
                if broken:
                    raise sqlite3.IntegrityError(f"migration broke foreign keys: {broken}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def transaction(self) -> Iterator[SqliteUnitOfWork]:
        """One command = one BEGIN IMMEDIATE … COMMIT. Any exception rolls everything back."""
        self._conn.execute("BEGIN IMMEDIATE")
        uow = SqliteUnitOfWork(self._conn, self.coalescing)
        try:
            yield uow
            uow.before_commit()
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            for name in uow.attached:
                self._conn.execute(f"DETACH {name}")

    def run(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.transaction() as uow:
            return command(uow, *args, **kwargs)

    def run_batch(self, jobs: list[Job]) -> list[tuple[bool, Any]]:
        """Group commit: several commands in one transaction, each inside its own savepoint, so
        a refused command is undone alone and the rest share one durable COMMIT (one fsync).
        Returns (True, result) or (False, exception) per job; raises if the COMMIT fails."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if len(jobs) == 1:  # the usual case, without the savepoint's two statements
                outcomes = [self._attempt(jobs[0], "ROLLBACK")]
            else:
                outcomes = []
                for job in jobs:
                    conn.execute("SAVEPOINT command")
                    outcomes.append(self._attempt(job, "ROLLBACK TO command"))
                    conn.execute("RELEASE command")
            if conn.in_transaction:  # a lone command refused has been rolled back already
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return outcomes

    def _attempt(self, job: Job, undo: str) -> tuple[bool, Any]:
        """One command in the open transaction: (True, result), or (False, exception) with its
        writes undone by `undo`. Raises if SQLite aborted the transaction itself."""
        command, args, kwargs = job
        try:
            uow = SqliteUnitOfWork(self._conn, self.coalescing)
            result = command(uow, *args, **kwargs)
            uow.before_commit()
        except BaseException as exc:
            if not self._conn.in_transaction:  # SQLite aborted it all (disk full, I/O error)
                raise
            self._conn.execute(undo)
            return False, exc
        return True, result

    def alone(self) -> AbstractContextManager[bool]:
        """For one big command from the command line: see `rollback_journal_if_alone`."""
        return rollback_journal_if_alone(self._conn)

    def reader(self) -> sqlite3.Connection:
        return open_connection(self.path, readonly=True)

    def close(self) -> None:
        self._conn.close()
