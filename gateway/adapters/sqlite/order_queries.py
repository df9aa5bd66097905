"""Read side of the order desk: the board's counts (polled every second by every tablet), one
page of cards, and one order with its lines (product name and characteristics, as the goods are
picked), payment (order_payment_queries: what was paid on the site), receipts and history.

The board is cheap by construction: the counts are one statement answered from indexes
(status + updated_at, the tab index: status, arrival, seen_at); a page is one query for the
orders and one for their lines — never a query per order."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from gateway.domain.orders import Customer
from gateway.domain.timestamps import format_stamp, parse_stamp

from .fiscal_repo import refund_where
from .order_history import order_history
from .order_payment_queries import describe_payment, payment_block
from .order_repo import NEWEST_ARRIVAL
from .order_search import like_terms

# tab -> the statuses it shows; "done" is only the recently finished, newest first
TABS = {
    "new": ("reserved",),
    "short": ("short",),
    "confirmed": ("confirmed",),
    "partly": ("partially_shipped",),
    "done": ("shipped", "cancelled"),
}
OPEN_STATUSES = ("reserved", "short", "confirmed", "partially_shipped")
PAGE = 30
LAST_PAGE = (2**63 - 1) // PAGE  # past it the OFFSET would not fit SQLite's INTEGER
DONE_DAYS = 2  # "recently finished": what the desk may still be asked about
_OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
_COUNTS = f"""SELECT
  (SELECT count(*) FROM customer_order WHERE status = 'reserved'),
  (SELECT count(*) FROM customer_order WHERE status = 'short'),
  (SELECT count(*) FROM customer_order WHERE status = 'confirmed'),
  (SELECT count(*) FROM customer_order WHERE status = 'partially_shipped'),
  (SELECT count(*) FROM customer_order
     WHERE status IN ('shipped', 'cancelled') AND updated_at >= :since),
  (SELECT count(*) FROM customer_order WHERE seen_at IS NULL AND status IN ({_OPEN})),
  ({NEWEST_ARRIVAL})"""


def board_counts(conn: sqlite3.Connection, now: datetime) -> dict:
    """{counts: {tab: n}, unseen, latest}: `unseen` open orders nobody opened yet (the board's
    alert repeats while it is above zero), `latest` the newest order's arrival number (a
    screen that saw a smaller one reloads its list)."""
    row = conn.execute(_COUNTS, {"since": format_stamp(now - timedelta(days=DONE_DAYS))}).fetchone()
    return {
        "counts": dict(zip(TABS, row[:5], strict=True)),
        "unseen": row[5],
        "latest": row[6] or 0,
    }


def board_page(conn: sqlite3.Connection, now: datetime, **options) -> dict:
    """The board as the screen loads it: the counts of every tab and one page of one tab."""
    return {**board_counts(conn, now), **board(conn, now, **options)}


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
    """One page of cards of a tab. With `search` (number, buyer's name, phone, email, sku;
    any case, any alphabet) every order is searched, newest first."""
    if tab not in TABS:
        raise ValueError(f"unknown tab {tab}")
    args: list = []
    search = search.strip()
    if search:
        terms = like_terms(search)
        where = " OR ".join("o.search_text LIKE ? ESCAPE '\\'" for _ in terms)
        args += terms
        order = "o.arrival DESC"
    else:
        where = f"o.status IN ({', '.join('?' * len(TABS[tab]))})"
        args += TABS[tab]
        order = "o.arrival"
        if tab == "done":
            where += " AND o.updated_at >= ?"
            args.append(format_stamp(now - timedelta(days=DONE_DAYS)))
            order = "o.arrival DESC"
    page = min(max(1, page), LAST_PAGE)
    rows = conn.execute(
        "SELECT o.id, o.number, o.status, o.paid, o.customer_json, o.confirmed_by,"
        " o.confirmed_at, o.seen_at, o.needs_attention, o.created_at, o.version, o.arrival"
        f" FROM customer_order o WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*args, PAGE + 1, (page - 1) * PAGE),
    ).fetchall()
    cards = [card(row, now, confirm_within, pickup_within) for row in rows[:PAGE]]
    _add_lines(conn, cards)
    return {"tab": tab, "q": search, "page": page, "more": len(rows) > PAGE, "orders": cards}


def card(row, now: datetime, confirm_within: timedelta, pickup_within: timedelta) -> dict:
    age = now - parse_stamp(row["created_at"])
    status = row["status"]
    is_open = status in OPEN_STATUSES
    confirmed_at = row["confirmed_at"]
    return {
        "order_id": row["id"],
        "number": row["number"],
        "arrival": row["arrival"],
        "status": status,
        "paid": bool(row["paid"]),
        "customer": vars(Customer(**json.loads(row["customer_json"]))),  # every field, null or not
        "created_at": row["created_at"],
        "age_s": max(0, int(age.total_seconds())),
        "confirmed_by": row["confirmed_by"],
        "confirm_overdue": is_open and row["confirmed_by"] is None and age > confirm_within,
        "pickup_overdue": is_open
        and confirmed_at is not None
        and now - parse_stamp(confirmed_at) > pickup_within,
        "seen": row["seen_at"] is not None,
        "needs_attention": row["needs_attention"],
        "version": row["version"],
    }


def _add_lines(conn: sqlite3.Connection, cards: list[dict]) -> None:
    if not cards:
        return
    by_id = {card["order_id"]: card for card in cards}
    for one in cards:
        one.update(lines=[], total=0, items=0, short=0)
    marks = ", ".join("?" * len(by_id))
    for row in conn.execute(
        "SELECT l.order_id, l.sku, p.name AS product, v.characteristics_json, l.qty_ordered,"
        " l.qty_reserved, l.qty_shipped, l.qty_cancelled, l.price FROM order_line l"
        " JOIN variant v ON v.sku = l.sku JOIN product p ON p.id = v.product_id"
        f" WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.position",
        tuple(by_id),
    ):
        one = by_id[row["order_id"]]
        live = row["qty_ordered"] - row["qty_cancelled"]
        short = live - row["qty_shipped"] - row["qty_reserved"]
        one["lines"].append(
            {
                "sku": row["sku"],
                "name": row["product"],
                "characteristics": json.loads(row["characteristics_json"]),
                "qty": live,
                "short": short,
            }
        )
        one["total"] += live * row["price"]
        one["items"] += live
        one["short"] += short


def _with_refund(conn: sqlite3.Connection, receipt: dict) -> dict:
    """A sell receipt says what of it was refunded at the desk and where the rest can go back
    ("here": «Вернуть» opens the refund on «Смена»; "site": a prepayment, refunded on the site)."""
    refunded = conn.execute(
        "SELECT coalesce(sum(total), 0) FROM receipt_job"
        " WHERE refund_of = ? AND kind = 'sell_refund'",
        (receipt["receipt_id"],),
    ).fetchone()[0]
    receipt["refunded"] = refunded
    receipt["refund_left"] = max(0, receipt["total"] - refunded)
    receipt["refund"] = refund_where(
        receipt["operation"], receipt["kind"], receipt["state"], receipt["refund_left"]
    )
    return receipt


def order_detail(
    conn: sqlite3.Connection,
    order_id: str,
    now: datetime,
    *,
    confirm_within: timedelta = timedelta(minutes=30),
    pickup_within: timedelta = timedelta(days=3),
) -> dict | None:
    """Everything the order screen shows, or None for an unknown order."""
    row = conn.execute(
        "SELECT id, number, channel, status, paid, customer_json, confirmed_by, confirmed_at,"
        " cancel_reason, needs_attention, created_at, version, arrival, seen_at, seen_by,"
        " COALESCE(updated_at, created_at) AS updated_at FROM customer_order WHERE id = ?",
        (order_id,),
    ).fetchone()
    if row is None:
        return None
    lines = [
        {
            "line_id": line["line_id"],
            "sku": line["sku"],
            "name": line["product"],
            "variant_name": line["name"],
            "article": line["article"],
            "characteristics": json.loads(line["characteristics_json"]),
            "marked": bool(line["marked"]),
            "price": line["price"],
            "ordered": line["qty_ordered"],
            "reserved": line["qty_reserved"],
            "shipped": line["qty_shipped"],
            "cancelled": line["qty_cancelled"],
            "open": line["qty_ordered"] - line["qty_shipped"] - line["qty_cancelled"],
            "short": line["qty_ordered"]
            - line["qty_shipped"]
            - line["qty_cancelled"]
            - line["qty_reserved"],
            # the column names too: the order screen's scripts read these
            "qty_ordered": line["qty_ordered"],
            "qty_reserved": line["qty_reserved"],
            "qty_shipped": line["qty_shipped"],
            "qty_cancelled": line["qty_cancelled"],
        }
        for line in conn.execute(
            "SELECT l.line_id, l.sku, v.name, v.characteristics_json, p.name AS product,"
            " p.article, p.marked, l.price, l.qty_ordered, l.qty_reserved, l.qty_shipped,"
            " l.qty_cancelled FROM order_line l"
            " JOIN variant v ON v.sku = l.sku JOIN product p ON p.id = v.product_id"
            " WHERE l.order_id = ? ORDER BY l.position",
            (order_id,),
        )
    ]
    receipts = [
        _with_refund(conn, dict(r))
        for r in conn.execute(
            # `kind` says why (sell, prepayment, their refunds), `operation` what the register did
            "SELECT id AS receipt_id, receipt_kind AS kind, kind AS operation, state, total, cash,"
            " card, prepaid, payment_id, refund_of, fd, fp, shift, number, fiscal_ts, error,"
            " created_by, created_at FROM receipt_job WHERE order_id = ? ORDER BY id",
            (order_id,),
        )
    ]
    head = card(row, now, confirm_within, pickup_within)
    # Refund receipts made at the desk (not the site's: those are the payment's refunds).
    refunds = [
        {k: r[k] for k in ("receipt_id", "refund_of", "total", "cash", "card", "state", "fd")}
        for r in receipts
        if r["kind"] == "sell_refund"
    ]
    total = sum(x["price"] * (x["ordered"] - x["cancelled"]) for x in lines)
    history = order_history(conn, order_id, row["number"])
    for entry in history:
        words = describe_payment(entry["what"], entry["detail"])
        if words:
            entry["text"], entry["text_en"] = words
    return {
        **head,
        "channel": row["channel"],
        "confirmed_at": row["confirmed_at"],
        "cancel_reason": row["cancel_reason"],
        "seen_at": row["seen_at"],
        "seen_by": row["seen_by"],
        "updated_at": row["updated_at"],
        "total": total,
        "payment": payment_block(conn, order_id, total, bool(row["paid"])),
        "lines": lines,
        "receipts": receipts,
        "refunds": refunds,
        "refunded": sum(r["total"] for r in refunds),  # given back at the desk
        "history": history,
    }
