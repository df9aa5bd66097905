"""«Остатки» (stock lookup): find an item by name, article, sku or barcode — typed, or scanned when
no receiving or stocktake holds the scanner — and see its characteristics, on hand / reserved /
available in words and colours, its low-stock threshold and its movement history. A manager
corrects the stock with a reason and sets the threshold; a cashier's tap asks a manager's PIN.

A shell rendered here; `static/stock.js` fills it from the JSON API (`api_stock.py`) and the
scanner's last scans (`GET /api/scanner`). Every word comes from here in the page's language."""

from __future__ import annotations

from typing import Any

from gateway.services.stock import CORRECTION_REASONS

from .pages import Page

TEXTS = {
    "ru": {
        "hint": "Отсканируйте товар или введите название, артикул или штрихкод —"
        " здесь будет видно, сколько его на складе, сколько в резерве и что с ним происходило.",
        "ok": "Понятно",
        "search": "Название, артикул или штрихкод",
        "search_placeholder": "Например: футболка красная, TS-01 или 4601234567893",
        "find": "Найти",
        "results": "Найдено",
        "start": "Введите название, артикул или штрихкод и нажмите «Найти» — или просто"
        " отсканируйте товар: он сразу откроется здесь.",
        "pick": "Выберите товар слева — или отсканируйте его.",
        "on_hand": "На складе",
        "reserved": "В резерве",
        "available": "Доступно",
        "how": "Как это сделать",
        "how_steps": [
            "Найти товар: отсканируйте его штрихкод (сканер должен быть свободен — не"
            " направлен в приёмку или инвентаризацию) или введите часть названия, артикул"
            " или штрихкод и нажмите «Найти».",
            "«На складе» — сколько лежит в магазине; «В резерве» — отложено под"
            " интернет-заказы; «Доступно» — что ещё можно продать в интернет-магазине.",
            "Остаток не совпадает с полкой: «Исправить остаток», введите сколько на полке"
            " и выберите причину (пересорт, порча, потеря, найдено или другое). Нужен PIN"
            " управляющего.",
            "Меньше, чем в резерве, поставить нельзя: сначала отмените заказ или снимите с"
            " него резерв на экране «Заказы».",
            "«Порог» — при каком остатке товар считается заканчивающимся: он попадёт"
            " в «Сводку», облако получит сигнал.",
        ],
    },
    "en": {
        "hint": "Scan an item or type its name, article or barcode — see how many are on hand,"
        " reserved and what happened to it.",
        "ok": "Got it",
        "search": "Name, article or barcode",
        "search_placeholder": "E.g. red t-shirt, TS-01 or 4601234567893",
        "find": "Find",
        "results": "Found",
        "start": "Type a name, an article or a barcode and tap «Find» — or just scan the item:"
        " it opens here at once.",
        "pick": "Choose an item on the left — or scan it.",
        "on_hand": "On hand",
        "reserved": "Reserved",
        "available": "Available",
        "how": "How to do it",
        "how_steps": [
            "Find an item: scan its barcode (the scanner must be free — not pointed at a"
            " receiving or a stocktake) or type part of its name, article or barcode and tap"
            " «Find».",
            "«On hand» is what is in the shop; «Reserved» is held for web orders;"
            " «Available» is what the web shop may still sell.",
            "The shelf disagrees: «Correct stock», type how many are on the shelf and choose"
            " why (regrade, damaged, lost, found or other). A manager's PIN is needed.",
            "It cannot go below what is reserved: cancel an order or release its reserve on"
            " «Orders» first.",
            "«Threshold»: at how many the item counts as running out; it shows in «Summary»"
            " and the cloud is told.",
        ],
    },
}
SCRIPT = {
    "ru": {
        "none_found": "Ничего не нашлось по «{q}». Проверьте написание, введите часть слова"
        " или отсканируйте штрихкод.",
        "more": "Показаны первые {n}: уточните запрос, чтобы увидеть остальные.",
        "in_stock": "в наличии",
        "low": "заканчивается",
        "out": "нет в наличии",
        "archived": "в архиве",
        "pcs": "{n} шт.",
        "threshold": "Порог: {n} шт.",
        "no_threshold": "Порог не задан",
        "from_local": "задан в магазине",
        "from_catalog": "из каталога",
        "from_default": "общий по умолчанию",
        "off_local": "отключён в магазине",
        "off_catalog": "отключён в каталоге",
        "low_since": "заканчивается с {when}",
        "safety": "ещё {n} шт. не показываются в интернет-магазине (страховой запас)",
        "barcodes": "Штрихкоды",
        "pack": "упаковка {n} шт.",
        "orders": "Под заказы",
        "order_line": "Заказ № {number}: в резерве {reserved}",
        "order_short": ", не хватает {short}",
        "history": "Движение товара",
        "history_empty": "Движений ещё не было. Здесь появятся приёмки, продажи, отгрузки"
        " заказов, инвентаризации и исправления — с тем, кто их сделал.",
        "col_when": "Когда",
        "col_what": "Что",
        "col_change": "Изменение",
        "col_who": "Кто",
        "reserve_change": "резерв {n}",
        "correct": "Исправить остаток",
        "set_min": "Порог",
        "manager_note": "Исправить остаток и порог может управляющий: планшет попросит его PIN.",
        "correct_title": "Исправить остаток: {name}",
        "counted": "Сколько на полке, шт.",
        "was": "Сейчас на складе {on_hand} шт., в резерве {reserved} шт.",
        "becomes": "Станет {after} шт. ({delta})",
        "below_reserved_now": "Нельзя меньше, чем в резерве ({reserved} шт.): сначала отмените"
        " заказ или снимите с него резерв.",
        "why": "Причина",
        "note": "Пояснение (для «Другое» — обязательно)",
        "do_correct": "Исправить",
        "cancel": "Отмена",
        "min_title": "Порог: {name}",
        "min_label": "Заканчивается, когда доступно столько или меньше, шт. (0 — не следить)",
        "min_catalog": "В каталоге: {n}",
        "min_catalog_none": "В каталоге порога нет",
        "save": "Сохранить",
        "min_reset": "Как в каталоге",
        "corrected": "{name}: на складе теперь {on_hand} шт. ({delta}).",
        "filled": " Заказы получили товар: {orders}.",
        "min_saved": "{name}: порог {n} шт. ({source}).",
        "min_none": "{name}: порог не задан — товар не попадёт в «заканчивается».",
        "bad_number": "Введите целое число от 0 до 1 000 000.",
        "need_reason": "Выберите причину.",
        "need_note": "Для «Другое» напишите, что случилось.",
        "same": "Столько и есть — менять нечего.",
        "scanner_free": "Сканер: покажет товар здесь",
        "scanner_busy": "Сканер направлен в {doc} — скан пойдёт туда",
        "scanner_unknown": "Сканер: неизвестно — нет ответа от шлюза",
        "receiving": "приёмку {id}",
        "stocktake": "инвентаризацию {id}",
        "unknown_code": "Код {code} не найден в каталоге. Если это новый товар — примите его"
        " через «Приёмку» и привяжите код.",
        "scan_refused": "Скан не прочитан: {why}",
        "choose": "Этот штрихкод у нескольких товаров — выберите нужный в списке.",
        "not_found": "Этого товара нет в каталоге — обновите поиск.",
        "no_network": "Шлюз не отвечает: проверьте сеть (Wi-Fi планшета).",
        "failed": "Не получилось: {detail}",
        "reasons": {
            "regrade": "Пересорт",
            "damage": "Порча",
            "loss": "Потеря",
            "found": "Найдено",
            "other": "Другое",
        },
        "reason_help": {
            "regrade": "перепутали с другой модификацией",
            "damage": "брак, повреждён",
            "loss": "пропал, украден",
            "found": "нашёлся лишний",
            "other": "напишите что",
        },
        "moves": {
            "ship": "Отгружен по заказу",
            "receipt": "Приёмка",
            "count_adjust": "Инвентаризация",
            "manual_adjust": "Исправление остатка",
            "cloud_set": "Остаток из облака",
            "cloud_adjust": "Изменение из облака",
            "sale": "Продажа",
            "return": "Возврат",
            "loss": "Списание",
            "transfer": "Перемещение",
            "cloud_sale": "Продажа (облако)",
        },
        "order_ref": "заказ № {id}",
        "receipt_ref": "чек № {id}",
        "doc_ref": "документ {id}",
        "correction_ref": "исправление № {id}",
        "system": "облако",
    },
    "en": {
        "none_found": "Nothing found for «{q}». Check the spelling, type part of a word or scan"
        " the barcode.",
        "more": "The first {n} are shown: type more to narrow it down.",
        "in_stock": "in stock",
        "low": "running out",
        "out": "out of stock",
        "archived": "archived",
        "pcs": "{n} pcs",
        "threshold": "Threshold: {n} pcs",
        "no_threshold": "No threshold",
        "from_local": "set in the shop",
        "from_catalog": "from the catalog",
        "from_default": "the shop's default",
        "off_local": "switched off in the shop",
        "off_catalog": "switched off in the catalog",
        "low_since": "running out since {when}",
        "safety": "{n} more are kept from the web shop (safety stock)",
        "barcodes": "Barcodes",
        "pack": "pack of {n}",
        "orders": "Held for orders",
        "order_line": "Order no. {number}: {reserved} reserved",
        "order_short": ", {short} short",
        "history": "Movements",
        "history_empty": "No movements yet. Receivings, sales, order shipments, stocktakes and"
        " corrections appear here — with who did them.",
        "col_when": "When",
        "col_what": "What",
        "col_change": "Change",
        "col_who": "Who",
        "reserve_change": "reserve {n}",
        "correct": "Correct stock",
        "set_min": "Threshold",
        "manager_note": "A manager corrects stock and thresholds: the tablet asks for their PIN.",
        "correct_title": "Correct stock: {name}",
        "counted": "How many are on the shelf",
        "was": "Now {on_hand} on hand, {reserved} reserved",
        "becomes": "Becomes {after} ({delta})",
        "below_reserved_now": "Not below what is reserved ({reserved}): cancel the order or"
        " release its reserve first.",
        "why": "Why",
        "note": "Note (required for «Other»)",
        "do_correct": "Correct",
        "cancel": "Cancel",
        "min_title": "Threshold: {name}",
        "min_label": "Running out at this many available or fewer (0: do not watch)",
        "min_catalog": "The catalog says: {n}",
        "min_catalog_none": "The catalog has no threshold",
        "save": "Save",
        "min_reset": "As in the catalog",
        "corrected": "{name}: {on_hand} on hand now ({delta}).",
        "filled": " Orders got the goods: {orders}.",
        "min_saved": "{name}: threshold {n} ({source}).",
        "min_none": "{name}: no threshold — it will not show as running out.",
        "bad_number": "Type a whole number from 0 to 1,000,000.",
        "need_reason": "Choose why.",
        "need_note": "For «Other», say what happened.",
        "same": "That is the number already — nothing to change.",
        "scanner_free": "Scanner: shows the item here",
        "scanner_busy": "The scanner is pointed at {doc} — scans go there",
        "scanner_unknown": "Scanner: unknown — the gateway does not answer",
        "receiving": "receiving {id}",
        "stocktake": "stocktake {id}",
        "unknown_code": "Code {code} is not in the catalog. A new item is received through"
        " «Receiving», where its code is linked.",
        "scan_refused": "Scan not read: {why}",
        "choose": "This barcode belongs to several items — choose one in the list.",
        "not_found": "This item is not in the catalog — search again.",
        "no_network": "The gateway does not answer: check the network (the tablet's Wi-Fi).",
        "failed": "That did not work: {detail}",
        "reasons": {
            "regrade": "Regrade",
            "damage": "Damaged",
            "loss": "Lost",
            "found": "Found",
            "other": "Other",
        },
        "reason_help": {
            "regrade": "mixed up with another variant",
            "damage": "faulty, damaged",
            "loss": "missing, stolen",
            "found": "an extra one turned up",
            "other": "say what",
        },
        "moves": {
            "ship": "Shipped with an order",
            "receipt": "Receiving",
            "count_adjust": "Stocktake",
            "manual_adjust": "Stock corrected",
            "cloud_set": "Stock from the cloud",
            "cloud_adjust": "Change from the cloud",
            "sale": "Sale",
            "return": "Return",
            "loss": "Written off",
            "transfer": "Transfer",
            "cloud_sale": "Sale (cloud)",
        },
        "order_ref": "order no. {id}",
        "receipt_ref": "receipt no. {id}",
        "doc_ref": "document {id}",
        "correction_ref": "correction no. {id}",
        "system": "cloud",
    },
}


def _stock(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    words = SCRIPT[lang]
    # In the order a shop thinks of them (a JSON object's keys would come out sorted).
    reason_list = [
        [code, words["reasons"][code], words["reason_help"][code]] for code in CORRECTION_REASONS
    ]
    return {"t": TEXTS[lang], "js": TEXTS[lang] | words | {"reason_list": reason_list}}


PAGES: list[Page] = [Page("/stock", "stock.html", "Остатки", "Stock", _stock)]
