"""What every staff page shares: the navigation (with the open web orders' count, kept fresh by
static/nav.js), the status bar (cloud link, register, printer, scanner, each a colour and a
word, also kept fresh by nav.js from /api/bar), who is signed in with «Сменить кассира», the
lock screen and the manager's-PIN dialog, the language switch, and the words. On a phone the
navigation folds into one menu button named after the current screen, and the bar into one line
of short names (the words on a tap)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .howto import howto
from .words import DEVICES, STATES, word

NAV = (  # path, Russian, English (UI.md's screen titles), managers only
    ("/orders", "Заказы", "Orders", False),
    ("/sale", "Продажа", "Sale", False),
    ("/shift", "Смена", "Shift", False),
    ("/stock", "Остатки", "Stock", False),
    ("/receiving", "Приёмка", "Receiving", False),
    ("/stocktake", "Инвентаризация", "Stocktake", False),
    ("/summary", "Сводка", "Summary", False),
    ("/devices", "Устройства и связь", "Devices and link", False),
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
        "menu": "Меню",
        "devices": "Устройства — нажмите, чтобы увидеть состояние словами",
        "sound_on": "Включить звук",
        "switch_short": "Сменить",
        "sound_why": "Звук новых заказов выключен браузером, пока вы не коснётесь экрана",
        "unseen": "новых: {n}",
        "open_orders": "открытых заказов: {n}",
        # The bar when the tablet gets no answer from the gateway (nav.js): nothing it showed
        # before is known any more.
        "lost": "Нет связи со шлюзом: проверьте Wi-Fi планшета",
        "lost_why": "Планшет не получает ответа от шлюза магазина, поэтому неизвестно, работают ли"
        " касса, принтер и связь с облаком. Проверьте Wi-Fi планшета. Если Wi-Fi есть, шлюз"
        " выключен или завис: позовите специалиста. Надпись исчезнет сама, когда шлюз ответит.",
        "broken": "Шлюз отвечает ошибкой: позовите специалиста",
        "broken_why": "Wi-Fi работает, но шлюз магазина сообщает о внутренней ошибке, поэтому"
        " неизвестно, работают ли касса, принтер и связь с облаком. Позовите специалиста: он"
        " увидит причину командой storegw doctor. Надпись исчезнет сама, когда шлюз ответит.",
        "unknown": "неизвестно",
    },
    "en": {
        "other_lang": "Русский",
        "cloud": "Cloud",
        "switch": "Switch cashier",
        "locked": "The tablet is locked. Who is working?",
        "override": "A manager's PIN is needed",
        "cancel": "Cancel",
        "menu": "Menu",
        "devices": "Devices — tap to see their state in words",
        "sound_on": "Turn the sound on",
        "switch_short": "Switch",
        "sound_why": "The browser keeps the new-order sound off until the screen is touched",
        "unseen": "{n} new",
        "open_orders": "open orders: {n}",
        "lost": "No connection to the gateway: check the tablet's Wi-Fi",
        "lost_why": "The tablet gets no answer from the shop's gateway, so whether the register,"
        " the printer and the cloud link work is unknown. Check the tablet's Wi-Fi. If the Wi-Fi"
        " is fine, the gateway is off or frozen: call the technician. This goes away by itself"
        " when the gateway answers.",
        "broken": "The gateway answers with an error: call the technician",
        "broken_why": "The Wi-Fi works, but the shop's gateway reports an internal error, so"
        " whether the register, the printer and the cloud link work is unknown. Call the"
        " technician: storegw doctor names the cause. This goes away by itself when the"
        " gateway answers.",
        "unknown": "unknown",
    },
}
# The bar names each device shortly (the full name on a hover); a phone shows the name and the
# tone's icon only, the words on a tap.
SHORT_NAMES = {
    "cloud": ("Облако", "Cloud"),
    "fiscal": ("Касса", "Register"),
    "printer": ("Принтер", "Printer"),
    "scanner": ("Сканер", "Scanner"),
}
OPEN_STATUSES = ("reserved", "short", "confirmed", "partially_shipped")
PAD_TEXTS = {
    "ru": {"pin": "PIN", "erase": "Стереть", "back": "Другой сотрудник", "enter": "Войти"},
    "en": {"pin": "PIN", "erase": "Clear", "back": "Someone else", "enter": "Enter"},
}
BAR_DEVICES = ("fiscal", "printer", "scanner")
# Training mode (`storegw run --training`): every page, the sign-in screen too, says so at the top.
TRAINING_BANNER = {
    "ru": "Учебный режим: чеки не настоящие, в облако ничего не уходит",
    "en": "Training mode: receipts are not real, nothing goes to the cloud",
}
TRAINING_CLOUD = ("отключено: учебный режим", "off: training mode")
# A device that is not working, with work waiting for it: the bar says so («ждут печати: 1»).
BAR_WAITING = {"printer": ("ждут печати: {n}", "{n} waiting to print")}
# The bar follows the devices while a page stays open (static/nav.js asks /api/bar, a background
# read: nobody's touch). «Устройства и связь» reloads itself every 10 s: it does not ask too.
BAR_EVERY_MS = 5000
BAR_RELOADED = frozenset({"/devices"})


def templates(*, training: bool = False) -> Environment:
    """`training`: a training gateway's pages, each with the banner (templates/_training.html)."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["training"] = TRAINING_BANNER if training else None
    return env


def language(lang: str | None) -> str:
    return "en" if lang == "en" else "ru"


def frame(
    status: dict[str, Any], lang: str, path: str, who: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`who`: the signed-in person and the session's page values (web/signin.py `who`)."""
    en = lang == "en"
    texts = FRAME_TEXTS[lang]
    who = who or NOBODY
    manager = who["staff"]["role"] == "manager"
    # Every entry is drawn, a manager's own hidden from a cashier: after «Сменить кассира»
    # static/signin.js shows or hides them for the person who signed in.
    nav = [
        {
            "href": href,
            "label": en_label if en else ru_label,
            "here": _here(href, path) and (manager or not managers_only),
            "managers_only": managers_only,
            "shown": manager or not managers_only,
        }
        for href, ru_label, en_label, managers_only in NAV
    ]
    by_status = status.get("orders") or {}
    return {
        "store_id": status.get("store_id", ""),
        "nav": nav,
        "here": next((item["label"] for item in nav if item["here"]), texts["menu"]),
        "open_orders": sum(int(by_status.get(name) or 0) for name in OPEN_STATUSES),
        "bar": status_bar(status, lang),
        # static/nav.js asks /api/bar this often (ms); 0: not at all, the page reloads itself.
        "bar_every": 0 if path in BAR_RELOADED else BAR_EVERY_MS,
        "t": texts,
        "pad": PAD_TEXTS[lang],
        "other_lang": "ru" if en else "en",
        "howto": howto(path, lang),
        **who,
    }


def status_bar(status: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The bar's entries, each {"name", "short", "tone", "word"}: the cloud link, then each
    configured device. The page draws them (base.html) and /api/bar sends them again."""
    en = lang == "en"
    mqtt = status.get("mqtt") or {}
    backlog = int((status.get("outbox") or {}).get("backlog") or 0)
    cloud = word(STATES, str(mqtt.get("state", "not_connected")), en)
    if status.get("training"):  # never connected, on purpose: nothing is waiting to be sent
        cloud = {"tone": "off", "word": TRAINING_CLOUD[1 if en else 0]}
    elif backlog:
        cloud["word"] += f" · {backlog}"
    devices = status.get("devices") or {}
    short = {name: names[1 if en else 0] for name, names in SHORT_NAMES.items()}
    return [{"name": FRAME_TEXTS[lang]["cloud"], "short": short["cloud"], **cloud}] + [
        {
            "name": DEVICES[name][1 if en else 0],
            "short": short[name],
            **_bar_word(name, str(devices[name]), status.get(name) or {}, en),
        }
        for name in BAR_DEVICES
        if devices.get(name, "not_configured") != "not_configured"
    ]


def _bar_word(name: str, state: str, snapshot: dict[str, Any], en: bool) -> dict[str, str]:
    """The device's tone and word; one not working says how much waits for it."""
    shown = word(STATES, state, en)
    waiting = int(snapshot.get("queued") or 0) if isinstance(snapshot, dict) else 0
    if name in BAR_WAITING and state != "ok" and waiting:
        shown["word"] += " · " + BAR_WAITING[name][1 if en else 0].format(n=waiting)
    return shown


def _here(href: str, path: str) -> bool:
    """The screen shown is this entry's, or one of its own (/orders/W-1 is under «Заказы»)."""
    return path == href or path.startswith(href + "/")


NOBODY = {"staff": {"name": "", "role": "", "role_word": ""}, "csrf": "", "idle_lock": 0,
          "people": [], "managers": []}  # fmt: skip
