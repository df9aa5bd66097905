"""What every staff page shares: the navigation, the status bar (cloud link, register, printer,
scanner, each a colour and a word), the staff name field, the language switch, and the words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .words import DEVICES, STATES, word

NAV = (  # path, Russian, English (UI.md's screen titles)
    ("/sale", "Продажа", "Sale"),
    ("/shift", "Смена", "Shift"),
    ("/receiving", "Приёмка", "Receiving"),
    ("/stocktake", "Инвентаризация", "Stocktake"),
    ("/", "Устройства и связь", "Devices and link"),
)
FRAME_TEXTS = {
    "ru": {"staff": "Кто работает", "other_lang": "English", "cloud": "Облако"},
    "en": {"staff": "Who is working", "other_lang": "Русский", "cloud": "Cloud"},
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


def frame(status: dict[str, Any], lang: str, path: str) -> dict[str, Any]:
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
    return {
        "store_id": status.get("store_id", ""),
        "nav": [
            {"href": href, "label": en_label if en else ru_label, "here": href == path}
            for href, ru_label, en_label in NAV
        ],
        "bar": bar,
        "t": texts,
        "other_lang": "ru" if en else "en",
    }
