"""What /metrics reads at scrape time, in one read transaction on a read-only connection.

Every query is an index lookup or a scan of an index (never of a table that grows with the
years: a GROUP BY over 100 000 receipts costs ~45 ms on a PC, these ~4 ms), so a Prometheus
scrape every 15 s costs the Pi next to nothing. Hence receipts `failed` is the total less the
states an index finds, and finished print jobs (`done`, history) are not counted at all."""

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from gateway.domain.fiscal import DONE, FAILED, JOB_STATES, QUEUED, SENDING
from gateway.domain.fiscal_health import rank
from gateway.domain.orders import STATUSES, TERMINAL
from gateway.domain.timestamps import parse_stamp
from gateway.services.printing import DONE as PRINTED
from gateway.services.printing import STATES as PRINT_STATES

from .outbox import outbox_head

OPEN_STATUSES = tuple(status for status in STATUSES if status not in TERMINAL)
OPEN_PRINT_STATES = tuple(state for state in PRINT_STATES if state != PRINTED)


@dataclass
class MetricsSnapshot:
    orders: dict[str, int]  # by status, every status present
    reserved_lines: int  # order lines holding stock
    reserved_units: int  # units they hold
    head_seq: int  # the newest outbound message
    acked_seq: int  # the cloud's last sync.ack
    in_seq: int  # the newest cloud message applied
    oldest_unacked_at: datetime | None  # when the oldest message after acked_seq was queued
    receipts: dict[str, int]  # receipt_job by state
    print_jobs: dict[str, int]  # print_job by state, all but done
    fiscal_alarms: dict[str, int] = field(default_factory=dict)  # kind -> 1 + rank of its level
    ofd_unsent: int | None = None  # documents the drive has not sent to the OFD (last reading)


def metrics_snapshot(conn: sqlite3.Connection, acked_at_least: int = 0) -> MetricsSnapshot:
    """`acked_at_least`: the cloud link's own figure, which it stores a moment after an ack."""
    conn.execute("BEGIN")  # one snapshot: the figures agree with each other
    try:
        counters = dict(
            conn.execute(
                "SELECT name, value FROM counter WHERE name IN ('in_seq', 'acked_seq')"
            ).fetchall()
        )
        acked = max(counters.get("acked_seq", 0), acked_at_least)
        lines, units = _reservations(conn)
        health = conn.execute("SELECT unsent FROM fiscal_health WHERE id = 1").fetchone()
        return MetricsSnapshot(
            orders=_order_counts(conn),
            reserved_lines=lines,
            reserved_units=units,
            head_seq=outbox_head(conn),
            acked_seq=acked,
            in_seq=counters.get("in_seq", 0),
            oldest_unacked_at=oldest_unacked(conn, acked),
            receipts=_receipt_counts(conn),
            print_jobs=_print_counts(conn),
            fiscal_alarms={
                kind: 1 + rank(kind, level)
                for kind, level in conn.execute("SELECT kind, level FROM fiscal_alarm")
            },
            ofd_unsent=health[0] if health else None,
        )
    finally:
        conn.execute("COMMIT")


def oldest_unacked(conn: sqlite3.Connection, acked: int) -> datetime | None:
    """The first message the cloud has not acknowledged (a primary-key seek)."""
    row = conn.execute(
        "SELECT created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1", (acked,)
    ).fetchone()
    return parse_stamp(row[0]) if row else None


def _reservations(conn: sqlite3.Connection) -> tuple[int, int]:
    """Only open orders hold stock: found by the status index, their lines by primary key."""
    marks = ", ".join("?" * len(OPEN_STATUSES))
    lines, units = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(l.qty_reserved), 0)"
        " FROM customer_order o JOIN order_line l ON l.order_id = o.id"
        f" WHERE o.status IN ({marks}) AND l.qty_reserved > 0",
        OPEN_STATUSES,
    ).fetchone()
    return lines, units


def _order_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """A scan of the (status, arrival) index, not of the orders."""
    found = dict(conn.execute("SELECT status, COUNT(*) FROM customer_order GROUP BY status"))
    return dict.fromkeys(STATUSES, 0) | found


def _receipt_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """queued and sending from the pending index, done from a `state = 'done'` partial index,
    the total from the shipment_id index; `failed` (rare, not indexed) is what is left.
    The states are literals: SQLite uses a partial index only for its own WHERE, never for `?`."""
    counts = dict.fromkeys(JOB_STATES, 0)
    counts |= dict(
        conn.execute(
            "SELECT state, COUNT(*) FROM receipt_job"
            f" WHERE state IN ('{QUEUED}', '{SENDING}') GROUP BY state"
        )
    )
    done = f"SELECT COUNT(*) FROM receipt_job WHERE state = '{DONE}'"
    counts[DONE] = conn.execute(done).fetchone()[0]
    total = conn.execute("SELECT COUNT(*) FROM receipt_job").fetchone()[0]
    counts[FAILED] = total - counts[QUEUED] - counts[SENDING] - counts[DONE]
    return counts


def _print_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Jobs not done, from the print_job_open partial index (`state != 'done'`)."""
    found = dict(
        conn.execute(
            f"SELECT state, COUNT(*) FROM print_job WHERE state != '{PRINTED}' GROUP BY state"
        )
    )
    return dict.fromkeys(OPEN_PRINT_STATES, 0) | found
