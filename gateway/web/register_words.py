"""Every word of the register's screens («Продажа», «Смена»), in Russian and English: the
templates' texts, the scripts' texts, and `ERRORS`, which turns the reasons the API refuses
with into words for the cashier (pages_register.py puts them together for a page)."""

# The register's state (the fiscal worker's supervisor), each a badge word and a sentence that
# says what to do.
DEVICE = {
    "ok": ("Касса готова печатать чеки", "The register is ready to print receipts"),
    "offline": (
        "Касса не на связи — проверьте кабель и питание",
        "The register does not answer — check its cable and power",
    ),
    "paper_out": ("Нет бумаги — вставьте рулон", "Out of paper — load a new roll"),
    "cover_open": ("Открыта крышка — закройте её", "The cover is open — close it"),
    "shift_expired": (
        "Смена идёт больше 24 часов — закройте смену",
        "The shift is over 24 hours old — close it",
    ),
    "error": ("Ошибка кассы", "The register reports an error"),
    "not_configured": ("Касса не подключена к шлюзу", "No register is configured"),
}
RECEIPT_STATES = {  # receipt job state -> (tone, Russian, English)
    "queued": ("wait", "в очереди", "queued"),
    "sending": ("wait", "печатается", "printing"),
    "done": ("ok", "напечатан", "printed"),
    "failed": ("bad", "ошибка", "failed"),
}
KINDS = {"sell": ("продажа", "sale"), "sell_refund": ("возврат", "refund")}

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

COMMON = {
    "ru": {
        "no_network": "Шлюз не отвечает: проверьте сеть (Wi-Fi планшета).",
        "signed_out": "Войдите по PIN и повторите действие.",
        "confirm_no": "Отмена",
        "amount_bad": "Введите сумму в рублях, например 1 000 или 1 234,50.",
        "receipt": "Чек № {id}",
        "receipt_queued": "Чек № {id} на {total} в очереди на печать.",
        "receipt_waits": "Чек № {id} ждёт печати: {why}.",
        "receipt_printed": "Чек № {id} напечатан (ФД {fd}).",
        "receipt_failed": "Касса не приняла чек № {id}: {why}. Повторить можно на экране «Смена».",
        "receipt_slow": "Чек № {id} ещё в очереди — проверьте на экране «Смена».",
    },
    "en": {
        "no_network": "The gateway does not answer: check the network (the tablet's Wi-Fi).",
        "signed_out": "Sign in with your PIN, then try again.",
        "confirm_no": "Cancel",
        "amount_bad": "Enter an amount in roubles, e.g. 1000 or 1234.50.",
        "receipt": "Receipt no. {id}",
        "receipt_queued": "Receipt no. {id} for {total} is queued for printing.",
        "receipt_waits": "Receipt no. {id} is waiting: {why}.",
        "receipt_printed": "Receipt no. {id} printed (FD {fd}).",
        "receipt_failed": "The register refused receipt no. {id}: {why}. Retry it on the Shift"
        " screen.",
        "receipt_slow": "Receipt no. {id} is still queued — check the Shift screen.",
    },
}

SALE = {
    "ru": {
        "code_label": "Код товара",
        "code_hint": "Отсканируйте или введите код и нажмите Enter",
        "empty": "Отсканируйте товар или введите код — он появится здесь.",
        "goods": "Товар",
        "price": "Цена",
        "qty": "Кол-во",
        "sum": "Сумма",
        "less": "Убрать одну",
        "more": "Добавить одну",
        "remove": "Убрать строку",
        "total": "Итого",
        "discount_sale": "Скидка на чек",
        "pay": "Оплата",
        "cash": "Наличные",
        "card": "Карта",
        "received": "Получено наличными",
        "received_hint": "пусто — без сдачи",
        "exact": "Без сдачи",
        "contact": "E-mail или телефон для чека",
        "contact_hint": "необязательно",
        "sell": "Пробить чек",
        "clear_button": "Очистить",
        "marking_title": "Код маркировки",
        "marking_scan": "Сканировать код",
        "dialog_cancel": "Отмена",
        "choose_title": "Какой это товар?",
        "choose_text": "Код {code} есть у нескольких товаров. Выберите нужный:",
        "clear_title": "Очистить чек?",
    },
    "en": {
        "code_label": "Item code",
        "code_hint": "Scan an item or type its code and press Enter",
        "empty": "Scan an item or type its code — it appears here.",
        "goods": "Item",
        "price": "Price",
        "qty": "Qty",
        "sum": "Amount",
        "less": "One less",
        "more": "One more",
        "remove": "Remove the line",
        "total": "Total",
        "discount_sale": "Discount on the sale",
        "pay": "Payment",
        "cash": "Cash",
        "card": "Card",
        "received": "Cash received",
        "received_hint": "empty — exact amount",
        "exact": "Exact",
        "contact": "E-mail or phone for the receipt",
        "contact_hint": "optional",
        "sell": "Print receipt",
        "clear_button": "Clear",
        "marking_title": "Marking code",
        "marking_scan": "Scan the code",
        "dialog_cancel": "Cancel",
        "choose_title": "Which item is it?",
        "choose_text": "Code {code} belongs to several items. Choose one:",
        "clear_title": "Clear the receipt?",
    },
}
SALE_JS = {
    "ru": {
        "added": "{name}: {qty} шт. в чеке.",
        "added_pack": "{name}: +{pack} шт. (упаковка), всего {qty} шт.",
        "unknown_code": "Неизвестный код {code}: такого товара нет в каталоге. Проверьте код"
        " или отложите товар для управляющего.",
        "few_left": "на складе {on_hand} шт.",
        "reserved": "часть в резерве под заказы",
        "price_unknown": "—",
        "total_unknown": "Итог и сдачу покажет касса после пробития (шлюз не дал цену).",
        "change": "Сдача",
        "short": "Не хватает",
        "received_short": "Получено {received:money}, а итог {total:money}: не хватает"
        " {short:money}.",
        "contact_bad": "«{contact}» — это не e-mail и не телефон. Исправьте или оставьте пустым.",
        "empty_sale": "Чек пуст: сначала отсканируйте товар.",
        "selling": "Пробиваем чек…",
        "sold": "Чек № {id} на {total} в очереди на печать.",
        "give_change": "Сдача: {change}",
        "no_change": "Без сдачи",
        "paid_card": "Оплата картой: {total}",
        "marked": "маркированный",
        "codes": "коды: {have} из {need}",
        "needs_codes": "{name} — маркированный товар: отсканируйте код маркировки каждой"
        " единицы, затем нажмите «Пробить чек».",
        "codes_done": "Коды маркировки отсканированы — можно пробивать чек.",
        "marking_prompt": "{name}: отсканируйте код маркировки (квадратный код DataMatrix на"
        " товаре или ярлыке) — единица {n} из {qty}.",
        "not_marking": "Это не код маркировки. Отсканируйте квадратный код DataMatrix, а не"
        " обычный штрихкод.",
        "other_item": "Этот код маркировки — от другого товара ({name}).",
        "duplicate_code": "Этот код уже отсканирован: у каждой единицы свой код.",
        "code_added": "{name}: код маркировки принят ({n} из {qty}).",
        "clear_text": "Убрать из чека все товары ({count} шт.)?",
        "cleared": "Чек очищен.",
        "scanner_busy": "Сканер сейчас отправляет коды в документ «{kind}» — здесь вводите код"
        " вручную или закончите тот документ.",
        "receiving": "Приёмка",
        "stocktake": "Инвентаризация",
        "shift_closed_why": "смена закрыта — откройте её на экране «Смена»",
        "net_retry": "Шлюз не ответил. Нажмите «Пробить чек» ещё раз — чек не будет пробит дважды.",
    },
    "en": {
        "added": "{name}: {qty} pcs on the receipt.",
        "added_pack": "{name}: +{pack} pcs (pack), {qty} pcs in all.",
        "unknown_code": "Unknown code {code}: no such item in the catalog. Check the code or"
        " put the item aside for the manager.",
        "few_left": "{on_hand} on hand",
        "reserved": "some reserved for orders",
        "price_unknown": "—",
        "total_unknown": "The register shows the total and the change after printing (the"
        " gateway gave no price).",
        "change": "Change",
        "short": "Short",
        "received_short": "Received {received:money}, the total is {total:money}:"
        " {short:money} short.",
        "contact_bad": "“{contact}” is neither an e-mail nor a phone number. Fix it or leave"
        " it empty.",
        "empty_sale": "The receipt is empty: scan an item first.",
        "selling": "Printing the receipt…",
        "sold": "Receipt no. {id} for {total} is queued for printing.",
        "give_change": "Change: {change}",
        "no_change": "No change",
        "paid_card": "Paid by card: {total}",
        "marked": "marked",
        "codes": "codes: {have} of {need}",
        "needs_codes": "{name} is a marked product: scan each unit's marking code, then press"
        " “Print receipt”.",
        "codes_done": "Marking codes scanned — the receipt can be printed.",
        "marking_prompt": "{name}: scan the marking code (the square DataMatrix on the item or"
        " its tag) — unit {n} of {qty}.",
        "not_marking": "This is not a marking code. Scan the square DataMatrix, not the usual"
        " barcode.",
        "other_item": "This marking code belongs to another item ({name}).",
        "duplicate_code": "This code was already scanned: each unit has its own code.",
        "code_added": "{name}: marking code accepted ({n} of {qty}).",
        "clear_text": "Remove all items ({count} pcs) from the receipt?",
        "cleared": "The receipt is cleared.",
        "scanner_busy": "The scanner is sending codes to the {kind} document — type codes here"
        " or finish that document.",
        "receiving": "receiving",
        "stocktake": "stocktake",
        "shift_closed_why": "the shift is closed — open it on the Shift screen",
        "net_retry": "The gateway did not answer. Press “Print receipt” again — the receipt"
        " will not be printed twice.",
    },
}

SHIFT = {
    "ru": {
        "register": "Касса",
        "shift": "Смена",
        "drawer": "Наличные в кассе",
        "today": "Итоги смены",
        "sales": "Продажи",
        "refunds": "Возвраты",
        "count": "Чеков",
        "sum": "Сумма",
        "cash": "Наличными",
        "card": "Картой",
        "cash_in": "Внесения",
        "cash_out": "Выплаты",
        "open": "Открыть смену",
        "close": "Закрыть смену",
        "x_report": "X-отчёт",
        "amount": "Внесение или выплата, ₽",
        "amount_hint": "1 000,00",
        "cash_in_button": "Внесение",
        "cash_out_button": "Выплата",
        "receipts": "Последние чеки",
        "no": "№",
        "time": "Время",
        "kind": "Вид",
        "total": "Сумма",
        "payment": "Оплата",
        "state": "Состояние",
        "refresh": "Экран обновляется сам каждые несколько секунд.",
        "count_label": "Сколько наличных в кассе? Пересчитайте, ₽",
        "count_hint": "например 12 345,50",
        "expected": "Должно быть по учёту",
        "counted": "Пересчитано",
        "difference": "Разница",
        "count_cancel": "Отмена",
    },
    "en": {
        "register": "Register",
        "shift": "Shift",
        "drawer": "Cash in the drawer",
        "today": "Shift totals",
        "sales": "Sales",
        "refunds": "Refunds",
        "count": "Receipts",
        "sum": "Amount",
        "cash": "Cash",
        "card": "Card",
        "cash_in": "Cash in",
        "cash_out": "Cash out",
        "open": "Open the shift",
        "close": "Close the shift",
        "x_report": "X report",
        "amount": "Cash in or out, ₽",
        "amount_hint": "1000.00",
        "cash_in_button": "Cash in",
        "cash_out_button": "Cash out",
        "receipts": "Latest receipts",
        "no": "No.",
        "time": "Time",
        "kind": "Kind",
        "total": "Amount",
        "payment": "Payment",
        "state": "State",
        "refresh": "This screen refreshes itself every few seconds.",
        "count_label": "How much cash is in the drawer? Count it, ₽",
        "count_hint": "e.g. 12345.50",
        "expected": "The books say",
        "counted": "Counted",
        "difference": "Difference",
        "count_cancel": "Cancel",
    },
}
SHIFT_JS = {
    "ru": {
        "shift_open": "Смена № {number} открыта",
        "shift_closed": "Смена закрыта",
        "shift_closed_hint": "Откройте смену перед первой продажей.",
        "opened": "Смена № {number} открыта.",
        "close_title": "Закрыть смену № {number}?",
        "close_text": "Будет напечатан отчёт о закрытии смены. Продажи: {sales} на {sales_total},"
        " возвраты: {refunds}. Наличных в кассе по учёту: {drawer}.",
        "count_none": "Пересчитайте наличные и введите сумму, например 12 345,50.",
        "count_exact": "Сошлось до копейки.",
        "count_short": "Недостача {amount}: денег меньше, чем по учёту. Будет записана.",
        "count_over": "Излишек {amount}: денег больше, чем по учёту. Будет записан.",
        "closed_exact": "Пересчитано {counted}: сошлось с учётом.",
        "closed_short": "Пересчитано {counted}, по учёту {expected}: недостача {amount} записана.",
        "closed_over": "Пересчитано {counted}, по учёту {expected}: излишек {amount} записан.",
        "close_waiting": "Ещё не напечатано чеков: {waiting} — они будут напечатаны в следующей"
        " смене.",
        "closed": "Смена № {number} закрыта, отчёт о закрытии смены напечатан.",
        "closed_totals": "Итоги закрытой смены № {number}",
        "x_printed": "X-отчёт напечатан.",
        "cash_in_title": "Внести {amount} в кассу?",
        "cash_in_text": "Касса напечатает чек внесения, наличных в кассе станет {after}.",
        "cash_out_title": "Выплатить {amount} из кассы?",
        "cash_out_text": "Касса напечатает чек выплаты, наличных в кассе станет {after}.",
        "cash_in_done": "Внесено {amount}. Наличных в кассе: {drawer}.",
        "cash_out_done": "Выплачено {amount}. Наличных в кассе: {drawer}.",
        "working": "Касса печатает…",
        "op_unknown": "Шлюз не ответил — неизвестно, выполнила ли касса операцию. Посмотрите"
        " смену и наличные в кассе (экран обновится), прежде чем повторять.",
        "no_receipts": "Чеков пока нет. Здесь появятся чеки продаж и возвратов с их состоянием.",
        "retry": "Повторить",
        "retried": "Чек № {id} снова в очереди на печать.",
        "refund": "Возврат",
        "refund_title": "Вернуть по чеку № {id} всё на {total}?",
        "refund_text": "Касса напечатает чек возврата; деньги вернутся так же, как платили"
        "{cash_part}.",
        "refund_cash_part": " (наличными выдайте {cash})",
        "restock": "Вернуть товар на склад",
        "refunded": "Чек возврата № {id} на {total} в очереди на печать.",
        "has_refund": "возврат № {id}",
        "split": "нал. {cash} · карта {card}",
        "cash_word": "наличные",
        "card_word": "карта",
        "mixed_word": "нал. + карта",
        "order": "заказ {id}",
        "fd": "ФД {fd}",
        "cash_short": "В кассе только {drawer} — выплатить {amount} нельзя.",
    },
    "en": {
        "shift_open": "Shift no. {number} is open",
        "shift_closed": "The shift is closed",
        "shift_closed_hint": "Open the shift before the first sale.",
        "opened": "Shift no. {number} is open.",
        "close_title": "Close shift no. {number}?",
        "close_text": "The shift closing report (Z report) will be printed. Sales: {sales} for"
        " {sales_total}, refunds: {refunds}. Cash in the drawer by the books: {drawer}.",
        "count_none": "Count the cash and enter the amount, e.g. 12345.50.",
        "count_exact": "Exact to the kopeck.",
        "count_short": "Short by {amount}: less cash than the books say. It is recorded.",
        "count_over": "Over by {amount}: more cash than the books say. It is recorded.",
        "closed_exact": "Counted {counted}: matches the books.",
        "closed_short": "Counted {counted}, the books say {expected}: {amount} short, recorded.",
        "closed_over": "Counted {counted}, the books say {expected}: {amount} over, recorded.",
        "close_waiting": "Receipts not printed yet: {waiting} — they will print in the next shift.",
        "closed": "Shift no. {number} is closed, the closing report is printed.",
        "closed_totals": "Totals of closed shift no. {number}",
        "x_printed": "X report printed.",
        "cash_in_title": "Put {amount} into the drawer?",
        "cash_in_text": "The register prints a cash-in slip; the drawer will hold {after}.",
        "cash_out_title": "Pay {amount} out of the drawer?",
        "cash_out_text": "The register prints a cash-out slip; the drawer will hold {after}.",
        "cash_in_done": "{amount} put in. Cash in the drawer: {drawer}.",
        "cash_out_done": "{amount} paid out. Cash in the drawer: {drawer}.",
        "working": "The register is printing…",
        "op_unknown": "The gateway did not answer — the register may or may not have done it."
        " Check the shift and the drawer (the screen refreshes) before you repeat.",
        "no_receipts": "No receipts yet. Sale and refund receipts appear here with their state.",
        "retry": "Retry",
        "retried": "Receipt no. {id} is queued again.",
        "refund": "Refund",
        "refund_title": "Refund everything on receipt no. {id}, {total}?",
        "refund_text": "The register prints a refund receipt; the money goes back the way it was"
        " paid{cash_part}.",
        "refund_cash_part": " (hand over {cash} in cash)",
        "restock": "Put the goods back on the shelf",
        "refunded": "Refund receipt no. {id} for {total} is queued for printing.",
        "has_refund": "refund no. {id}",
        "split": "cash {cash} · card {card}",
        "cash_word": "cash",
        "card_word": "card",
        "mixed_word": "cash + card",
        "order": "order {id}",
        "fd": "FD {fd}",
        "cash_short": "The drawer holds only {drawer} — cannot pay out {amount}.",
    },
}
