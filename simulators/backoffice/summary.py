"""The owner's summary as the cloud computes it from the gateway's events alone (issue 10): the
shift, the cash in the drawer, sales today and this week against the period before (in all and
by cashier), goods running out. The owner away from the shop sees what the shop's «Сводка»
shows, without asking the shop.

Written apart from the gateway's own (gateway/adapters/sqlite/summary_queries.py) on purpose: a
mistake in the rules must not pass on both sides. The rules, from the events of MQTT-CONTRACT 1.1:
- a receipt's day is the date of its fiscal time (`receipt.fiscalized` `fiscal.ts`, the
  register's clock), or of the envelope's `ts` when the register gave none;
- revenue is the money received by the receipts that sell (`kind` sell or prepayment, a
  correction of a sale): cash net of the change plus card; `card` is the counter's card, `online`
  the card of a receipt that names a site `payment_id`; `payments.prepaid` (a handover
  settled by offsetting a prepayment) is no money, the prepayment's receipt counted it;
- receipts count the purchases: selling receipts without `payments.prepaid`;
- refunds count the receipts that give money back (`sell_refund`, `prepayment_refund`, a
  correction of a refund) and that money, on the cashier who made them;
- average = revenue / receipts, rounded half up to a kopeck; net = revenue − refunds;
- a cashier is `cashier.staff_id` (or, without one, the name); the name shown is the one on that
  cashier's latest receipt (highest `receipt_id`) in the period;
- the drawer is `cash_in_drawer` of the open shift's latest receipt (0 before its first);
- an open shift expires 24 hours after `shift.opened` (its envelope's `ts`)."""

from datetime import UTC, date, datetime, timedelta

SHIFT_HOURS = 24
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def periods(today: date) -> dict[str, tuple[date, date]]:
    monday = today - timedelta(days=today.weekday())
    week = timedelta(days=7)
    yesterday = today - timedelta(days=1)
    return {
        "today": (today, today),
        "yesterday": (yesterday, yesterday),
        "week": (monday, today),
        "last_week": (monday - week, today - week),
    }


def owner_summary(events: list[dict], today: date, now: datetime | None = None) -> dict:
    """`events`: gateway envelopes (any order: they are sorted by seq here)."""
    now = now or datetime.now(UTC)
    ordered = sorted((e for e in events if isinstance(e.get("seq"), int)), key=lambda e: e["seq"])
    receipts = [e for e in ordered if e["type"] == "receipt.fiscalized"]
    return {
        "day": today.isoformat(),
        "shift": shift_state(ordered, receipts, now),
        "sales": {
            name: period_figures(receipts, first, last)
            for name, (first, last) in periods(today).items()
        },
        "low_stock": low_stock(ordered),
    }


# --- the shift ---------------------------------------------------------------------------------


def shift_state(events: list[dict], receipts: list[dict], now: datetime) -> dict:
    opened: dict | None = None
    closed: dict | None = None
    for env in events:
        if env["type"] == "shift.opened":
            opened = env
        elif env["type"] == "shift.closed":
            closed = env
            if opened is not None and opened["data"]["shift"] <= env["data"]["shift"]:
                opened = None
    state: dict = {"open": opened is not None, "last_closed": None}
    if opened is not None:
        number = opened["data"]["shift"]
        expires = _parse(opened["ts"]) + timedelta(hours=SHIFT_HOURS)
        drawers = [
            r["data"]["cash_in_drawer"]
            for r in receipts
            if r["data"]["fiscal"].get("shift") == number and r["seq"] > opened["seq"]
        ]
        state |= {
            "number": number,
            "opened_at": opened["ts"],
            "opened_by": opened["data"].get("cashier"),
            "expires_at": expires.strftime(TIME_FORMAT),
            "expired": now >= expires,
            "cash_in_drawer": drawers[-1] if drawers else 0,
        }
    if closed is not None:
        data = closed["data"]
        state["last_closed"] = {
            "number": data["shift"],
            "closed_at": closed["ts"],
            "closed_by": data.get("cashier"),
            "cash_expected": data.get("cash_expected"),
            "cash_counted": data.get("cash_counted"),
            "cash_difference": data.get("cash_difference"),
        }
    return state


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)


# --- sales ---------------------------------------------------------------------------------


def receipt_day(env: dict) -> str:
    fiscal_ts = (env["data"].get("fiscal") or {}).get("ts")
    return (fiscal_ts or env["ts"])[:10]


def period_figures(receipts: list[dict], first: date, last: date) -> dict:
    low, high = first.isoformat(), last.isoformat()
    total = _bucket()
    cashiers: dict[object, dict] = {}
    for env in receipts:
        if not low <= receipt_day(env) <= high:
            continue
        data = env["data"]
        cashier = data.get("cashier") or {}
        staff_id, name = cashier.get("staff_id"), cashier.get("name")
        key = staff_id if staff_id is not None else f"name:{name}"
        person = cashiers.setdefault(key, {**_bucket(), "staff_id": staff_id, "_latest": 0})
        if data["receipt_id"] > person["_latest"]:
            person["_latest"], person["name"] = data["receipt_id"], name
        for bucket in (total, person):
            _add(bucket, data)
    people = sorted(cashiers.values(), key=lambda p: (-p["revenue"], str(p.get("name"))))
    return {
        "from": low,
        "to": high,
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


SELLS = ("sell", "prepayment")
REFUNDS = ("sell_refund", "prepayment_refund")


def direction(data: dict) -> str | None:
    """ "sell" or "sell_refund": which way the money went. A correction says it in its
    `correction.operation` (or `operation`); without either it corrects a sale."""
    kind = data["kind"]
    if kind == "correction":
        kind = (data.get("correction") or {}).get("operation") or data.get("operation") or "sell"
    return "sell" if kind in SELLS else "sell_refund" if kind in REFUNDS else None


def _add(bucket: dict, data: dict) -> None:
    payments = data["payments"]
    cash = payments["cash"] - data.get("change", 0)
    money = cash + payments["card"]  # `prepaid` (since 1.1) moved no money
    way = direction(data)
    if way == "sell":
        bucket["receipts"] += 0 if payments.get("prepaid") else 1
        bucket["revenue"] += money
        bucket["cash"] += cash
        # A payment on the site (the receipt names its payment_id, since 1.1) is not the card
        # terminal's money: `card` is what the terminal's own total shows.
        bucket["online" if data.get("payment_id") else "card"] += payments["card"]
        bucket["discounts"] += data.get("discount", 0)  # since contract 1.1
    elif way == "sell_refund":
        bucket["refunds"] += 1
        bucket["refunded"] += money


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


# --- goods running out -------------------------------------------------------------------------


def low_stock(events: list[dict]) -> list[dict]:
    """Skus whose last `stock.low` still holds: the latest `stock.changed` after it shows them at
    or below that minimum. Most urgent first (none left, then the furthest below)."""
    minimum: dict[str, int] = {}
    latest: dict[str, dict] = {}
    for env in events:
        data = env["data"]
        if env["type"] == "stock.low":
            minimum[data["sku"]] = data["min_stock"]
            latest.setdefault(data["sku"], {"available": data["available"], "reserved": None})
        elif env["type"] == "stock.changed":
            if data.get("full"):
                latest = {}
            for item in data.get("items", []):
                latest[item["sku"]] = {"available": item["available"], "reserved": item["reserved"]}
    rows = [
        {"sku": sku, "min_stock": floor, **latest[sku]}
        for sku, floor in minimum.items()
        if sku in latest and latest[sku]["available"] <= floor
    ]
    return sorted(rows, key=lambda r: (r["available"], r["available"] - r["min_stock"], r["sku"]))


# --- words for the terminal --------------------------------------------------------------------


def rub(kopecks: int | None) -> str:
    if kopecks is None:
        return "—"
    sign = "-" if kopecks < 0 else ""
    whole, cents = divmod(abs(kopecks), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d} ₽"


def as_text(summary: dict, store: str) -> list[str]:
    """The summary as lines for the owner's terminal."""
    shift = summary["shift"]
    lines = [f"Сводка магазина {store} за {summary['day']} (по событиям шлюза)"]
    if shift["open"]:
        who = (shift["opened_by"] or {}).get("name") or "клавиатура кассы"
        late = " — ПРОСРОЧЕНА, закройте смену" if shift["expired"] else ""
        lines.append(
            f"Смена № {shift['number']} открыта {shift['opened_at'][:16]}Z ({who}){late};"
            f" наличные в кассе {rub(shift['cash_in_drawer'])}"
        )
    else:
        lines.append("Смена закрыта")
    last = shift["last_closed"]
    if last:
        who = (last["closed_by"] or {}).get("name") or "клавиатура кассы"
        counted = (
            "не пересчитывали"
            if last["cash_counted"] is None
            else f"пересчитано {rub(last['cash_counted'])}, разница {rub(last['cash_difference'])}"
        )
        lines.append(
            f"Последнее закрытие: смена № {last['number']} ({who}): по учёту"
            f" {rub(last['cash_expected'])}, {counted}"
        )
    names = {"today": "Сегодня", "yesterday": "Вчера", "week": "Неделя", "last_week": "Прошлая"}
    for key, name in names.items():
        p = summary["sales"][key]
        lines.append(
            f"{name} {p['from']}..{p['to']}: чеков {p['receipts']}, выручка {rub(p['revenue'])}"
            f" (нал. {rub(p['cash'])}, карта {rub(p['card'])}), возвраты {p['refunds']['count']}"
            f" на {rub(p['refunds']['total'])}, средний чек {rub(p['average'])}"
        )
        for c in p["cashiers"] if key in ("today", "week") else []:
            lines.append(
                f"  {c['name'] or 'без имени'}: чеков {c['receipts']}, выручка"
                f" {rub(c['revenue'])}, возвраты {rub(c['refunds']['total'])},"
                f" средний {rub(c['average'])}"
            )
    low = summary["low_stock"]
    lines.append(f"Заканчивается: {len(low)}" if low else "Заканчивается: ничего")
    lines += [f"  {r['sku']}: доступно {r['available']}, минимум {r['min_stock']}" for r in low]
    return lines
