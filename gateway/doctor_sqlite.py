"""The doctor's SQLite checks: the library's version, the journal mode written in the file, the
`synchronous` level the gateway's connections use, quick_check and the ledger's invariants."""

from __future__ import annotations

import contextlib
import sqlite3

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.doctor import ERROR, OK, WARNING, Finding

MIN_SQLITE = (3, 37, 0)  # STRICT tables (m001)
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
INTEGRITY_PREFIX = "database integrity:"  # how check_invariants reports quick_check
HELP = "stop the gateway, run `storegw check`, and call support with its output"


def sqlite_finding(header: bytes) -> Finding:
    """Bytes 18-19 of the header are 2 in a WAL database (SQLite file format, 1.3)."""
    version = sqlite3.sqlite_version
    wal = header[18:20] == b"\x02\x02"
    level = gateway_synchronous()
    found = f"SQLite {version}, journal {'WAL' if wal else 'rollback'}, synchronous {level}"
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        need = ".".join(map(str, MIN_SQLITE))
        return Finding(ERROR, "sqlite", found, f"SQLite {need} or newer is needed: update the OS")
    if level == "OFF":
        return Finding(ERROR, "sqlite", found, "synchronous OFF loses orders at a power cut")
    if not wal:
        return Finding(
            WARNING, "sqlite", found, "the gateway switches the database to WAL when it starts"
        )
    return Finding(OK, "sqlite", found)


def gateway_synchronous() -> str:
    """`synchronous` belongs to a connection, not to the file: ask a connection opened the way
    the gateway opens its own."""
    with contextlib.closing(open_connection(":memory:")) as conn:
        [value] = conn.execute("PRAGMA synchronous").fetchone()
    return SYNCHRONOUS.get(value, str(value))


def integrity_findings(conn: sqlite3.Connection) -> list[Finding]:
    """One pass of check_invariants (it ends with PRAGMA quick_check), reported as two lines."""
    problems = [" ".join(p.split()) for p in check_invariants(conn)]  # one line per check
    broken = [p for p in problems if p.startswith(INTEGRITY_PREFIX)]
    drift = [p for p in problems if not p.startswith(INTEGRITY_PREFIX)]
    if broken:
        integrity = Finding(
            ERROR,
            "integrity",
            f"quick_check: {broken[0].removeprefix(INTEGRITY_PREFIX).strip()}",
            "the database file is damaged: stop the gateway and restore the last good backup"
            " (storegw restore FILE)",
        )
    else:
        integrity = Finding(OK, "integrity", "quick_check ok")
    if drift:
        more = f" (and {len(drift) - 1} more)" if len(drift) > 1 else ""
        invariants = Finding(ERROR, "invariants", drift[0] + more, HELP)
    else:
        invariants = Finding(OK, "invariants", "stock, reserves and the outbox agree")
    return [integrity, invariants]
