"""Read-side queries of the order desk: the board's tabs with their counts, one page of cards,
and one order with its lines (name and characteristics, as the goods are picked) and history.

The board is read on every refresh of every tablet: one query for the counts (the status
index), one for a page of orders, one for their lines -- never a query per order."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

# tab -> (statuses, extra condition); "done" is the recently finished ones, newest first.
TABS = {
    "new": ("'reserved'",),
    "short": ("'short'",),
    "confirmed": ("'confirmed'",),
    "partly": ("'partially_shipped'",),
    "done": ("'shipped'", "'cancelled'"),
}
OPEN_TABS = ("new", "short", "confirmed", "partly")
PAGE = 30
DONE_DAYS = 2  # "recently finished": what the desk may still be asked about


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def board_counts(conn: sqlite3.Connection, now: datetime) -> dict[str, int]:
    counts = dict.fromkeys(TABS, 0)
    by_status = dict(conn.execute("SELECT status, count(*) FROM customer_order GROUP BY status"))
    for tab, statuses in TABS.items():
        if tab != "done":
            counts[tab] = sum(by_status.get(s.strip("'"), 0) for s in statuses)
    since = _iso(now - timedelta(days=DONE_DAYS))
    counts["done"] = conn.execute(
        "SELECT count(*) FROM customer_order"
        " WHERE status IN ('shipped', 'cancelled') AND updated_at >= ?",
        (since,),
    ).fetchone()[0]
    return counts


def board(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    tab: str = "new",
    search: str = "",
    page: int = 1,
    confirm_within: timedelta = timedelta(minutes=30),
    pickup_within: timedelta = timedelta(days=3),
) -> dict:
    """One page of cards. With `search` (number, buyer name, phone, sku) every tab is searched."""
    args: list = []
    if search.strip():
        term = f"%{search.strip().lower()}%"
        where = (
            "(lower(o.number) LIKE ? OR lower(o.customer_json) LIKE ? OR o.id IN"
            " (SELECT order_id FROM order_line WHERE lower(sku) LIKE ?))"
        )
        args += [term, term, term]
    else:
        where = f"o.status IN ({', '.join(TABS[tab])})"
        if tab == "done":
            where += " AND o.updated_at >= ?"
            args.append(_iso(now - timedelta(days=DONE_DAYS)))
    order = "o.arrival DESC" if tab == "done" or search.strip() else "o.arrival"
    page = max(1, page)
    rows = conn.execute(
        "SELECT o.id, o.number, o.status, o.paid, o.customer_json, o.confirmed_by,"
        " o.needs_attention, o.created_at, o.updated_at, o.version"
        f" FROM customer_order o WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*args, PAGE + 1, (page - 1) * PAGE),
    ).fetchall()
    more = len(rows) > PAGE
    cards = [_card(row, now, confirm_within, pickup_within) for row in rows[:PAGE]]
    _add_lines(conn, cards)
    return {"tab": tab, "search": search, "page": page, "more": more, "orders": cards}


def _card(row, now: datetime, confirm_within: timedelta, pickup_within: timedelta) -> dict:
    created = datetime.strptime(row["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    age = now - created
    status = row["status"]
    waiting = status in ("reserved", "short") and row["confirmed_by"] is None
    picking = status in ("confirmed", "partially_shipped")
    return {
        "order_id": row["id"],
        "number": row["number"],
        "status": status,
        "paid": bool(row["paid"]),
        "customer": json.loads(row["customer_json"]),
        "created_at": row["created_at"],
        "age_s": int(age.total_seconds()),
        "confirm_overdue": waiting and age > confirm_within,
        "pickup_overdue": picking and age > pickup_within,
        "needs_attention": row["needs_attention"],
        "version": row["version"],
    }


def _add_lines(conn: sqlite3.Connection, cards: list[dict]) -> None:
    if not cards:
        return
    by_id = {card["order_id"]: card for card in cards}
    for card in cards:
        card.update(lines=[], total=0, items=0)
    marks = ", ".join("?" * len(by_id))
    for row in conn.execute(
        "SELECT l.order_id, l.sku, v.name, l.qty_ordered, l.qty_reserved, l.qty_shipped,"
        " l.qty_cancelled, l.price FROM order_line l JOIN variant v ON v.sku = l.sku"
        f" WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.position",
        tuple(by_id),
    ):
        card = by_id[row["order_id"]]
        live = row["qty_ordered"] - row["qty_cancelled"]
        card["lines"].append({"sku": row["sku"], "name": row["name"], "qty": live})
        card["total"] += live * row["price"]
        card["items"] += live


def order_detail(conn: sqlite3.Connection, order_id: str) -> dict | None:
    row = conn.execute(
        "SELECT id, number, channel, status, paid, customer_json, confirmed_by, cancel_reason,"
        " needs_attention, created_at, updated_at, version FROM customer_order WHERE id = ?",
        (order_id,),
    ).fetchone()
    if row is None:
        return None
    lines = [
        {
            **dict(line),
            "characteristics": json.loads(line["characteristics"]),
            "short": line["qty_ordered"]
            - line["qty_shipped"]
            - line["qty_cancelled"]
            - line["qty_reserved"],
        }
        for line in conn.execute(
            "SELECT l.line_id, l.sku, v.name, v.characteristics_json AS characteristics,"
            " p.name AS product, p.marked, l.price, l.qty_ordered, l.qty_reserved,"
            " l.qty_shipped, l.qty_cancelled FROM order_line l"
            " JOIN variant v ON v.sku = l.sku JOIN product p ON p.id = v.product_id"
            " WHERE l.order_id = ? ORDER BY l.position",
            (order_id,),
        )
    ]
    receipts = [
        dict(r)
        for r in conn.execute(
            "SELECT id AS receipt_id, kind, state, total, fd, created_by, created_at"
            " FROM receipt_job WHERE order_id = ? ORDER BY id",
            (order_id,),
        )
    ]
    return {
        "order_id": row["id"],
        "number": row["number"],
        "channel": row["channel"],
        "status": row["status"],
        "paid": bool(row["paid"]),
        "customer": json.loads(row["customer_json"]),
        "confirmed_by": row["confirmed_by"],
        "cancel_reason": row["cancel_reason"],
        "needs_attention": row["needs_attention"],
        "created_at": row["created_at"],
        "version": row["version"],
        "total": sum(x["price"] * (x["qty_ordered"] - x["qty_cancelled"]) for x in lines),
        "lines": lines,
        "receipts": receipts,
        "history": order_history(conn, order_id),
    }


def order_history(conn: sqlite3.Connection, order_id: str) -> list[dict]:
    """Who did what to the order, oldest first: the ledger's reserve / release / ship moves of
    its lines, grouped per command, and its shipments and receipts."""
    rows = conn.execute(
        "SELECT reason, sum(abs(d_reserved)) AS reserved, sum(-d_on_hand) AS shipped,"
        " actor, min(created_at) AS at FROM stock_move"
        " WHERE ref_type = 'order' AND ref_id >= ? AND ref_id < ?"
        " GROUP BY created_at, reason, actor ORDER BY min(id)",
        (f"{order_id}/", f"{order_id}0"),
    ).fetchall()
    return [
        {"what": r["reason"], "qty": r["shipped"] if r["reason"] == "ship" else r["reserved"],
         "by": r["actor"], "at": r["at"]}
        for r in rows
    ]  # fmt: skip
