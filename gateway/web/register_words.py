"""Every word of the register's sale screen («Продажа»; «Смена»'s are in shift_words.py), in
Russian and English: the templates' texts and the scripts' texts (pages_register.py puts them
together for a page, with register_errors.py: the API's refusals in words for the cashier)."""

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
        "held_title": "Товар в резерве под заказы",
        "held_text": "Этот товар отложен для интернет-заказов. Если продать его сейчас, этим"
        " заказам его не хватит:",
        "held_do": "Продать из резерва",
        "held_keep": "Не продавать",
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
        "held_title": "Goods held for orders",
        "held_text": "These goods are held for web orders. Sold now, these orders will be"
        " short of them:",
        "held_do": "Sell from the reserve",
        "held_keep": "Don't sell",
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
        "held_ask": "Товар в резерве под заказы: решите, продавать ли его.",
        "held_line": "Заказ № {number}: {name} — {qty} шт.",
        "held_paid": "оплачен на сайте",
        "held_paid_note": "Заказ № {numbers} уже оплачен на сайте: покупатель заплатил за этот"
        " товар и ждёт его.",
        "held_pin": "Продать из резерва можно только с PIN управляющего.",
        "held_kept": "Чек не пробит: товар остаётся за заказами. Уберите его из чека или"
        " продайте из резерва.",
        "held_taken": "Товар взят из резерва: заказам № {numbers} теперь не хватает товара.",
        "restored": "Незаконченный чек восстановлен: {count} шт.",
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
        "held_ask": "Goods held for orders: decide whether to sell them.",
        "held_line": "Order {number}: {name} — {qty} pcs",
        "held_paid": "paid on the site",
        "held_paid_note": "Order {numbers} is already paid on the site: the buyer paid for"
        " these goods and is waiting for them.",
        "held_pin": "Selling from the reserve needs a manager's PIN.",
        "held_kept": "Not sold: the goods stay held for the orders. Remove them from the"
        " receipt or sell from the reserve.",
        "held_taken": "Taken from the reserve: orders {numbers} are now short of goods.",
        "restored": "The unfinished sale is back: {count} pcs.",
    },
}
