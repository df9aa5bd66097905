"""«Сводка», the owner's summary (issue 10), rendered on the server: readable on a phone first,
the goods running out printable. The figures are `api_summary.summary_figures` (the same the API
returns); this module only puts them into words, in the page's language. The page reloads
itself now and then (`static/summary.js`), which also prints the low-stock list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from gateway.adapters.fiscal.receipt_mapping import DEFAULT_CASHIER
from gateway.domain.errors import InvalidInput
from gateway.domain.timestamps import parse_stamp

from .api import Actions
from .api_summary import parse_day, summary_figures
from .fiscal_health_words import health_view as fiscal_health_view
from .frame import frame, language
from .signin import who
from .summary_words import TEXTS, howto
from .words import DEVICES, STATES, word

PATH = "/summary"
TITLE = ("Сводка", "Summary")
NO_CACHE = {"Cache-Control": "no-store"}
# «картой» is the card terminal's money only: what was paid on the site (card, SBP) has its own
# line, so the owner can hold «картой» against the terminal's total.
ROWS = ("receipts", "revenue", "cash", "card", "online", "discounts", "refunds", "net", "average")
SUB_ROWS = ("cash", "card", "online")  # the parts of «Выручка»
NO_CHANGE_SHOWN = ("refunds", "discounts")


def money(kopecks: int | None) -> str:
    """12345678 -> "123 456,78 ₽" (a narrow no-break space between thousands)."""
    if kopecks is None:
        return "—"
    sign = "−" if kopecks < 0 else ""
    whole, cents = divmod(abs(kopecks), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{cents:02d} ₽"


def local_time(stamp: str | None, en: bool) -> str:
    """A gateway timestamp (UTC) as this box's local «27.11 09:12»."""
    if not stamp:
        return ""
    return parse_stamp(stamp).astimezone().strftime("%d/%m %H:%M" if en else "%d.%m %H:%M")


def day_label(day: date, en: bool, today: date | None = None) -> str:
    """«03.12», with the year («03.12.2025») when the day is not in this year."""
    fmt = "%d/%m" if en else "%d.%m"
    if day.year != (today or date.today()).year:
        fmt += "/%Y" if en else ".%Y"
    return day.strftime(fmt)


def period_label(first: str, last: str, en: bool, today: date | None = None) -> str:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    if a == b:
        return day_label(a, en, today)
    return f"{day_label(a, en, today)}–{day_label(b, en, today)}"


def compare(now: int, before: int, t: dict[str, str]) -> dict[str, str]:
    """The change against the period before, in words and a tone (never colour alone)."""
    if now == before:
        return {"tone": "same", "word": t["same"]}
    if before == 0:
        return {"tone": "up", "word": t["new"]}
    percent = round((now - before) * 100 / before)
    arrow = "▲" if now > before else "▼"
    return {"tone": "up" if now > before else "down", "word": f"{arrow} {abs(percent)} %"}


def figures_rows(period: dict, before: dict, t: dict[str, str]) -> list[dict[str, Any]]:
    def value(p: dict, key: str) -> int:
        return p["refunds"]["total"] if key == "refunds" else p[key]

    rows = []
    for key in ROWS:
        now, then = value(period, key), value(before, key)
        shown = str(now) if key == "receipts" else money(now)
        earlier = str(then) if key == "receipts" else money(then)
        if key == "refunds" and period["refunds"]["count"]:
            shown += f" ({period['refunds']['count']})"
        rows.append(
            {
                "label": t[f"row_{key}"],
                "now": shown,
                "before": earlier,
                "change": compare(now, then, t) if key not in NO_CHANGE_SHOWN else None,
                "sub": key in SUB_ROWS,
                "key": key,
                "hint": t.get(f"hint_{key}", ""),
            }
        )
    return rows


def cashier_name(person: dict, t: dict[str, str]) -> str:
    """Who the figures are for: a receipt with neither a staff account nor a printed cashier is
    the cloud's, for a payment made on the site (a prepayment or its refund), never a person."""
    if person["name"]:
        return person["name"]
    return t["no_name"] if person.get("staff_id") is not None else t["site_payments"]


def opened_automatically(by: dict | None) -> bool:
    """The register opened the shift for the day's first receipt, and that receipt had no
    cashier: the cloud's, for a payment on the site (the fiscal worker names it «Кассир»)."""
    return by is not None and by.get("staff_id") is None and by.get("name") == DEFAULT_CASHIER


def cashier_rows(period: dict, t: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "name": cashier_name(person, t),
            "receipts": str(person["receipts"]),
            "revenue": money(person["revenue"]),
            "refunds": money(person["refunds"]["total"]) if person["refunds"]["count"] else "—",
            "net": money(person["net"]),
            "average": money(person["average"]) if person["receipts"] else "—",
        }
        for person in period["cashiers"]
    ]


def shift_view(shift: dict, t: dict[str, str], en: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"open": shift["open"], "last": None}
    if shift["open"]:
        opener = shift.get("opened_by")
        by = (opener or {}).get("name") or t["at_keyboard"]
        opened = t["opened_auto" if opened_automatically(opener) else "opened"]
        view |= {
            "tone": "bad" if shift["expired"] else "ok",
            "word": t["shift_expired" if shift["expired"] else "shift_open"].format(
                number=shift["number"]
            ),
            "since": opened.format(when=local_time(shift["opened_at"], en), who=by),
            "expires": t["expires"].format(when=local_time(shift["expires_at"], en)),
            "drawer": money(shift["cash_in_drawer"]),
        }
    else:
        view |= {"tone": "off", "word": t["shift_closed"]}
    last = shift.get("last_closed")
    if last is not None:
        by = (last.get("closed_by") or {}).get("name") or t["at_keyboard"]
        view["last"] = {
            "text": t["last_closed"].format(
                number=last["number"], when=local_time(last["closed_at"], en), who=by
            ),
            **count_view(last, t),
        }
    return view


def count_view(last: dict, t: dict[str, str]) -> dict[str, Any]:
    """Expected against counted at the close, the difference in words and a tone."""
    expected, counted, difference = (
        last["cash_expected"],
        last["cash_counted"],
        last["cash_difference"],
    )
    if counted is None:
        return {
            "count": t["not_counted"].format(expected=money(expected)),
            "verdict": None,
            "tone": "off",
        }
    if difference == 0:
        verdict, tone = t["count_exact"], "ok"
    elif difference < 0:
        verdict, tone = t["count_short"].format(amount=money(-difference)), "bad"
    else:
        verdict, tone = t["count_over"].format(amount=money(difference)), "wait"
    text = t["counted"].format(expected=money(expected), counted=money(counted))
    return {"count": text, "verdict": verdict, "tone": tone}


def orders_view(orders: dict, t: dict[str, str]) -> list[dict[str, Any]]:
    rows = [
        ("to_confirm", "confirm_overdue", "/orders?tab=new"),
        ("short", None, "/orders?tab=short"),
        ("to_pick", "pickup_overdue", "/orders?tab=confirmed"),
    ]
    view = []
    for key, late_key, href in rows:
        late = orders[late_key] if late_key else 0
        view.append(
            {
                "label": t[f"orders_{key}"],
                "count": orders[key],
                "late": t[f"orders_{late_key}"].format(n=late) if late else "",
                "tone": "bad" if late else "wait" if orders[key] else "ok",
                "href": href,
            }
        )
    return view


def health_view(health: dict, t: dict[str, str], en: bool) -> dict[str, dict[str, str]]:
    sync = health["sync"]
    state = word(STATES, sync["state"], en)
    parts = [state["word"]]
    parts.append(t["backlog"].format(n=sync["backlog"]) if sync["backlog"] else t["delivered"])
    if sync["alarms"]:
        parts.append(t["alarms"].format(n=len(sync["alarms"])))
    devices = health["devices"]
    named = [
        f"{DEVICES.get(name, (name, name))[1 if en else 0]}: {word(STATES, value, en)['word']}"
        for name, value in devices["states"].items()
        if value != "ok"
    ]
    if not devices["states"]:
        device_text, tone = t["no_devices"], "off"
    elif devices["ok"]:
        device_text, tone = t["devices_ok"], "ok"
    else:
        device_text, tone = "; ".join(named), "bad"
    return {
        "sync": {
            "tone": "ok" if sync["ok"] else state["tone"] if not sync["alarms"] else "bad",
            "text": ", ".join(parts),
        },
        "devices": {"tone": tone, "text": device_text},
        "fiscal": fiscal_view(health.get("fiscal"), t, en),
    }


def fiscal_view(fiscal: dict | None, t: dict[str, str], en: bool) -> dict[str, Any] | None:
    """The fiscal drive: its alarms first, in words that say what to do, then the OFD queue
    and the drive's end of life; None without a register or before the drive was read."""
    view = fiscal_health_view(fiscal, en)
    if view is None:
        return None
    ok = not view["alarms"] and not view["error"]
    return {
        **view,
        "tone": "ok"
        if ok
        else "bad"
        if any(a["tone"] == "bad" for a in view["alarms"])
        else "wait",
        "word": t["fiscal_ok"] if ok else t["fiscal_alarms"].format(n=len(view["alarms"])),
    }


def low_view(items: list[dict]) -> list[dict[str, Any]]:
    return [
        {
            "sku": item["sku"],
            "name": item["name"],
            "characteristics": ", ".join(str(v) for v in item["characteristics"].values()),
            "available": item["available"],
            "min": item["min_stock"],
            "reserved": item["reserved"],
            "tone": "bad" if item["available"] == 0 else "wait",
        }
        for item in items
    ]


def summary_context(figures: dict, lang: str, today: date | None = None) -> dict[str, Any]:
    """The page's words for `figures`: «Сегодня» / «Вчера» only when the day is today, the day
    itself («03.12») and «Накануне» for another; no «День позже» past today."""
    en = lang == "en"
    t = TEXTS[lang]
    sales = figures["sales"]
    today = today or date.today()
    day = date.fromisoformat(figures["day"])
    words = period_words(day, today, t, en)
    blocks = []
    for now_key, before_key in (("today", "yesterday"), ("week", "last_week")):
        period, before = sales[now_key], sales[before_key]
        blocks.append(
            {
                "key": now_key,
                "title": words[f"title_{now_key}"],
                "when": period_label(period["from"], period["to"], en, today),
                "before": words[f"before_{now_key}"],
                "empty_text": words[f"empty_{now_key}"],
                "empty": not period["receipts"] and not period["refunds"]["count"],
                "rows": figures_rows(period, before, t),
                "cashiers": cashier_rows(period, t),
            }
        )
    return {
        "t": t,
        "problem": None,
        "day": day_label(day, en, today),
        "today": day == today,
        "prev_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat(),
        "has_next_day": day < today,
        "shift": shift_view(figures["shift"], t, en),
        "blocks": blocks,
        "orders": orders_view(figures["orders"], t),
        "low": low_view(figures["low_stock"]),
        "health": health_view(figures["health"], t, en),
        "howto": howto(lang),
    }


def period_words(day: date, today: date, t: dict[str, str], en: bool) -> dict[str, str]:
    """Titles, the period before and the empty lines of the day's and the week's blocks."""
    if day == today:
        keys = ("title_today", "before_today", "title_week", "before_week")
        return {key: t[key] for key in keys} | {
            "empty_today": t["no_sales_today"],
            "empty_week": t["no_sales_week"],
        }
    shown = day_label(day, en, today)
    return {
        "title_today": shown,
        "before_today": t["before_day"],
        "title_week": t["title_that_week"],
        "before_week": t["before_that_week"],
        "empty_today": t["no_sales_day"].format(day=shown),
        "empty_week": t["no_sales_that_week"],
    }


def problem_context(problem: str, lang: str) -> dict[str, Any]:
    """A day that cannot be shown (not a date, or still to come): the reason, in words, and
    the way back to today's summary."""
    t = TEXTS[lang]
    return {"t": t, "problem": t[problem], "today": True}


def add_summary_page(
    app: FastAPI, status: Callable[[], dict], actions: Actions, env: Environment, auth
) -> None:
    @app.get(PATH, response_class=HTMLResponse, name="summary.html")
    def summary_page(request: Request, lang: str = "ru", day: str | None = None) -> HTMLResponse:
        lang = language(lang)
        data = status()
        try:
            shown = parse_day(day)
        except InvalidInput as refused:  # the words on the page, not the API's English refusal
            context, code = problem_context(refused.reason, lang), 400
        else:
            context, code = summary_context(summary_figures(actions, data, shown), lang), 200
        values = {
            "lang": lang,
            "title": TITLE[1 if lang == "en" else 0],
            "frame": frame(data, lang, PATH, who(request, auth, lang)),
            **context,
        }
        page = env.get_template("summary.html").render(values)
        return HTMLResponse(page, status_code=code, headers=NO_CACHE)
