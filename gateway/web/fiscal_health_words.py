"""The fiscal drive's health in words (issue 11), for the devices page and «Сводка»: the OFD
queue («Неотправленных в ОФД: 5, старейший от 01.03 (7 дн.)»), the drive's end of life («ФН до
15.12.2026»), and each alarm in the page's language with a tone (amber: act soon, red: act now).
The figures come from `gateway.domain.fiscal_health.describe` (the status' `fiscal.health`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

WORDS = {
    "ru": {
        "queue": "Неотправленных в ОФД: {n}, старейший от {day} ({days} дн.)",
        "queue_empty": "Все чеки переданы в ОФД",
        "expires": "ФН до {day}",
        "expires_left": "ФН до {day} (осталось {days} дн.)",
        "checked": "Проверено {when} по часам кассы",
        "unsupported": "Эта касса не сообщает состояние ФН и очередь ОФД",
        "error": "Не удалось прочитать состояние ФН: {why}",
        "soon": "Внимание",
        "now": "Срочно",
    },
    "en": {
        "queue": "Not sent to the OFD: {n}, the oldest from {day} ({days} d)",
        "queue_empty": "Every receipt has reached the OFD",
        "expires": "Fiscal drive valid until {day}",
        "expires_left": "Fiscal drive valid until {day} ({days} d left)",
        "checked": "Checked {when} by the register's clock",
        "unsupported": "This register does not report its drive or OFD queue",
        "error": "Could not read the fiscal drive: {why}",
        "soon": "Attention",
        "now": "Urgent",
    },
}
# The levels that want action now (red); the others want it soon (amber).
URGENT = {"ofd_queue": (7, 25), "fn_expiry": (3,), "fn_memory": ()}


def alarm_views(health: dict[str, Any] | None, en: bool) -> list[dict[str, str]]:
    """Each alarm on: {"kind", "tone", "word", "text"}, the worst first."""
    w = WORDS["en" if en else "ru"]
    views = []
    for alarm in (health or {}).get("alarms") or []:
        urgent = alarm.get("level") in URGENT.get(alarm.get("kind"), ())
        views.append(
            {
                "kind": str(alarm.get("kind")),
                "tone": "bad" if urgent else "wait",
                "word": w["now" if urgent else "soon"],
                "text": str(alarm.get("detail_en" if en else "detail") or alarm.get("detail")),
            }
        )
    return sorted(views, key=lambda view: view["tone"] != "bad")


def health_view(health: dict[str, Any] | None, en: bool) -> dict[str, Any] | None:
    """The drive's lines for the register box; None before the drive was ever read."""
    if not health:
        return None
    w = WORDS["en" if en else "ru"]
    if health.get("supported") is False:
        return {"lines": [], "note": w["unsupported"], "alarms": [], "error": None}
    lines = []
    if "unsent" in health:
        lines.append(queue_line(health, w, en))
    if health.get("expires"):
        day = date.fromisoformat(health["expires"]).strftime("%d/%m/%Y" if en else "%d.%m.%Y")
        left = health.get("expires_in_days")
        lines.append(
            w["expires_left"].format(day=day, days=left)
            if left is not None and left <= 60
            else w["expires"].format(day=day)
        )
    checked = health.get("checked_at")
    note = w["checked"].format(when=_when(checked, en)) if checked else ""
    error = w["error"].format(why=health["error"]) if health.get("error") else None
    return {"lines": lines, "note": note, "alarms": alarm_views(health, en), "error": error}


def queue_line(health: dict[str, Any], w: dict[str, str], en: bool) -> str:
    if not health.get("unsent"):
        return w["queue_empty"]
    since = health.get("first_unsent_at")
    day = datetime.fromisoformat(since).strftime("%d/%m" if en else "%d.%m") if since else "—"
    days = health.get("waited_days")
    return w["queue"].format(n=health["unsent"], day=day, days=0 if days is None else days)


def _when(stamp: str, en: bool) -> str:
    return datetime.fromisoformat(stamp).strftime("%d/%m %H:%M" if en else "%d.%m %H:%M")
