"""The web entrypoint: `/healthz` for machines, `/devices` a plain status page for people, `/`
the order board (the tablet's home screen).

`create_app(status, actions)` takes a callable returning the gateway's status dict (built by the
core) and the staff actions behind the JSON API (`api.py`), so this module knows nothing about
SQLite, MQTT or devices and is tested with plain functions (the one read it makes, the paper to
check under the printer, goes through `actions.read` and the print queue's repository).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from gateway.adapters.sqlite.print_repo import PrintRepo
from gateway.services.printing import FAILED, SHELF_LABEL, UNKNOWN

from .api import Actions, add_api
from .api_goods import add_goods_api
from .api_orders import add_orders_api
from .api_staff import add_staff_api
from .api_stock import add_stock_api
from .api_summary import add_summary_api
from .auth import SignInRequired
from .devices_words import (
    PAPER_TEXTS,
    TEST_TEXTS,
    device_views,
    headline,
    paper_view,
    specialist,
)
from .fiscal_health_words import health_view as fiscal_health_view
from .frame import frame, language, status_bar, templates
from .link_words import link_detail
from .metrics import add_metrics
from .pages import add_pages
from .pages_summary import add_summary_page
from .signin import add_signin, who
from .words import STATES, word

StatusSource = Callable[[], dict[str, Any]]
NO_CACHE = {"Cache-Control": "no-store"}

ORDER_STATUSES = {
    "new": ("новый", "new"),
    "reserved": ("в резерве", "reserved"),
    "short": ("не хватает", "short"),
    "confirmed": ("подтверждён", "confirmed"),
    "partially_shipped": ("частично отгружен", "partly shipped"),
    "shipped": ("отгружен", "shipped"),
    "cancelled": ("отменён", "cancelled"),
    "rejected": ("отклонён", "rejected"),
}
TEXTS = {
    "ru": {
        "title": "Шлюз магазина",
        "all_ok": "всё в порядке",
        "not_ok": "есть проблемы",
        "other_lang": "English",
        "cloud": "Связь с облаком",
        "devices": "Устройства",
        "orders": "Заказы",
        "no_orders": "Заказов пока нет. Они появятся здесь, когда придут из интернет-магазина.",
        "needs_attention": "Требуют внимания",
        "none": "нет",
        "catalog": "Каталог",
        "products": "Товаров",
        "skus": "Модификаций",
        "outbox": "Отправка в облако",
        "head_seq": "Последнее сообщение №",
        "backlog": "Не подтверждено облаком",
        "delivered": "всё доставлено",
        "pending": "ждут отправки",
        "invariants": "Проверка остатков и резервов",
        "invariants_ok": "в порядке",
        "invariants_bad": "нарушения",
        "store": "Магазин",
        "version": "Версия",
        "database": "База данных",
        "refresh": "Страница обновляется каждые 10 секунд.",
        "register": "Касса",
        "shift_open": "Смена № {number} открыта",
        "shift_closed": "Смена закрыта",
        "cash_in_drawer": "Наличных в кассе",
        "receipts_queued": "Чеков ждут печати",
        "receipts_failed": "Чеки, которые ККТ не приняла",
    },
    "en": {
        "title": "Store gateway",
        "all_ok": "all good",
        "not_ok": "needs attention",
        "other_lang": "Русский",
        "cloud": "Cloud link",
        "devices": "Devices",
        "orders": "Orders",
        "no_orders": "No orders yet. They appear here when the web shop sends them.",
        "needs_attention": "Need attention",
        "none": "none",
        "catalog": "Catalog",
        "products": "Products",
        "skus": "Variants (SKUs)",
        "outbox": "Sending to the cloud",
        "head_seq": "Last message no.",
        "backlog": "Not yet confirmed by the cloud",
        "delivered": "all delivered",
        "pending": "waiting to be sent",
        "invariants": "Stock and reservation check",
        "invariants_ok": "ok",
        "invariants_bad": "problems",
        "store": "Store",
        "version": "Version",
        "database": "Database",
        "refresh": "This page refreshes every 10 seconds.",
        "register": "Cash register",
        "shift_open": "Shift no. {number} is open",
        "shift_closed": "The shift is closed",
        "cash_in_drawer": "Cash in the drawer",
        "receipts_queued": "Receipts waiting to print",
        "receipts_failed": "Receipts the register refused",
    },
}


def create_app(
    status: StatusSource, actions: Actions | None = None, *, secure: bool = False
) -> FastAPI:
    """Without `actions` only /healthz answers: every other route wants a person nobody can be.
    `secure`: served over TLS (the session cookie is then Secure)."""
    # No /docs or /redoc: they load JavaScript from a CDN, and the shop may be offline.
    app = FastAPI(title="Store gateway", docs_url=None, redoc_url=None)
    auth = actions.auth if actions is not None else None
    app.add_middleware(SignInRequired, auth=auth)
    pages = templates(training=actions is not None and actions.config.appliance.training)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    add_signin(app, auth, pages, secure=secure)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        data = status()
        code = 200 if data.get("ok") else 503
        return JSONResponse(jsonable_encoder(data), status_code=code, headers=NO_CACHE)

    @app.get("/api/fiscal")
    def fiscal() -> JSONResponse:
        data = status().get("fiscal") or {"device": {"state": "not_configured"}}
        return JSONResponse(jsonable_encoder(data), headers=NO_CACHE)

    @app.get("/api/bar")
    def bar(lang: str = "ru") -> JSONResponse:
        """The status bar's entries in words, as the page draws them: static/nav.js asks every
        few seconds (a background read), so an open page follows the devices and the link."""
        return JSONResponse({"bar": status_bar(status(), language(lang))}, headers=NO_CACHE)

    if actions is not None:
        from .api_corrections import add_corrections_api  # noqa: PLC0415

        add_corrections_api(app, actions)  # before add_api: its /api/fiscal/{operation} is wider
        add_api(app, actions)
        add_goods_api(app, actions)
        add_orders_api(app, actions)
        add_staff_api(app, actions)
        add_summary_api(app, actions, status)
        add_stock_api(app, actions)
        add_metrics(app, actions)  # /metrics only when [metrics] opens it or sets a token

    @app.get("/")
    def home(lang: str = "ru") -> RedirectResponse:
        """The tablet's home screen is the order board."""
        query = "?lang=en" if language(lang) == "en" else ""
        return RedirectResponse("/orders" + query, status_code=303, headers=NO_CACHE)

    @app.get("/devices", response_class=HTMLResponse)
    def status_page(request: Request, lang: str = "ru") -> HTMLResponse:
        lang = language(lang)
        data = status()
        paper = actions.read(paper_to_check) if actions is not None else ([], 0)
        view = page_view(data, lang, paper) | {
            "frame": frame(data, lang, "/devices", who(request, auth, lang))
        }
        return HTMLResponse(pages.get_template("status.html").render(view), headers=NO_CACHE)

    if actions is not None:
        add_pages(app, status, pages, auth)
        add_summary_page(app, status, actions, pages, auth)

    return app


PAPER_SHOWN = 50  # documents to check listed on the page at most


def paper_to_check(conn) -> tuple[list[dict[str, Any]], int]:
    """The print jobs staff must look at (cut off or failed), newest first, a shelf label with
    its item's name; and how many more there are than listed."""
    repo = PrintRepo(conn, "")
    counts = repo.open_counts()
    total = counts.get(UNKNOWN, 0) + counts.get(FAILED, 0)
    if not total:
        return [], 0
    jobs = repo.to_check(PAPER_SHOWN)
    for row in jobs:
        job = repo.job(row["id"]) if row["kind"] == SHELF_LABEL else None
        row["name"] = str(job.payload.get("name") or "") if job is not None else ""
    return jobs, max(total - len(jobs), 0)


def page_view(
    data: dict[str, Any], lang: str, paper: tuple[list[dict[str, Any]], int] = ([], 0)
) -> dict[str, Any]:
    """What the template shows, translated and given a tone; missing parts are tolerated.
    `paper`: the documents to check under the printer (`paper_to_check`)."""
    en = lang == "en"

    def state(name: object) -> dict[str, str]:
        return word(STATES, str(name), en)

    def label(table: dict[str, tuple[str, str]], key: str) -> str:
        return table.get(key, (key, key))[1 if en else 0]

    text = TEXTS[lang]
    catalog = data.get("catalog") or {}
    outbox = data.get("outbox") or {}
    invariants = data.get("invariants") or {}
    mqtt = data.get("mqtt") or {}
    attention = int(data.get("needs_attention") or 0)
    backlog = int(outbox.get("backlog") or 0)
    invariants_ok = bool(invariants.get("ok"))
    mqtt_state = state(mqtt.get("state", "not_configured"))
    devices = device_views(data, en)
    to_check = paper_view(paper[0], en, older=paper[1])
    checks = len(to_check["jobs"]) + paper[1] if to_check else 0
    return {
        "lang": lang,
        "title": f"{text['title']} {data.get('store_id', '')}".strip(),
        "t": text,
        "headline": headline(data, devices, mqtt_state["tone"], en, checks),
        "tests": TEST_TEXTS[lang] | PAPER_TEXTS[lang],
        "paper": to_check,
        "store_id": data.get("store_id", ""),
        "version": data.get("version", ""),
        "database": data.get("database", ""),
        "catalog": {"products": catalog.get("products", 0), "skus": catalog.get("skus", 0)},
        "orders": [
            {"label": label(ORDER_STATUSES, name), "count": count, "short": name == "short"}
            for name, count in (data.get("orders") or {}).items()
        ],
        "attention": {
            "tone": "wait" if attention else "ok",
            "word": str(attention) if attention else text["none"],
        },
        "head_seq": outbox.get("head_seq", 0),
        "backlog": {
            "count": backlog,
            "tone": "wait" if backlog else "ok",
            "word": text["pending"] if backlog else text["delivered"],
        },
        "invariants": {
            "tone": "ok" if invariants_ok else "bad",
            "word": text["invariants_ok" if invariants_ok else "invariants_bad"],
            "problems": [str(problem) for problem in invariants.get("problems") or []],
        },
        "mqtt": {
            "url": mqtt.get("url", ""),
            "detail": link_detail(str(mqtt.get("detail") or ""), en),
            **mqtt_state,
        },
        "devices": devices,
        "register": register_view(data.get("fiscal") or {}, text),
    }


def register_view(fiscal: dict[str, Any], text: dict[str, str]) -> dict[str, Any] | None:
    """The cash register box: shift, drawer, receipts waiting or refused, the OFD queue and the
    fiscal drive's end of life with their alarms; None without a register."""
    device = fiscal.get("device") or {}
    if device.get("state", "not_configured") == "not_configured":
        return None
    shift = fiscal.get("shift") or {}
    receipts = fiscal.get("receipts") or {}
    number = shift.get("number")
    en = text is TEXTS["en"]  # the page's words say its language
    return {
        "health": fiscal_health_view(fiscal.get("health") or device.get("health"), en),
        "detail": specialist(str(device.get("detail") or ""), en),
        "shift": text["shift_open"].format(number=number) if number else text["shift_closed"],
        "drawer": rubles(shift["cash_in_drawer"]) if number else None,
        "queued": int(receipts.get("queued", 0)) + int(receipts.get("sending", 0)),
        "failed": [
            f"№ {row['receipt_id']}: {row.get('error') or ''}" for row in fiscal.get("failed") or []
        ],
    }


def rubles(kopecks: int) -> str:
    """12345678 -> "123 456,78 ₽" (a narrow no-break space between thousands)."""
    sign = "−" if kopecks < 0 else ""
    whole, cents = divmod(abs(kopecks), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{cents:02d} ₽"
