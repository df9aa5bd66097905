"""The goods screens: «Приёмка» (receiving by scan) and «Инвентаризация» (stocktake).

Both are a shell rendered here (the words, in Russian or English) built from the shared
scan-document parts (`templates/_scan_document.html`) that the page's own script fills from the
JSON API (`api_goods.py`) through `goods.scanDocument` (`static/scan_document.js`): it points the
USB scanner at the open document, takes codes typed into its field, and re-reads the document
every 1.5 s so scans show up as they happen. The scripts' own messages are bilingual."""

from __future__ import annotations

from typing import Any

from .pages import Page

# The words of the scan-document parts every such screen shares (_scan_document.html).
SCAN_TEXTS = {
    "ru": {
        "code": "Штрихкод",
        "code_placeholder": "Отсканируйте или введите штрихкод и нажмите Enter",
        "unknown": "Неизвестные коды",
        "scans": "Последние сканы",
        "cancel": "Отмена",
        "ok": "Понятно",
        "howto": "Как это сделать",
    },
    "en": {
        "code": "Barcode",
        "code_placeholder": "Scan or type a barcode and press Enter",
        "unknown": "Unknown codes",
        "scans": "Last scans",
        "cancel": "Cancel",
        "ok": "Got it",
        "howto": "How to do it",
    },
}

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
        "post": "Провести",
        "goods": "Товары",
        "unknown_help": "Нет в каталоге: не попадут на склад, пока их не привяжут к товару.",
        "scans_empty": "Здесь будут видны сканы: что добавилось и что не удалось считать.",
        "back": "К списку приёмок",
        "void": "Отменить приёмку",
        "link_title": "Привязать код",
        "link_item": "Какой это товар? Отсканируйте его известный штрихкод или введите артикул"
        " товара или модификации",
        "link_pack": "Штук в одной упаковке с этим кодом",
        "link_learn": "Запомнить код: в следующий раз он сразу найдёт этот товар",
        "link_do": "Привязать",
        "new_after": "Новая приёмка",
        "reprint": "Напечатать отчёт ещё раз",
        "howto_steps": [
            "Впишите номер накладной (можно без него) и нажмите «Начать приёмку».",
            "Сканируйте товар сканером или вводите штрихкод в поле: каждая штука — один скан,"
            " коробка — вся упаковка. Лишний скан уберите кнопкой «−».",
            "Неизвестный код привяжите к товару: «Привязать», затем отсканируйте известный"
            " штрихкод этого товара или введите артикул товара или модификации (нужен PIN"
            " управляющего).",
            "Нажмите «Провести»: товар попадёт на склад, ожидающие заказы получат его сами,"
            " отчёт о приёмке напечатается.",
        ],
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
        "post": "Post",
        "goods": "Goods",
        "unknown_help": "Not in the catalog: not added to stock until linked to an item.",
        "scans_empty": "Scans show up here: what was added and what could not be read.",
        "back": "All receivings",
        "void": "Cancel receiving",
        "link_title": "Link a code",
        "link_item": "Which item is it? Scan its known barcode or type the article of the"
        " product or of its variant",
        "link_pack": "Units in one pack with this code",
        "link_learn": "Remember the code: next time it finds this item at once",
        "link_do": "Link",
        "new_after": "New receiving",
        "reprint": "Print the report again",
        "howto_steps": [
            "Type the supplier's document number (or leave it empty) and press «Start receiving».",
            "Scan the goods with the scanner or type the barcode in the field: one scan per unit,"
            " a box's barcode adds the whole pack. Take a stray scan back with «−».",
            "Link an unknown code to its item: «Link», then scan the item's known barcode or"
            " type the article of the product or of its variant (a manager's PIN is needed).",
            "Press «Post»: the goods go to stock, waiting orders get them first, the receiving"
            " report is printed.",
        ],
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
        "apply": "Применить",
        "counted": "Посчитано",
        "counted_empty": "Здесь появятся посчитанные товары: отсканируйте товар на полке.",
        "col_item": "Товар",
        "col_book": "По учёту",
        "col_counted": "Посчитано",
        "col_diff": "Разница",
        "col_will_be": "Станет на складе",
        "unknown_help": "Этих кодов нет в каталоге: они не считаются. Найдите товар и "
        "введите его количество вручную.",
        "manual": "Ввести количество вручную",
        "manual_sku": "Артикул",
        "manual_qty": "Количество, шт.",
        "manual_do": "Записать",
        "scans_empty": "Здесь будут видны сканы: что посчитано и что не удалось считать.",
        "abandon": "Отменить инвентаризацию",
        "new_after": "Новая инвентаризация",
        "howto_steps": [
            "Выберите, что считаете (весь каталог или артикулы), и что делать с тем, что не"
            " отсканировали, затем «Начать инвентаризацию».",
            "Сканируйте всё на полках; товар без штрихкода впишите вручную (0 — товара нет).",
            "Если после скана были продажи или приёмка — «Пересчитать»: по учёту возьмётся сейчас.",
            "Посмотрите разницу и «Применить» (нужен PIN управляющего): остатки изменятся сразу.",
        ],
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
        "apply": "Apply",
        "counted": "Counted",
        "counted_empty": "Counted goods show up here: scan an item on the shelf.",
        "col_item": "Item",
        "col_book": "Book",
        "col_counted": "Counted",
        "col_diff": "Difference",
        "col_will_be": "On hand will be",
        "unknown_help": "The catalog does not know these codes: they are not counted. Find "
        "the item and type its quantity in.",
        "manual": "Type a count in",
        "manual_sku": "Sku",
        "manual_qty": "Quantity, units",
        "manual_do": "Record",
        "scans_empty": "Scans show up here: what was counted and what could not be read.",
        "abandon": "Cancel the stocktake",
        "new_after": "New stocktake",
        "howto_steps": [
            "Choose what to count (the whole catalog or some skus) and what happens to goods"
            " nobody scanned, then «Start the count».",
            "Scan everything on the shelves; type in what has no barcode (0: none there).",
            "Sold or received something after the scan? «Recount»: the book is taken now.",
            "Look at the differences and «Apply» (a manager's PIN): the stock changes at once.",
        ],
    },
}


def _receiving(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"t": {**SCAN_TEXTS[lang], **RECEIVING_TEXTS[lang]}}


def _stocktake(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"t": {**SCAN_TEXTS[lang], **STOCKTAKE_TEXTS[lang]}}


PAGES: list[Page] = [
    Page("/receiving", "receiving.html", "Приёмка", "Receiving", _receiving),
    Page("/stocktake", "stocktake.html", "Инвентаризация", "Stocktake", _stocktake),
]
