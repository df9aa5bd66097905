"""What every staff page shares: the navigation, the status bar (cloud link, register, printer,
scanner, each a colour and a word), who is signed in with «Сменить кассира», the lock screen
and the manager's-PIN dialog, the language switch, and the words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .words import DEVICES, STATES, word

NAV = (  # path, Russian, English (UI.md's screen titles), managers only
    ("/sale", "Продажа", "Sale", False),
    ("/shift", "Смена", "Shift", False),
    ("/receiving", "Приёмка", "Receiving", False),
    ("/stocktake", "Инвентаризация", "Stocktake", False),
    ("/", "Устройства и связь", "Devices and link", False),
    ("/staff", "Сотрудники", "Staff", True),
    ("/audit", "Журнал", "Audit", True),
)
FRAME_TEXTS = {
    "ru": {
        "other_lang": "English",
        "cloud": "Облако",
        "switch": "Сменить кассира",
        "locked": "Планшет заблокирован. Кто работает?",
        "override": "Нужен PIN управляющего",
        "cancel": "Отмена",
    },
    "en": {
        "other_lang": "Русский",
        "cloud": "Cloud",
        "switch": "Switch cashier",
        "locked": "The tablet is locked. Who is working?",
        "override": "A manager's PIN is needed",
        "cancel": "Cancel",
    },
}
PAD_TEXTS = {
    "ru": {"pin": "PIN", "erase": "Стереть", "back": "Другой сотрудник", "enter": "Войти"},
    "en": {"pin": "PIN", "erase": "Clear", "back": "Someone else", "enter": "Enter"},
}
BAR_DEVICES = ("fiscal", "printer", "scanner")


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language(lang: str | None) -> str:
    return "en" if lang == "en" else "ru"


def frame(
    status: dict[str, Any], lang: str, path: str, who: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`who`: the signed-in person and the session's page values (web/signin.py `who`)."""
    en = lang == "en"
    texts = FRAME_TEXTS[lang]
    mqtt = status.get("mqtt") or {}
    backlog = int((status.get("outbox") or {}).get("backlog") or 0)
    cloud = word(STATES, str(mqtt.get("state", "not_connected")), en)
    if backlog:
        cloud["word"] += f" · {backlog}"
    devices = status.get("devices") or {}
    bar = [{"name": texts["cloud"], **cloud}] + [
        {"name": DEVICES[name][1 if en else 0], **word(STATES, str(devices[name]), en)}
        for name in BAR_DEVICES
        if devices.get(name, "not_configured") != "not_configured"
    ]
    who = who or NOBODY
    manager = who["staff"]["role"] == "manager"
    return {
        "store_id": status.get("store_id", ""),
        "nav": [
            {"href": href, "label": en_label if en else ru_label, "here": href == path}
            for href, ru_label, en_label, managers_only in NAV
            if manager or not managers_only
        ],
        "bar": bar,
        "t": texts,
        "pad": PAD_TEXTS[lang],
        "other_lang": "ru" if en else "en",
        **who,
    }


NOBODY = {"staff": {"name": "", "role": "", "role_word": ""}, "csrf": "", "idle_lock": 0,
          "people": [], "managers": []}  # fmt: skip
