"""Opening SQLite connections with the durability settings the ledger needs."""

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000


def open_connection(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """isolation_level=None: the sqlite3 module opens no implicit (deferred) transactions;
    writers say BEGIN IMMEDIATE themselves, so a read-then-write never hits SQLITE_BUSY."""
    if not readonly and str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    else:
        # WAL + FULL: a commit is on the disk surface before we tell anyone it happened.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn
