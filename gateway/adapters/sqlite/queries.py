"""Read-side queries for pages and the CLI. They run on read connections, never the writer's."""

import sqlite3

from gateway.domain.fiscal import FAILED, JOB_STATES, shift_totals
from gateway.domain.orders import STATUSES
from gateway.domain.receiving import lookup_codes

from .catalog_repo import CatalogRepo
from .fiscal_repo import FiscalRepo
from .order_repo import OPEN_SQL
from .outbox import outbox_head
from .schema import MAIN_LOCATION


def stock_rows(conn: sqlite3.Connection, sku: str | None = None) -> list[dict]:
    query = (
        "SELECT s.sku, v.name, s.on_hand, s.reserved, s.safety,"
        " MAX(0, s.on_hand - s.reserved - s.safety) AS available, v.archived"
        " FROM stock_level s JOIN variant v ON v.sku = s.sku"
    )
    rows = (
        conn.execute(f"{query} WHERE s.sku = ?", (sku,))
        if sku
        else conn.execute(f"{query} ORDER BY s.sku")
    )
    return [dict(row) for row in rows]


def stock_history(conn: sqlite3.Connection, sku: str, limit: int = 50) -> list[dict]:
    rows = conn.execute(
        "SELECT id, d_on_hand, d_reserved, reason, ref_type, ref_id, actor, created_at"
        " FROM stock_move WHERE sku = ? AND location_id = ? AND d_on_hand != 0"
        " ORDER BY id DESC LIMIT ?",
        (sku, MAIN_LOCATION, limit),
    )
    return [dict(row) for row in rows]


def order_rows(conn: sqlite3.Connection, status: str | None = None) -> list[dict]:
    query = (
        "SELECT o.id AS order_id, o.number, o.status, o.needs_attention, o.confirmed_by,"
        " SUM(l.qty_ordered) AS ordered, SUM(l.qty_reserved) AS reserved,"
        " SUM(l.qty_shipped) AS shipped, SUM(l.qty_cancelled) AS cancelled,"
        " SUM(l.qty_ordered - l.qty_shipped - l.qty_cancelled - l.qty_reserved) AS short"
        " FROM customer_order o JOIN order_line l ON l.order_id = o.id"
    )
    where, args = ("WHERE o.status = ?", (status,)) if status else ("", ())
    rows = conn.execute(f"{query} {where} GROUP BY o.id ORDER BY o.arrival", args)
    return [dict(row) for row in rows]


def summary(conn: sqlite3.Connection) -> dict:
    """Counts for the status page and /healthz."""
    orders = dict.fromkeys(STATUSES, 0)
    for status, count in conn.execute(
        "SELECT status, COUNT(*) FROM customer_order GROUP BY status"
    ):
        orders[status] = count
    return {
        "catalog": {
            "products": conn.execute("SELECT COUNT(*) FROM product").fetchone()[0],
            "skus": conn.execute("SELECT COUNT(*) FROM variant").fetchone()[0],
        },
        "orders": orders,
        "needs_attention": conn.execute(
            "SELECT COUNT(*) FROM customer_order WHERE needs_attention IS NOT NULL"
        ).fetchone()[0],
    }


def open_order_count(conn: sqlite3.Connection) -> int:
    """Orders not finished, counted in the tab index (status first): cheap however many
    orders the shop has taken (systemd's status line asks at every watchdog ping)."""
    query = f"SELECT count(*) FROM customer_order WHERE status IN ({OPEN_SQL})"
    return conn.execute(query).fetchone()[0]


def sync_summary(conn: sqlite3.Connection) -> dict:
    """The cloud-sync figures of `gateway.status`."""
    counters = dict(
        conn.execute(
            "SELECT name, value FROM counter WHERE name IN ('in_seq', 'acked_seq')"
        ).fetchall()
    )
    out_seq, acked = outbox_head(conn), counters.get("acked_seq", 0)
    alarms = [
        f"{name}: {detail}"
        for name, detail in conn.execute("SELECT name, detail FROM alarm ORDER BY name")
    ]
    return {
        "in_seq": counters.get("in_seq", 0),
        "out_seq": out_seq,
        "acked_seq": acked,
        "outbox_backlog": out_seq - acked,
        "alarms": alarms,
    }


def fiscal_summary(conn: sqlite3.Connection) -> dict:
    """Receipt queue, the open shift and its cash drawer, for the status page and API."""
    repo = FiscalRepo(conn, "")
    counts = dict.fromkeys(JOB_STATES, 0) | repo.counts_by_state()
    key = repo.open_shift_key()
    totals = {}
    if key is not None:
        fn, number = key
        totals = shift_totals(repo.shift_receipts(number, fn), repo.shift_cash_moves(number, fn))
    return {
        "receipts": counts,
        "failed": receipt_rows(conn, state=FAILED, limit=20),
        "shift": {"number": key[1] if key else None, **totals},
    }


def failed_receipts(conn: sqlite3.Connection) -> int:
    """Receipts the register refused, for every `gateway.status`: the index of the failed ones
    answers it (m022), however many receipts the shop has printed."""
    return FiscalRepo(conn, "").count_in(FAILED)


def receipt_rows(conn: sqlite3.Connection, *, state: str | None = None, limit: int = 50) -> list:
    query = (
        "SELECT id AS receipt_id, kind, receipt_kind, state, order_id, shipment_id, refund_of,"
        " total, cash, card, prepaid, change, fd, fp, shift, error, created_by, created_at"
        " FROM receipt_job"
    )
    where, args = ("WHERE state = ?", (state,)) if state else ("", ())
    rows = conn.execute(f"{query} {where} ORDER BY id DESC LIMIT ?", (*args, limit))
    return [dict(row) for row in rows]


def lookup_code(conn: sqlite3.Connection, code: str, gtin: str | None = None) -> dict | None:
    """A scanned or typed code: the sku(s) it names, with their stock; None if unknown."""
    catalog = CatalogRepo(conn)
    matches = catalog.find_barcode(lookup_codes(code, gtin))
    if not matches:
        return None
    items = []
    for match in matches:
        [row] = stock_rows(conn, match.sku) or [{"sku": match.sku, "name": match.name}]
        variant = catalog.variant(match.sku)  # a sale screen needs the price and the marking
        sale = {"price": variant.price, "marked": variant.marked} if variant else {}
        items.append({**row, "pack": match.pack, "barcode": match.code, **sale})
    return {"code": code, "items": items}
