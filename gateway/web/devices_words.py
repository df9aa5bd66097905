"""«Устройства и связь» in staff words (UI.md: say what happened and what to do): each device's
state as a short line, what to do about it (cable and power, paper, the cover ...), and the
driver's own text kept apart for the specialist (a small line and a tooltip, never the main
line). Also the page's headline: «всё в порядке» only when the devices and the books are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .words import DEVICES, STATES, word

# (device, state) -> (Russian, English): what happened, in a few words, and what to do.
SAY: dict[tuple[str, str], tuple[str, str]] = {
    ("fiscal", "offline"): (
        "Касса не отвечает. Проверьте, что она включена и кабель от неё подключён к шлюзу;"
        " чеки подождут и напечатаются сами.",
        "The register does not answer. Check that it is switched on and its cable is plugged"
        " into the gateway; receipts wait and print by themselves.",
    ),
    ("fiscal", "error"): (
        "Касса сообщила об ошибке. Посмотрите на её экран; выключите и включите её. Если не"
        " помогло — позовите специалиста.",
        "The register reports an error. Look at its screen; switch it off and on again. If"
        " that does not help, call the specialist.",
    ),
    ("fiscal", "paper_out"): (
        "В кассе кончилась чековая лента: вставьте новый рулон и закройте крышку.",
        "The register is out of paper: put in a new roll and close the cover.",
    ),
    ("fiscal", "cover_open"): (
        "Открыта крышка кассы: закройте её.",
        "The register's cover is open: close it.",
    ),
    ("fiscal", "shift_expired"): (
        "Смена идёт больше 24 часов: закройте её на экране «Смена» и откройте новую.",
        "The shift is over 24 hours old: close it on the Shift screen and open a new one.",
    ),
    ("printer", "offline"): (
        "Принтер не отвечает. Проверьте, что он включён, кабель (или сеть) подключён и крышка"
        " закрыта; документы подождут и напечатаются сами.",
        "The printer does not answer. Check that it is on, its cable (or network) is plugged in"
        " and the cover is closed; documents wait and print by themselves.",
    ),
    ("printer", "paper_out"): (
        "В принтере кончилась бумага: вставьте новый рулон и закройте крышку — документы"
        " напечатаются сами.",
        "The printer is out of paper: put in a new roll and close the cover — documents then"
        " print by themselves.",
    ),
    ("printer", "error"): (
        "Принтер не печатает из-за ошибки шлюза: позовите специалиста.",
        "The printer does not print because of a gateway error: call the specialist.",
    ),
    ("scanner", "offline"): (
        "Сканер не подключён: проверьте его кабель (переподключите в другой разъём USB).",
        "The scanner is not connected: check its cable (plug it into another USB socket).",
    ),
    ("scanner", "stopped"): (
        "Сканер не работает: перезапустите шлюз или позовите специалиста.",
        "The scanner is not working: restart the gateway or call the specialist.",
    ),
    ("gpio", "error"): (
        "Лампочки и кнопка на корпусе не работают — магазин работает без них; скажите специалисту.",
        "The lights and button on the box do not work — the shop works without them; tell the"
        " specialist.",
    ),
}
SHIFT_CLOSED = (
    "Смена закрыта: чеки ждут, пока вы не откроете смену на экране «Смена».",
    "The shift is closed: receipts wait until you open the shift on the Shift screen.",
)
PRINTER_NO_STATUS = (
    "Принтер не сообщает, есть ли бумага: если документ не вышел, проверьте его сами.",
    "The printer does not report its paper: if a document did not come out, check it yourself.",
)
UNKNOWN_STATE = (
    "Непонятное состояние — позовите специалиста.",
    "An unknown state — call the specialist.",
)
WAITING = {  # what is waiting for the device, shown when it is not working
    "printer": ("Ждут печати: {n}", "Waiting to print: {n}"),
    "fiscal": ("Чеков ждут кассу: {n}", "Receipts waiting for the register: {n}"),
}
UNKNOWN_JOBS = (
    "Возможно, не вышли документы: {n} — они в списке «Проверьте документы» ниже: напечатайте"
    " ещё раз или нажмите «Вышел».",
    "Documents that may not have come out: {n} — they are in the list «Documents to check»"
    " below: print them again or press «It came out».",
)
FAILED_JOBS = (
    "Не напечатались документы: {n} — они в списке «Проверьте документы» ниже: напечатайте"
    " их ещё раз.",
    "Documents that did not print: {n} — they are in the list «Documents to check» below:"
    " print them again.",
)
SPECIALIST = ("Для специалиста: {detail}", "For the specialist: {detail}")
HEADLINE = {
    "ok": ("всё в порядке", "all good"),
    "bad": ("есть проблемы", "needs attention"),
}
PROBLEM_WORDS = {  # the headline's reasons, short
    "invariants": ("нарушения в остатках", "stock problems"),
    "cloud": ("нет связи с облаком", "no cloud link"),
    "paper": ("документы ждут проверки: {n}", "documents to check: {n}"),
}
# Device test buttons (UI.md: each device with a test button).
TESTS = {
    "fiscal": ("Проверить кассу (X-отчёт)", "Test the register (X report)"),
    "printer": ("Напечатать тестовую страницу", "Print a test page"),
    "scanner": ("Проверить сканер", "Test the scanner"),
}
TEST_TEXTS = {
    "ru": {
        "fiscal_ok": "Касса ответила и напечатала X-отчёт — она работает.",
        "fiscal_down": "Касса не ответила. Проверьте, что она включена и кабель подключён"
        " к шлюзу, и нажмите ещё раз.",
        "fiscal_refused": "Касса ответила, но отказала: {detail}",
        "printer_sent": "Тестовая страница отправлена на принтер…",
        "printer_ok": "Тестовая страница напечатана — принтер работает.",
        "printer_waits": "Принтер не напечатал страницу: она ждёт печати. Проверьте, что"
        " принтер включён, кабель подключён, есть бумага и закрыта крышка.",
        "scanner_ask": "Отсканируйте любой штрихкод в течение 20 секунд…",
        "scanner_busy": "Сканы сейчас идут в открытый документ (приёмка или инвентаризация):"
        " проверьте сканер там — код должен появиться в документе.",
        "scanner_ok": "Сканер работает: прочитан код {code}.",
        "scanner_none": "Скан не пришёл. Проверьте кабель сканера и что он пищит при сканировании.",
        "failed": "Не получилось: {detail}",
        "no_network": "Шлюз не отвечает: проверьте сеть.",
    },
    "en": {
        "fiscal_ok": "The register answered and printed an X report — it works.",
        "fiscal_down": "The register did not answer. Check that it is on and its cable is"
        " plugged into the gateway, then try again.",
        "fiscal_refused": "The register answered but refused: {detail}",
        "printer_sent": "The test page went to the printer…",
        "printer_ok": "The test page is printed — the printer works.",
        "printer_waits": "The printer did not print the page: it waits. Check that the printer"
        " is on, its cable is plugged in, it has paper and the cover is closed.",
        "scanner_ask": "Scan any barcode within 20 seconds…",
        "scanner_busy": "Scans now go into an open document (a receiving or a stocktake):"
        " test the scanner there — the code should appear in it.",
        "scanner_ok": "The scanner works: it read {code}.",
        "scanner_none": "No scan arrived. Check the scanner's cable and that it beeps when"
        " scanning.",
        "failed": "That did not work: {detail}",
        "no_network": "The gateway does not answer: check the network.",
    },
}


def _pick(pair: tuple[str, str], en: bool) -> str:
    return pair[1 if en else 0]


def specialist(detail: str, en: bool) -> str:
    """The driver's own text for the specialist line; "" when there is none."""
    detail = (detail or "").strip()
    return _pick(SPECIALIST, en).format(detail=detail) if detail else ""


def device_view(name: str, state: str, info: dict[str, Any], en: bool) -> dict[str, Any]:
    """One device: {"key", "name", "tone", "word", "advice", "waiting", "to_check",
    "specialist", "test"}.
    `info`: what the status knows beyond the state (the printer's snapshot, the register's
    device dict); the driver's `detail` goes to the specialist line only."""
    detail = str(info.get("detail") or "")
    advice = SAY.get((name, state))
    if advice is not None:
        text = _pick(advice, en)
    elif state == "ok" and name == "fiscal" and "shift" in detail and "open" in detail:
        text = _pick(SHIFT_CLOSED, en)
    elif state == "ok" and name == "printer" and "cannot report" in detail:
        text = _pick(PRINTER_NO_STATUS, en)
    elif state in STATES:
        text = ""
    else:
        text = _pick(UNKNOWN_STATE, en)
    waiting = int(info.get("queued") or 0)
    lines = []
    if waiting and state != "ok" and name in WAITING:
        lines.append(_pick(WAITING[name], en).format(n=waiting))
    to_check = []  # the paper listed below the printer («Проверьте документы»)
    if name == "printer" and int(info.get("unknown") or 0):
        to_check.append(_pick(UNKNOWN_JOBS, en).format(n=int(info["unknown"])))
    if name == "printer" and int(info.get("failed") or 0):
        to_check.append(_pick(FAILED_JOBS, en).format(n=int(info["failed"])))
    shown = state not in ("ok", "not_configured") or text
    return {
        "key": name,
        "name": _pick(DEVICES.get(name, (name, name)), en),
        **word(STATES, state, en),
        "advice": text,
        "waiting": lines,
        "to_check": to_check,
        "specialist": specialist(detail, en) if shown else "",
        "test": _pick(TESTS[name], en) if name in TESTS and state != "not_configured" else "",
    }


def device_views(data: dict[str, Any], en: bool) -> list[dict[str, Any]]:
    """Every device the status names, in its order, each in words."""
    fiscal = (data.get("fiscal") or {}).get("device") or {}
    receipts = (data.get("fiscal") or {}).get("receipts") or {}
    fiscal_info = {**fiscal, "queued": int(receipts.get("queued") or 0)}
    infos = {"fiscal": fiscal_info, "printer": data.get("printer") or {}}
    return [
        device_view(str(name), str(state), infos.get(str(name), {}), en)
        for name, state in (data.get("devices") or {}).items()
    ]


def headline(
    data: dict[str, Any],
    devices: list[dict[str, Any]],
    cloud_tone: str,
    en: bool,
    paper_to_check: int = 0,
) -> dict[str, Any]:
    """{"ok", "tone", "word", "why"}: green only when the books hold, no device or the link has
    a problem and no printed document waits to be checked; otherwise red, with what is wrong
    («касса: нет связи»)."""
    why = [f"{device['name']}: {device['word']}" for device in devices if device["tone"] == "bad"]
    if cloud_tone == "bad":
        why.append(_pick(PROBLEM_WORDS["cloud"], en))
    if paper_to_check:
        why.append(_pick(PROBLEM_WORDS["paper"], en).format(n=paper_to_check))
    invariants = data.get("invariants") or {}
    if not data.get("ok") or not invariants.get("ok", data.get("ok")):
        why.insert(0, _pick(PROBLEM_WORDS["invariants"], en))
    ok = not why
    return {
        "ok": ok,
        "tone": "ok" if ok else "bad",
        "word": _pick(HEADLINE["ok" if ok else "bad"], en),
        "why": "; ".join(why),
    }


# --- «Проверьте документы»: print jobs cut off (`unknown`) or failed, under the printer --------
# Each says what the paper is in staff words, when and who asked for it, with «Напечатать ещё
# раз» (both) and «Вышел» (`unknown` only: the gateway cannot know whether it came out).
PAPER_WHAT = {
    "pick_slip": ("Сборочный лист заказа {ref}", "Pick slip for order {ref}"),
    "receiving_report": ("Отчёт о приёмке {ref}", "Receiving report {ref}"),
    "shelf_label": ("Ценник: {name}", "Shelf label: {name}"),
    "test_page": ("Тестовая страница", "Test page"),
}
PAPER_OTHER = ("Документ № {id}", "Document no. {id}")
PAPER_STATES = {  # state -> (Russian, English, tone)
    "unknown": ("печать прервалась", "printing was cut off", "wait"),
    "failed": ("ошибка печати", "printing failed", "bad"),
}
PAPER = {
    "ru": {
        "title": "Проверьте документы",
        "intro": "Печать этих документов прервалась или не удалась. Посмотрите на принтер: если"
        " документ вышел целиком — нажмите «Вышел», если нет или он оборван — «Напечатать ещё"
        " раз».",
        "reprint": "Напечатать ещё раз",
        "confirm": "Вышел",
        "today": "сегодня в {time}",
        "yesterday": "вчера в {time}",
        "day": "{day} в {time}",
        "older": "И ещё старых документов: {n} — позовите специалиста.",
    },
    "en": {
        "title": "Documents to check",
        "intro": "Printing these documents was cut off or failed. Look at the printer: if a"
        " document came out whole, press «It came out»; if not, or it is torn, press «Print"
        " again».",
        "reprint": "Print again",
        "confirm": "It came out",
        "today": "today at {time}",
        "yesterday": "yesterday at {time}",
        "day": "{day} at {time}",
        "older": "And older documents: {n} — call the specialist.",
    },
}
# What the page's script says after a tap (static/devices.js); {what} is the paper's words.
PAPER_TEXTS = {
    "ru": {
        "paper_sent": "Отправлено на принтер ещё раз: {what}.",
        "paper_printed": "Напечатано ещё раз: {what}.",
        "paper_waits": "Ждёт печати: {what} — принтер пока не печатает; посмотрите его"
        " состояние выше.",
        "paper_confirmed": "Отмечено, что документ вышел: {what}.",
        "paper_gone": "Этот документ уже отметили (другой планшет или принтер): {what}.",
    },
    "en": {
        "paper_sent": "Sent to the printer again: {what}.",
        "paper_printed": "Printed again: {what}.",
        "paper_waits": "Waiting to print: {what} — the printer does not print yet; see its"
        " state above.",
        "paper_confirmed": "Marked as come out: {what}.",
        "paper_gone": "Already answered (another tablet or the printer): {what}.",
    },
}


def paper_what(job: dict[str, Any], en: bool) -> str:
    """«Сборочный лист заказа 3001», «Ценник: Кружка», «Тестовая страница»."""
    pattern = PAPER_WHAT.get(str(job.get("kind")), PAPER_OTHER)
    ref = job.get("ref") or ""
    name = job.get("name") or ref
    return _pick(pattern, en).format(ref=ref, name=name, id=job.get("id", ""))


def asked_when(stamp: str | None, en: bool, now: datetime | None = None) -> str:
    """A stored UTC time as the box's local «сегодня в 14:05», «вчера в 09:12», «02.12 в 18:40»."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    words = PAPER["en" if en else "ru"]
    time = moment.strftime("%H:%M")
    if moment.date() == today:
        return words["today"].format(time=time)
    if moment.date() == today - timedelta(days=1):
        return words["yesterday"].format(time=time)
    day = moment.strftime("%d/%m" if en else "%d.%m")
    return words["day"].format(day=day, time=time)


def paper_view(
    jobs: list[dict[str, Any]], en: bool, *, older: int = 0, now: datetime | None = None
) -> dict[str, Any] | None:
    """The list under the printer, or None when there is nothing to check. `jobs`: print jobs
    (id, kind, ref, state, error, created_by, created_at; `name` for a shelf label) in state
    unknown or failed; `older`: how many more there are than the list shows."""
    words = PAPER["en" if en else "ru"]
    rows = []
    for job in jobs:
        state = str(job.get("state"))
        if state not in PAPER_STATES:
            continue
        ru_word, en_word, tone = PAPER_STATES[state]
        asked = [asked_when(job.get("created_at"), en, now), str(job.get("created_by") or "")]
        rows.append(
            {
                "id": int(job["id"]),
                "state": state,
                "tone": tone,
                "word": en_word if en else ru_word,
                "what": paper_what(job, en),
                "asked": " · ".join(part for part in asked if part),
                "confirm": state == "unknown",
                "specialist": specialist(str(job.get("error") or ""), en)
                if state == "failed"
                else "",
            }
        )
    if not rows and not older:
        return None
    return {
        **{key: words[key] for key in ("title", "intro", "reprint", "confirm")},
        "jobs": rows,
        "older": words["older"].format(n=older) if older else "",
    }
