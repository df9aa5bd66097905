"""Opening SQLite connections with the durability settings the ledger needs."""

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
# The WAL is checkpointed into the database every ~4 MB of frames (SQLite's default, said here),
# and a WAL that a big import grew is cut back to 8 MB once it restarts: the -wal file stays
# bounded without truncating (and re-growing) it on every checkpoint.
WAL_AUTOCHECKPOINT_PAGES = 1000
JOURNAL_SIZE_LIMIT_BYTES = 8 * 2**20


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
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES}")
    return conn
