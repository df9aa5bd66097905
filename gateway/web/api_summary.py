"""`GET /api/summary`: the owner's summary («Сводка», issue 10) as JSON — the same figures the
page shows: the shift and the drawer, sales today and this week against the period before (in
all and by cashier), web orders waiting, goods running out, and the health of the cloud link
and the devices in one line each, with the fiscal drive's alarms (the OFD queue, its end of
life). `?day=YYYY-MM-DD` looks at another day up to today (default: today by this box's clock,
which is the shop's); a day to come is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from gateway.adapters.sqlite.summary_queries import owner_summary
from gateway.domain.errors import InvalidInput

from .api import Actions, Who

NO_CACHE = {"Cache-Control": "no-store"}
DEVICE_ORDER = ("fiscal", "printer", "scanner", "gpio")


def parse_day(text: str | None, today: date | None = None) -> date:
    """`?day=`: a date no later than today (a day still to come has no receipts to show). The
    refusal's reason is the key of the page's words for it."""
    today = today or date.today()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"day {text!r} must be a date like 2026-11-27", reason="day_not_a_date"
        ) from None
    if day > today:
        raise InvalidInput(
            f"day {text} is still to come: the summary goes up to today", reason="day_in_future"
        )
    return day


def summary_figures(actions: Actions, status: dict[str, Any], day: date) -> dict[str, Any]:
    """The summary for `day`: the database's figures plus the health from the gateway status."""
    desk = actions.config.desk  # type: ignore[attr-defined]  # the Gateway has its config
    figures = actions.read(
        owner_summary,
        day,
        confirm_within_min=desk.confirm_within_min,
        pickup_within_days=desk.pickup_within_days,
        default_min=desk.default_min_stock,
    )
    return {**figures, "health": health(status)}


def health(status: dict[str, Any]) -> dict[str, Any]:
    """The cloud link (state, messages not yet acknowledged, alarms) and each configured
    device's state, from the gateway's status: `ok` says whether all is well."""
    mqtt = status.get("mqtt") or {}
    backlog = int((status.get("outbox") or {}).get("backlog") or 0)
    alarms = [str(alarm) for alarm in mqtt.get("alarms") or []]
    state = str(mqtt.get("state", "not_connected"))
    devices = {
        name: str(value)
        for name, value in sorted(
            (status.get("devices") or {}).items(),
            key=lambda item: DEVICE_ORDER.index(item[0]) if item[0] in DEVICE_ORDER else 99,
        )
        if value != "not_configured"
    }
    return {
        "sync": {
            "ok": state == "connected" and not alarms,
            "state": state,
            "backlog": backlog,
            "alarms": alarms,
        },
        "devices": {
            "ok": all(value == "ok" for value in devices.values()),
            "states": devices,
        },
        "fiscal": fiscal_health(status),
    }


def fiscal_health(status: dict[str, Any]) -> dict[str, Any] | None:
    """The fiscal drive's health (`fiscal.health` of the status: the OFD queue, the drive's end
    of life) and its alarms; None without a register or before the drive was first read."""
    health = (status.get("fiscal") or {}).get("health")
    if not health:
        return None
    keys = ("unsent", "first_unsent_at", "waited_days", "days_to_block", "expires",
            "expires_in_days", "memory_warning", "checked_at", "error")  # fmt: skip
    alarms = list(health.get("alarms") or [])
    return {
        "ok": not alarms,
        "supported": health.get("supported", True),
        **{key: health.get(key) for key in keys},
        "alarms": alarms,
    }


def add_summary_api(app: FastAPI, actions: Actions, status: Callable[[], dict]) -> None:
    @app.get("/api/summary")
    def summary(by: Who, day: str | None = None) -> JSONResponse:
        figures = summary_figures(actions, status(), parse_day(day))
        return JSONResponse(jsonable_encoder(figures), headers=NO_CACHE)
