"""Read side of «Сводка», the owner's summary (issue 10): the shift, the drawer, sales today and
this week against the period before (in all and by cashier), web orders waiting, goods running
out.

A receipt's day is the date of its fiscal time (`receipt_job.fiscal_ts`, the register's own
clock), as `receipt.fiscalized` tells the cloud, so the back-office computes the same figures
from the events alone (simulators/backoffice/summary.py, the same rules written again on purpose:
a mistake must not pass on both sides). The rules, kept alike there:
- revenue is the money received: cash net of the change given plus card, of the receipts the
  register made as sells (a prepayment taken on the site is one); `card` is the card paid at
  the counter only (what the card terminal's own total shows), `online` the money paid on the
  site (card on the site, SBP, other electronic: a receipt of a payment on the site, or its
  refund, by `receipt_kind` as the shift screen tells it, schema_shift.PAID_ON_THE_SITE; the
  cloud tells it by the `payment_id` only those receipts carry), so
  revenue = cash + card + online; the part of a handover
  settled by offsetting a prepayment (`prepaid`, tag 1215) is no money -- the prepayment's own
  receipt counted it already;
- receipts count the purchases: sells not settled against a prepayment (the handover of a
  prepaid order is the same purchase as its prepayment);
- refunds count the receipts the register made as refunds (a prepayment given back is one), and
  the money given back, put on the cashier who made the refund;
- average = revenue / receipts, rounded half up to a kopeck; `net` = revenue − refunds;
- a cashier is the receipt's staff account (or, without one, its printed name); the name shown
  is the one on that cashier's latest receipt in the period.
One range scan over the covering index of m010 (schema_shift.py) reads the fortnight asked for."""

import sqlite3
from datetime import UTC, date, datetime, timedelta

from gateway.domain.fiscal import shift_totals
from gateway.domain.timestamps import format_stamp, parse_stamp

from .fiscal_repo import FiscalRepo
from .schema_shift import PAID_ON_THE_SITE, RECEIPT_TIME
from .stock_queries import low_stock

SHIFT_HOURS = 24  # a register refuses receipts in a shift older than this (54-FZ)
WAITING = ("reserved", "short")
PICKING = ("confirmed", "partially_shipped")


def periods(today: date) -> dict[str, tuple[date, date]]:
    """[first, last] days: today, yesterday, this week (Monday to today) and the same days of
    the week before."""
    monday = today - timedelta(days=today.weekday())
    week_ago = timedelta(days=7)
    return {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "week": (monday, today),
        "last_week": (monday - week_ago, today - week_ago),
    }


def owner_summary(
    conn: sqlite3.Connection,
    today: date,
    *,
    now: datetime | None = None,
    confirm_within_min: int = 30,
    pickup_within_days: int = 3,
    default_min: int = 0,
) -> dict:
    """`today`: the shop's date (the register's clock); `now`: the gateway's clock (UTC) for
    what is overdue and when the shift expires."""
    now = now or datetime.now(UTC)
    spans = periods(today)
    return {
        "day": today.isoformat(),
        "shift": shift_state(conn, now),
        "sales": sales(conn, spans),
        "orders": waiting_orders(conn, now, confirm_within_min, pickup_within_days),
        "low_stock": low_stock(conn, default_min),
    }


# --- the shift and the drawer ------------------------------------------------------------------


def shift_state(conn: sqlite3.Connection, now: datetime) -> dict:
    """The open shift (who opened it, when, when the register stops taking receipts) and its
    cash in the drawer by the books; the last closed shift with its counted cash."""
    open_row = conn.execute(
        "SELECT number, opened_by, opened_by_id, opened_at FROM fiscal_shift"
        " WHERE closed_at IS NULL ORDER BY number DESC LIMIT 1"
    ).fetchone()
    closed_row = conn.execute(
        "SELECT number, closed_by, closed_by_id, closed_at, cash_expected, cash_counted"
        " FROM fiscal_shift WHERE closed_at IS NOT NULL ORDER BY number DESC LIMIT 1"
    ).fetchone()
    state: dict = {"open": open_row is not None, "last_closed": None}
    if open_row is not None:
        number, name, staff_id, opened_at = open_row
        expires = parse_stamp(opened_at) + timedelta(hours=SHIFT_HOURS)
        repo = FiscalRepo(conn, "")
        totals = shift_totals(repo.shift_receipts(number), repo.shift_cash_moves(number))
        state |= {
            "number": number,
            "opened_at": opened_at,
            "opened_by": _person(staff_id, name),
            "expires_at": format_stamp(expires),
            "expired": now >= expires,
            "cash_in_drawer": totals["cash_in_drawer"],
        }
    if closed_row is not None:
        number, name, staff_id, closed_at, expected, counted = closed_row
        state["last_closed"] = {
            "number": number,
            "closed_at": closed_at,
            "closed_by": _person(staff_id, name),
            "cash_expected": expected,
            "cash_counted": counted,
            "cash_difference": None if counted is None or expected is None else counted - expected,
        }
    return state


def _person(staff_id: int | None, name: str | None) -> dict | None:
    return None if staff_id is None and name is None else {"staff_id": staff_id, "name": name}


# --- sales ---------------------------------------------------------------------------------


def sales(conn: sqlite3.Connection, spans: dict[str, tuple[date, date]]) -> dict[str, dict]:
    first = min(a for a, _ in spans.values())
    last = max(b for _, b in spans.values())
    rows = conn.execute(
        f"SELECT substr({RECEIPT_TIME}, 1, 10) AS day, kind, staff_id,"
        " json_extract(draft_json, '$.cashier'), count(*), sum(prepaid = 0),"
        " sum(cash - change), sum(card), max(id), sum(discount),"
        f" sum(CASE WHEN {PAID_ON_THE_SITE} THEN card ELSE 0 END)"
        f" FROM receipt_job WHERE state = 'done' AND {RECEIPT_TIME} >= ?"
        f" AND {RECEIPT_TIME} < ? GROUP BY 1, 2, 3, 4",
        (first.isoformat(), (last + timedelta(days=1)).isoformat()),
    ).fetchall()
    return {
        name: period_figures([r for r in rows if a.isoformat() <= r[0] <= b.isoformat()], a, b)
        for name, (a, b) in spans.items()
    }


def period_figures(rows: list, first: date, last: date) -> dict:
    """Rows (day, kind, staff_id, name, count, purchases, cash, card, latest id, discount,
    paid on the site) ->
    the period's totals and its cashiers, most revenue first. `kind` is what the register did
    (sell / sell_refund); purchases are the receipts not settled against a prepayment."""
    total = _bucket()
    cashiers: dict[object, dict] = {}
    for _day, kind, staff_id, name, count, purchases, cash, card, latest, discount, site in rows:
        key = staff_id if staff_id is not None else f"name:{name}"
        person = cashiers.setdefault(key, {**_bucket(), "staff_id": staff_id, "_latest": 0})
        if latest > person["_latest"]:
            person["_latest"], person["name"] = latest, name
        for bucket in (total, person):
            _add(bucket, kind, (count, purchases), (cash, card - site, site), discount)
    people = sorted(cashiers.values(), key=lambda p: (-p["revenue"], str(p.get("name"))))
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        **_finish(total),
        "cashiers": [
            {"staff_id": p["staff_id"], "name": p.get("name"), **_finish(p)} for p in people
        ],
    }


def _bucket() -> dict:
    return {
        "receipts": 0, "revenue": 0, "cash": 0, "card": 0, "online": 0, "refunds": 0,
        "refunded": 0, "discounts": 0,
    }  # fmt: skip


def _add(
    bucket: dict, kind: str, counts: tuple[int, int], money: tuple[int, int, int], discount: int
) -> None:
    """`money`: (cash net of the change, card at the counter, paid on the site); a prepayment
    offset (no money) is in none of them."""
    count, purchases = counts
    cash, card, site = money
    if kind == "sell":
        bucket["receipts"] += purchases
        bucket["revenue"] += cash + card + site
        bucket["cash"] += cash
        bucket["card"] += card
        bucket["online"] += site
        bucket["discounts"] += discount
    elif kind == "sell_refund":
        bucket["refunds"] += count
        bucket["refunded"] += cash + card + site


def _finish(bucket: dict) -> dict:
    receipts, revenue = bucket["receipts"], bucket["revenue"]
    return {
        "receipts": receipts,
        "revenue": revenue,
        "cash": bucket["cash"],
        "card": bucket["card"],
        "online": bucket["online"],
        "refunds": {"count": bucket["refunds"], "total": bucket["refunded"]},
        "discounts": bucket["discounts"],
        "net": revenue - bucket["refunded"],
        "average": (2 * revenue + receipts) // (2 * receipts) if receipts else 0,
    }


# --- web orders ------------------------------------------------------------------------------


def waiting_orders(
    conn: sqlite3.Connection, now: datetime, confirm_within_min: int, pickup_within_days: int
) -> dict:
    """Web orders waiting for the shop: to confirm (and overdue), short, to pick and hand over
    (and the pickups overdue), by the desk's own limits (config [orders])."""
    confirm_by = format_stamp(now - timedelta(minutes=confirm_within_min))
    pickup_by = format_stamp(now - timedelta(days=pickup_within_days))
    row = conn.execute(
        "SELECT"
        " coalesce(sum(status IN ('reserved', 'short') AND confirmed_by IS NULL), 0),"
        " coalesce(sum(status IN ('reserved', 'short') AND confirmed_by IS NULL"
        "   AND created_at < :confirm_by), 0),"
        " coalesce(sum(status = 'short'), 0),"
        " coalesce(sum(status IN ('confirmed', 'partially_shipped')), 0),"
        " coalesce(sum(status IN ('confirmed', 'partially_shipped')"
        "   AND coalesce(confirmed_at, updated_at, created_at) < :pickup_by), 0)"
        " FROM customer_order"
        " WHERE status IN ('reserved', 'short', 'confirmed', 'partially_shipped')",
        {"confirm_by": confirm_by, "pickup_by": pickup_by},
    ).fetchone()
    keys = ("to_confirm", "confirm_overdue", "short", "to_pick", "pickup_overdue")
    return dict(zip(keys, row, strict=True))
