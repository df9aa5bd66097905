"""The register's screens: «Продажа» (a counter sale) and «Смена» (shift, X report, cash, the
correction receipt dialog).

Both pages are a frame plus a script (`static/register.js` shared, `sale.js`, `shift.js`) that
calls the JSON API. Every word they show comes from here, in the page's language: the template's
texts as `t`, the script's as JSON (`js`), from register_words.py. The API's refusals are English
(or "English / Russian"), so `ERRORS` (register_errors.py) turns the reasons the register screens
meet into words for the cashier; a bilingual detail is shown in the page's language."""

from __future__ import annotations

from typing import Any

from .correction_words import CORRECTION, CORRECTION_JS
from .pages import Page
from .register_errors import ERRORS
from .register_words import (
    COMMON,
    DEVICE,
    KINDS,
    RECEIPT_STATES,
    SALE,
    SALE_JS,
)
from .shift_words import SHIFT, SHIFT_JS
from .words import STATES, word


def _table(table: dict[str, tuple[str, str, str]], en: bool) -> dict[str, dict[str, str]]:
    return {key: word(table, key, en) for key in table}


def script_texts(lang: str, *pages: dict[str, dict[str, str]]) -> dict[str, Any]:
    en = lang == "en"
    texts: dict[str, Any] = dict(COMMON[lang])
    for page in pages:
        texts.update(page[lang])
    return {
        **texts,
        "errors": {
            reason: [{"pattern": rule.get("pattern", ""), "text": rule[lang]} for rule in rules]
            for reason, rules in ERRORS.items()
        },
        "device": {
            state: {**word(STATES, state, en), "say": says[1 if en else 0]}
            for state, says in DEVICE.items()
        },
        "receipt_states": _table(RECEIPT_STATES, en),
        "kinds": {kind: names[1 if en else 0] for kind, names in KINDS.items()},
    }


def sale_context(status: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"t": SALE[lang], "js": script_texts(lang, SALE, SALE_JS)}


def shift_context(status: dict[str, Any], lang: str) -> dict[str, Any]:
    """The register's state as the gateway knows it now, so the page shows it at once."""
    fiscal = status.get("fiscal") or {"device": {"state": "not_configured"}}
    return {
        "t": SHIFT[lang],
        "c": CORRECTION[lang],  # the «Чек коррекции» dialog (static/correction.js)
        # the refund dialog reads marking codes as «Продажа» does (static/marking.js)
        "js": script_texts(lang, SHIFT, SHIFT_JS, CORRECTION_JS, _sale_reading(SALE_JS)),
        "fiscal": fiscal,
    }


def _sale_reading(words: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    keys = ("not_marking", "other_item")
    return {lang: {key: texts[key] for key in keys} for lang, texts in words.items()}


PAGES: list[Page] = [
    Page("/sale", "sale.html", "Продажа", "Sale", sale_context),
    Page("/shift", "shift.html", "Смена", "Shift", shift_context),
]
