"""The goods screens: «Приёмка» (receiving by scan) and «Инвентаризация» (stocktake).

Both are a shell rendered here (the words, in Russian or English) that the page's own script
fills from the JSON API (`api_goods.py`): it points the USB scanner at the open document, takes
codes typed into its field, and re-reads the document every 1.5 s so scans show up as they happen.
The scripts' own messages are bilingual (`static/goods.js`, `receiving.js`, `stocktake.js`)."""

from __future__ import annotations

from typing import Any

from .pages import Page

RECEIVING_TEXTS = {
    "ru": {
        "hint": "Каждый скан добавляет штуку, скан коробки — всю упаковку. "
        "Неизвестный код привяжите к товару кнопкой «Привязать».",
        "new": "Новая приёмка",
        "supplier_ref": "Номер накладной поставщика (необязательно)",
        "start": "Начать приёмку",
        "drafts": "Незаконченные приёмки",
        "drafts_empty": "Незаконченных приёмок нет. Начатая, но не проведённая приёмка "
        "появится здесь, и её можно будет продолжить.",
        "code": "Штрихкод",
        "code_placeholder": "Отсканируйте или введите штрихкод и нажмите Enter",
        "post": "Провести",
        "goods": "Товары",
        "unknown": "Неизвестные коды",
        "unknown_help": "Нет в каталоге: не попадут на склад, пока их не привяжут к товару.",
        "scans": "Последние сканы",
        "scans_empty": "Здесь будут видны сканы: что добавилось и что не удалось считать.",
        "back": "К списку приёмок",
        "void": "Отменить приёмку",
        "link_title": "Привязать код",
        "link_item": "Какой это товар? Отсканируйте его известный штрихкод или введите артикул",
        "link_pack": "Штук в одной упаковке с этим кодом",
        "link_learn": "Запомнить код: в следующий раз он сразу найдёт этот товар",
        "link_do": "Привязать",
        "edit_title": "Изменить количество",
        "edit_qty": "Количество, шт. (0 — убрать строку)",
        "save": "Сохранить",
        "cancel": "Отмена",
        "back_to_doc": "Вернуться",
        "new_after": "Новая приёмка",
        "reprint": "Напечатать отчёт ещё раз",
        "ok": "Понятно",
    },
    "en": {
        "hint": "Each scan adds one unit, a box's barcode the whole pack. "
        "Link an unknown code to its item with «Link».",
        "new": "New receiving",
        "supplier_ref": "Supplier's document number (optional)",
        "start": "Start receiving",
        "drafts": "Unfinished receivings",
        "drafts_empty": "No unfinished receivings. One that is started but not posted shows "
        "up here to be continued.",
        "code": "Barcode",
        "code_placeholder": "Scan or type a barcode and press Enter",
        "post": "Post",
        "goods": "Goods",
        "unknown": "Unknown codes",
        "unknown_help": "Not in the catalog: not added to stock until linked to an item.",
        "scans": "Last scans",
        "scans_empty": "Scans show up here: what was added and what could not be read.",
        "back": "All receivings",
        "void": "Cancel receiving",
        "link_title": "Link a code",
        "link_item": "Which item is it? Scan its known barcode or type its sku",
        "link_pack": "Units in one pack with this code",
        "link_learn": "Remember the code: next time it finds this item at once",
        "link_do": "Link",
        "edit_title": "Change the quantity",
        "edit_qty": "Quantity, units (0 removes the line)",
        "save": "Save",
        "cancel": "Cancel",
        "back_to_doc": "Go back",
        "new_after": "New receiving",
        "reprint": "Print the report again",
        "ok": "Got it",
    },
}

STOCKTAKE_TEXTS = {
    "ru": {
        "hint": "Сканируйте всё, что лежит на полке: каждый скан — одна штука. "
        "Что не сканируется, введите вручную. Остатки изменятся только после «Применить».",
        "new": "Новая инвентаризация",
        "scope": "Что считаем",
        "scope_all": "Весь каталог",
        "scope_skus": "Только эти артикулы",
        "skus_placeholder": "Артикулы через пробел или с новой строки",
        "uncounted": "Что делать с товаром, который не отсканировали",
        "ignore": "Оставить как есть",
        "ignore_help": "Остаток не изменится. Подходит, когда считаете одну полку или часть "
        "товаров.",
        "zero": "Считать, что его нет",
        "zero_help": "Остаток станет 0. Только для полного пересчёта: всё, что забыли "
        "отсканировать, пропадёт со склада и из интернет-магазина.",
        "start": "Начать инвентаризацию",
        "code": "Штрихкод",
        "code_placeholder": "Отсканируйте или введите штрихкод и нажмите Enter",
        "apply": "Применить",
        "counted": "Посчитано",
        "counted_empty": "Здесь появятся посчитанные товары: отсканируйте товар на полке.",
        "col_item": "Товар",
        "col_book": "По учёту",
        "col_counted": "Посчитано",
        "col_diff": "Разница",
        "col_will_be": "Станет на складе",
        "not_counted": "Не посчитано",
        "unknown": "Неизвестные коды",
        "unknown_help": "Этих кодов нет в каталоге: они не считаются. Найдите товар и "
        "введите его количество вручную.",
        "manual": "Ввести количество вручную",
        "manual_sku": "Артикул",
        "manual_qty": "Количество, шт.",
        "manual_do": "Записать",
        "scans": "Последние сканы",
        "scans_empty": "Здесь будут видны сканы: что посчитано и что не удалось считать.",
        "abandon": "Отменить инвентаризацию",
        "edit_title": "Изменить количество",
        "edit_qty": "Посчитано, шт. (0 — товара нет)",
        "save": "Сохранить",
        "cancel": "Отмена",
        "back_to_doc": "Вернуться",
        "new_after": "Новая инвентаризация",
        "ok": "Понятно",
    },
    "en": {
        "hint": "Scan everything on the shelf: each scan is one unit. Type in what has no "
        "barcode. Stock changes only when you press «Apply».",
        "new": "New stocktake",
        "scope": "What to count",
        "scope_all": "The whole catalog",
        "scope_skus": "Only these skus",
        "skus_placeholder": "Skus separated by spaces or new lines",
        "uncounted": "What about goods nobody scanned",
        "ignore": "Leave them as they are",
        "ignore_help": "Their stock does not change. Right for counting one shelf or part of "
        "the goods.",
        "zero": "Take it that there are none",
        "zero_help": "Their stock becomes 0. Only for a full count: anything not scanned "
        "disappears from stock and from the web shop.",
        "start": "Start the count",
        "code": "Barcode",
        "code_placeholder": "Scan or type a barcode and press Enter",
        "apply": "Apply",
        "counted": "Counted",
        "counted_empty": "Counted goods show up here: scan an item on the shelf.",
        "col_item": "Item",
        "col_book": "Book",
        "col_counted": "Counted",
        "col_diff": "Difference",
        "col_will_be": "On hand will be",
        "not_counted": "Not counted",
        "unknown": "Unknown codes",
        "unknown_help": "The catalog does not know these codes: they are not counted. Find "
        "the item and type its quantity in.",
        "manual": "Type a count in",
        "manual_sku": "Sku",
        "manual_qty": "Quantity, units",
        "manual_do": "Record",
        "scans": "Last scans",
        "scans_empty": "Scans show up here: what was counted and what could not be read.",
        "abandon": "Cancel the stocktake",
        "edit_title": "Change the count",
        "edit_qty": "Counted, units (0: none there)",
        "save": "Save",
        "cancel": "Cancel",
        "back_to_doc": "Go back",
        "new_after": "New stocktake",
        "ok": "Got it",
    },
}


def _receiving(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"t": RECEIVING_TEXTS[lang]}


def _stocktake(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"t": STOCKTAKE_TEXTS[lang]}


PAGES: list[Page] = [
    Page("/receiving", "receiving.html", "Приёмка", "Receiving", _receiving),
    Page("/stocktake", "stocktake.html", "Инвентаризация", "Stocktake", _stocktake),
]
