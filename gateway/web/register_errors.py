"""How the register's screens say the API's refusals: reason -> rules, each a pattern of the
refusal's detail (optional) and the words for the cashier in Russian and English."""

# Reason (the API's `error`) -> what to say, the first rule that fits: one with a "pattern" (a
# JavaScript regular expression on the detail; its named groups fill the text, `{name:money}`
# formats kopecks); one with `{detail}` when the detail has a half in the page's language; that
# half alone; a rule without a pattern; the "" rule.
ERRORS: dict[str, list[dict[str, str]]] = {
    "negative_stock": [
        {
            "pattern": r"^(?<sku>\S+): the books say (?<have>\d+) on hand,"
            r" the sale takes (?<want>\d+)",
            "ru": "{sku}: по учёту на складе {have} шт., а в чеке {want}. Уберите лишнее или"
            " сначала исправьте остаток (Инвентаризация).",
            "en": "{sku}: the books say {have} on hand, the sale takes {want}. Remove the extra"
            " or correct the stock first (Stocktake).",
        }
    ],
    "cash": [
        {
            "pattern": r"holds (?<drawer>\d+) kopecks, cannot pay out (?<amount>\d+)",
            "ru": "В кассе только {drawer:money} — выплатить {amount:money} нельзя.",
            "en": "The drawer holds only {drawer:money} — cannot pay out {amount:money}.",
        }
    ],
    "payment": [
        {
            "ru": "Получено меньше, чем сумма чека: проверьте сумму наличных.",
            "en": "Less money than the receipt's total: check the cash received.",
        }
    ],
    "marking_code": [
        {
            "pattern": r"scanned twice",
            "ru": "Один и тот же код маркировки отсканирован дважды: у каждой единицы свой код.",
            "en": "The same marking code was scanned twice: each unit has its own code.",
        },
        {
            "pattern": r"^(?<sku>\S+) is not a marked product",
            "ru": "{sku} — не маркированный товар: коды маркировки для него не нужны.",
            "en": "{sku} is not a marked product: it needs no marking codes.",
        },
        {
            "ru": "Это не код маркировки «Честный знак»: отсканируйте квадратный код"
            " DataMatrix на товаре.",
            "en": "This is not a Chestny ZNAK marking code: scan the square DataMatrix code on"
            " the product.",
        },
    ],
    "refund_code": [
        {
            "pattern": r"scanned twice",
            "ru": "{detail}: у каждой штуки свой код.",
            "en": "{detail}: each piece has its own code.",
        },
        {
            "ru": "{detail}. Отсканируйте код с той штуки, которую принёс покупатель.",
            "en": "{detail}. Scan the code on the piece the buyer brought back.",
        },
    ],
    "refund_codes_needed": [
        {
            "pattern": r"^item \d+: (?<sku>\S+) is marked",
            "ru": "{sku} — маркированный товар: отсканируйте код каждой возвращаемой штуки.",
            "en": "{sku} is a marked product: scan the code of each piece brought back.",
        },
        {
            "ru": "Отсканируйте код каждой возвращаемой маркированной штуки.",
            "en": "Scan the code of each marked piece brought back.",
        },
    ],
    "already_refunded": [
        {
            "ru": "По этому чеку всё уже возвращено.",
            "en": "Everything on this receipt has already been refunded.",
        }
    ],
    "unknown_sku": [
        {
            "ru": "Этого товара больше нет в каталоге — отложите его и позовите управляющего.",
            "en": "This item is no longer in the catalog — put it aside and call the manager.",
        }
    ],
    "archived_sku": [
        {
            "ru": "Товар снят с продажи в каталоге — продать его нельзя, позовите управляющего.",
            "en": "The item is archived in the catalog and cannot be sold — call the manager.",
        }
    ],
    "vat": [
        {
            "ru": "У товара в каталоге неверная ставка НДС — касса не примет такой чек."
            " Исправьте каталог.",
            "en": "The catalog has a wrong VAT rate for this item — the register would refuse"
            " the receipt. Fix the catalog.",
        }
    ],
    "invalid_transition": [
        {
            "pattern": r"already open",
            "ru": "Смена уже открыта.",
            "en": "The shift is already open.",
        },
        {
            "pattern": r"not fiscalised yet",
            "ru": "Чек ещё не напечатан — вернуть по нему нельзя, подождите.",
            "en": "The receipt is not printed yet — it cannot be refunded; wait for it.",
        },
        {
            "pattern": r"only a failed one",
            "ru": "Этот чек не в ошибке — повторять нечего.",
            "en": "This receipt has not failed — nothing to retry.",
        },
        {
            "ru": "Сейчас это сделать нельзя: экран устарел — он обновится.",
            "en": "This cannot be done now: the screen was out of date — it will refresh.",
        },
    ],
    "not_found": [
        {"ru": "Не найдено — экран обновится.", "en": "Not found — the screen will refresh."}
    ],
    "register_refused": [
        {"ru": "Касса отказала: {detail}.", "en": "The register refused: {detail}."},
        {
            "ru": "Касса отказала — посмотрите её состояние на экране «Смена».",
            "en": "The register refused — see its state on the Shift screen.",
        },
    ],  # fmt: skip
    "register_unavailable": [
        {
            "pattern": "outcome is unknown",
            "ru": "Касса не ответила, и неизвестно, выполнила ли она команду. Напечатайте X-отчёт"
            " и проверьте, прежде чем повторять.",
            "en": "The register stopped answering and the outcome is unknown. Print an X report"
            " and check before you repeat.",
        },
        {
            "pattern": ".",
            "ru": "Касса не ответила — проверьте, включена ли она и подключена ли к шлюзу.",
            "en": "The register did not answer — check that it is on and connected.",
        },
    ],  # fmt: skip
    "": [
        {
            "ru": "Не получилось ({reason}) — попробуйте ещё раз или позовите управляющего.",
            "en": "That did not work ({reason}) — try again or call the manager.",
        }
    ],  # fmt: skip
}
