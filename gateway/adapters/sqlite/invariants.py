"""The invariant checker (DOMAIN.md 1.2): reports drift, never repairs it silently."""

import sqlite3

from gateway.domain.orders import TERMINAL

from .order_repo import OPEN_SQL

_TERMINAL = ",".join(f"'{status}'" for status in sorted(TERMINAL))

# (what is wrong, query returning one row per offender; the first column names it)
_CHECKS = [
    (
        "reserved out of range 0..on_hand",
        "SELECT sku, on_hand, reserved FROM stock_level"
        " WHERE reserved < 0 OR on_hand < 0 OR reserved > on_hand",
    ),
    (
        "reserved differs from the sum of line reserves",
        "SELECT s.sku, s.reserved, COALESCE(l.total, 0) FROM stock_level s"
        # the open orders' lines (a finished order holding a reserve is the rule below)
        " LEFT JOIN (SELECT l.sku, SUM(l.qty_reserved) AS total FROM customer_order o"
        f" JOIN order_line l ON l.order_id = o.id WHERE o.status IN ({OPEN_SQL})"
        " GROUP BY l.sku) l"
        " ON l.sku = s.sku WHERE s.reserved != COALESCE(l.total, 0)",
    ),
    (
        "level differs from the ledger (on_hand, reserved vs Σ moves)",
        "SELECT s.sku, s.on_hand, s.reserved, COALESCE(m.dh, 0), COALESCE(m.dr, 0)"
        " FROM stock_level s LEFT JOIN (SELECT sku, location_id, SUM(d_on_hand) AS dh,"
        " SUM(d_reserved) AS dr FROM stock_move GROUP BY sku, location_id) m"
        " ON m.sku = s.sku AND m.location_id = s.location_id"
        " WHERE s.on_hand != COALESCE(m.dh, 0) OR s.reserved != COALESCE(m.dr, 0)",
    ),
    (
        "line quantities exceed what was ordered",
        "SELECT order_id || '/' || line_id, qty_ordered, qty_reserved, qty_shipped, qty_cancelled"
        " FROM order_line WHERE qty_reserved < 0 OR qty_shipped < 0 OR qty_cancelled < 0"
        " OR qty_reserved + qty_shipped + qty_cancelled > qty_ordered",
    ),
    (
        "reserve held by a finished order",
        "SELECT o.id, o.status, SUM(l.qty_reserved) FROM customer_order o"
        f" JOIN order_line l ON l.order_id = o.id WHERE o.status IN ({_TERMINAL})"
        " GROUP BY o.id HAVING SUM(l.qty_reserved) > 0",
    ),
    (
        "outbox sequence has a gap",
        # the rows follow the pruned ones (the counter), with no hole, up to the newest
        "SELECT 'outbox', MIN(seq), MAX(seq), COUNT(*), f.value FROM outbox,"
        " (SELECT COALESCE(MAX(value), 0) AS value FROM counter WHERE name = 'outbox_seq') f"
        " HAVING COUNT(*) > 0 AND (MAX(seq) - MIN(seq) + 1 != COUNT(*)"
        " OR MIN(seq) > f.value + 1 OR MAX(seq) < f.value)",
    ),
]


def check_invariants(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Every violated invariant, one readable line per offender (at most `limit` per rule)."""
    problems = []
    for rule, query in _CHECKS:
        for row in conn.execute(f"{query} LIMIT {limit}"):
            values = ", ".join(str(value) for value in tuple(row)[1:])
            problems.append(f"{rule}: {row[0]} ({values})")
    row = conn.execute("PRAGMA quick_check").fetchone()
    if row[0] != "ok":
        problems.append(f"database integrity: {row[0]}")
    return problems
