"""The words of «Заказ № …» (pages_orders.py): the template's (`ORDER`), the script's
(`ORDER_JS`: {name} and {name:money} are filled in by register.js) and how the order API's
refusals are said (`ORDER_ERRORS`, the same rules as register_errors.ERRORS)."""

from __future__ import annotations

ORDER = {
    "ru": {
        "back": "← Все заказы",
        "loading": "Загружаем заказ…",
        "goods": "Товары",
        "item": "Товар",
        "ordered": "Заказано",
        "reserved": "В резерве",
        "shipped": "Отгружено",
        "buyer": "Покупатель",
        "total": "Сумма заказа",
        "history": "История",
        "receipts": "Чеки",
        "no_receipts": "Чеков по заказу пока нет: чек пробивается при отгрузке.",
        "confirm": "Подтвердить",
        "ship": "Отгрузить",
        "cancel": "Отменить заказ",
        "pick_slip": "Сборочный лист",
        "ship_title": "Отгрузка заказа",
        "ship_lines": "Что отдаёте покупателю",
        "cash": "Наличные",
        "card": "Карта",
        "received": "Получено наличными",
        "received_hint": "пусто — без сдачи",
        "ship_do": "Отгрузить",
        "dialog_cancel": "Отмена",
        "reason": "Причина",
        "reason_text": "Что случилось",
        "reason_text_hint": "для «другое» — обязательно",
        "marking_title": "Код маркировки",
        "online_payment": "Оплата на сайте",
        "howto": "Как это сделать",
        "howto_steps": [
            "«Подтвердить» — когда нашли товар на полке: заказ перейдёт во вкладку «Собрать».",
            "«Отгрузить» — когда покупатель пришёл: отметьте строки, выберите оплату;"
            " у маркированного товара отсканируйте код каждой единицы. Чек пробьётся сам.",
            "«Снять резерв» у строки — если этот товар покупатель не берёт: он вернётся"
            " в продажу. «Отменить заказ» — весь заказ. Для обоих нужен PIN управляющего.",
            "Если не хватает товара, заказ дозаполнится сам, когда товар придёт.",
        ],
    },
    "en": {
        "back": "← All orders",
        "loading": "Loading the order…",
        "goods": "Goods",
        "item": "Item",
        "ordered": "Ordered",
        "reserved": "Reserved",
        "shipped": "Shipped",
        "buyer": "Buyer",
        "total": "Order total",
        "history": "History",
        "receipts": "Receipts",
        "no_receipts": "No receipts yet: one is printed when the order ships.",
        "confirm": "Confirm",
        "ship": "Ship",
        "cancel": "Cancel the order",
        "pick_slip": "Pick slip",
        "ship_title": "Shipping the order",
        "ship_lines": "What you hand over",
        "cash": "Cash",
        "card": "Card",
        "received": "Cash received",
        "received_hint": "empty — exact amount",
        "ship_do": "Ship",
        "dialog_cancel": "Cancel",
        "reason": "Reason",
        "reason_text": "What happened",
        "reason_text_hint": "required for “other”",
        "marking_title": "Marking code",
        "online_payment": "Paid on the site",
        "howto": "How to do it",
        "howto_steps": [
            "«Confirm» — once the goods are found on the shelf: the order moves to «To pick».",
            "«Ship» — when the buyer comes: tick the lines, choose the payment; scan each"
            " marked unit's code. The receipt prints by itself.",
            "«Release» on a line — the buyer does not take it: it goes back on sale."
            " «Cancel the order» — the whole order. Both need a manager's PIN.",
            "A short order fills itself when goods arrive.",
        ],
    },
}

ORDER_JS = {
    "ru": {
        "title": "Заказ № {number}",
        "paid_online": "Оплачен онлайн — денег не брать, чек пробьётся как оплаченный.",
        "pay_at_pickup": "Оплата при получении: {total:money}",
        "pay_rest": "Оплачено по чекам {paid:money}, при получении — ещё {rest:money}",
        "confirmed_by": "Подтвердил(а) {name}",
        "line_short": "не хватает {n} шт. — дозарезервируется сам, когда товар придёт",
        "line_cancelled": "снято с заказа {n} шт.",
        "marked": "маркированный",
        "release": "Снять резерв",
        "confirm_title": "Подтвердить заказ {number}?",
        "confirm_text": "Товар проверен на полке. Заказ перейдёт во вкладку «Собрать»,"
        " интернет-магазин узнает, что он подтверждён.",
        "confirm_short": " Не хватает {n} шт. — они дозарезервируются, когда товар придёт.",
        "confirmed": "Заказ {number} подтверждён — можно собирать.",
        "ship_will": "Списать {n} шт. со склада и снять резерв",
        "ship_receipt": "; чек на {total:money}",
        "ship_paid": " (оплачен онлайн)",
        "ship_offset": " ({offset:money} — предоплата с сайта, к оплате {due:money})",
        "ship_card": " (картой)",
        "ship_cash": " (наличными, без сдачи)",
        "ship_change": " (наличными, сдача {change:money})",
        "ship_none": "Отметьте хотя бы одну строку — что отдаёте покупателю.",
        "ship_nothing": "В резерве ничего нет — отгружать нечего. Дождитесь товара или"
        " отмените заказ.",
        "no_register": "Касса не подключена — чек не будет пробит.",
        "receipt_to": "Электронный чек придёт покупателю: {contact}.",
        "no_contact": "У покупателя нет e-mail и телефона — чек будет только бумажный.",
        "shipped": "Заказ {number} отгружен, чек № {id} в очереди на печать.",
        "shipped_part": "Заказ {number}: отгружено {n} шт., чек № {id} в очереди на печать.",
        "shipped_plain": "Заказ {number}: отгружено {n} шт.",
        "cancel_title": "Отменить заказ {number}?",
        "cancel_will": "Снять резерв {n} шт. — товар снова будет доступен интернет-магазину."
        " Заказ уйдёт в «Завершённые».",
        "cancel_shipped": " Уже отгружено {n} шт. — они останутся отгруженными (нужен возврат).",
        "cancelled": "Заказ {number} отменён: резерв снят, {n} шт. снова в продаже.",
        "release_title": "Снять резерв: {name}?",
        "release_will": "Строка снимается с заказа: {n} шт. вернутся в продажу (сначала —"
        " заказам, которые ждут этот товар). Остальные строки не меняются.",
        "released": "Резерв снят: {name}, {n} шт. снова в продаже.",
        "released_filled": " Товар ушёл в ждущие заказы: {numbers}.",
        "reason_needed": "Выберите причину.",
        "reason_text_needed": "Напишите причину в нескольких словах.",
        # A pick slip is a print job: said as it is, in the bar's and «Устройства»'s words.
        "slip_waits": "Сборочный лист заказа {number} ждёт печати…",
        "slip_stuck": "Сборочный лист заказа {number} ждёт печати: принтер его не печатает."
        " Посмотрите состояние принтера вверху экрана — когда принтер заработает, лист"
        " напечатается сам.",
        "slip_printed": "Сборочный лист заказа {number} напечатан.",
        "slip_failed": "Сборочный лист заказа {number} не напечатан: проверьте принтер (бумага,"
        " крышка) и нажмите «Сборочный лист» ещё раз.",
        "slip_unknown": "Сборочный лист заказа {number}, возможно, не напечатан (печать"
        " прервалась): посмотрите в принтере; если листа нет — нажмите «Сборочный лист» ещё раз.",
        "reprint": "Чек ещё раз",
        "reprinted": "Копия чека № {id} отправлена на печать.",
        "stale": "Заказ изменился, пока экран был открыт (другой планшет или интернет-магазин)"
        " — экран обновлён. Проверьте и повторите.",
        "gone": "Заказа нет на шлюзе. Вернитесь к списку заказов.",
        "finished_shipped": "Заказ выдан полностью.",
        "finished_refunded": "Заказ выдан, затем покупатель всё вернул: возвращено {amount:money}.",
        "finished_part_refunded": "Заказ выдан, часть товара вернули: возвращено {amount:money}.",
        "state_refunded": "возврат",
        "refunded_money": "Покупателю возвращено {amount:money} — денег не брать.",
        "refund": "Вернуть",
        "refund_rest": "Вернуть остаток",
        "refunded_part": "возвращено {amount:money}",
        "refunded_all": "возвращён полностью ({amount:money})",
        "refund_on_site": "оплачен на сайте — возврат делают на сайте",
        "finished_cancelled": "Заказ отменён: {reason}.",
        "attention": "Требует внимания: {detail}",
        "working": "Выполняем…",
        "fd": "ФД {fd}",
        "history_empty": "История появится, когда с заказом что-то сделают.",
        "by": "{name}",
        "cloud": "интернет-магазин",
        # paid on the site (order_payment.js)
        "online_paid": "Оплачено на сайте: {amount:money}",
        "online_due": "Осталось оплатить при получении: {due:money}",
        "online_nothing_due": "Оплачен полностью — при получении денег не брать.",
        "online_offset": "Зачтено в чеках выдачи: {offset:money}",
        "prepayment_receipt": "Предоплата {amount:money} {how}",
        "refund_receipt": "Возврат {amount:money}",
        "method_card_online": "картой",
        "method_sbp": "через СБП",
        "method_other_electronic": "электронно",
    },
    "en": {
        "title": "Order no. {number}",
        "paid_online": "Paid online — take no money, the receipt prints as paid.",
        "pay_at_pickup": "To pay at pickup: {total:money}",
        "pay_rest": "Paid by receipts {paid:money}, {rest:money} more at pickup",
        "confirmed_by": "Confirmed by {name}",
        "line_short": "{n} short — reserved by itself when the goods arrive",
        "line_cancelled": "{n} taken off the order",
        "marked": "marked",
        "release": "Release",
        "confirm_title": "Confirm order {number}?",
        "confirm_text": "The goods are checked on the shelf. The order moves to «To pick», the"
        " web shop learns it is confirmed.",
        "confirm_short": " {n} pcs are short — reserved when the goods arrive.",
        "confirmed": "Order {number} is confirmed — it can be picked.",
        "ship_will": "Take {n} pcs off the stock and release the reserve",
        "ship_receipt": "; a receipt for {total:money}",
        "ship_paid": " (paid online)",
        "ship_offset": " ({offset:money} prepaid on the site, {due:money} to pay)",
        "ship_card": " (by card)",
        "ship_cash": " (cash, exact)",
        "ship_change": " (cash, change {change:money})",
        "ship_none": "Tick at least one line — what you hand over.",
        "ship_nothing": "Nothing is reserved — nothing to ship. Wait for the goods or cancel.",
        "no_register": "No register is connected — no receipt will be printed.",
        "receipt_to": "The e-receipt goes to the buyer: {contact}.",
        "no_contact": "The buyer has no e-mail or phone — a paper receipt only.",
        "shipped": "Order {number} is shipped, receipt no. {id} is queued for printing.",
        "shipped_part": "Order {number}: {n} pcs shipped, receipt no. {id} queued for printing.",
        "shipped_plain": "Order {number}: {n} pcs shipped.",
        "cancel_title": "Cancel order {number}?",
        "cancel_will": "Release the reserve of {n} pcs — the goods are on sale on the web shop"
        " again. The order moves to «Finished».",
        "cancel_shipped": " {n} pcs already shipped stay shipped (a return is needed).",
        "cancelled": "Order {number} is cancelled: the reserve is released, {n} pcs on sale.",
        "release_title": "Release the reserve: {name}?",
        "release_will": "The line is taken off the order: {n} pcs go back on sale (first to"
        " orders waiting for it). The other lines do not change.",
        "released": "Released: {name}, {n} pcs on sale again.",
        "released_filled": " The goods went to waiting orders: {numbers}.",
        "reason_needed": "Choose a reason.",
        "reason_text_needed": "Say why in a few words.",
        "slip_waits": "The pick slip of order {number} is waiting to print…",
        "slip_stuck": "The pick slip of order {number} is waiting to print: the printer does"
        " not print it. See the printer's state at the top — once the printer works, the slip"
        " prints by itself.",
        "slip_printed": "The pick slip of order {number} is printed.",
        "slip_failed": "The pick slip of order {number} is not printed: check the printer (paper,"
        " cover) and tap «Pick slip» again.",
        "slip_unknown": "The pick slip of order {number} may not have printed (printing was cut"
        " off): look in the printer; if it is not there, tap «Pick slip» again.",
        "reprint": "Print again",
        "reprinted": "A copy of receipt no. {id} is sent to the printer.",
        "stale": "The order changed while the screen was open (another tablet or the web shop)"
        " — the screen is refreshed. Check and repeat.",
        "gone": "The gateway has no such order. Go back to the order list.",
        "finished_shipped": "The order is fully handed over.",
        "finished_refunded": "Handed over, then the buyer brought it all back:"
        " {amount:money} refunded.",
        "finished_part_refunded": "Handed over, some goods were brought back:"
        " {amount:money} refunded.",
        "state_refunded": "refund",
        "refunded_money": "{amount:money} given back to the buyer — take no money.",
        "refund": "Refund",
        "refund_rest": "Refund the rest",
        "refunded_part": "{amount:money} refunded",
        "refunded_all": "refunded in full ({amount:money})",
        "refund_on_site": "paid on the site — refunded on the site",
        "finished_cancelled": "The order is cancelled: {reason}.",
        "attention": "Needs attention: {detail}",
        "working": "Working…",
        "fd": "FD {fd}",
        "history_empty": "The history appears once something is done with the order.",
        "by": "{name}",
        "cloud": "web shop",
        "online_paid": "Paid on the site: {amount:money}",
        "online_due": "Left to pay at pickup: {due:money}",
        "online_nothing_due": "Paid in full — take no money at pickup.",
        "online_offset": "Offset in the handover receipts: {offset:money}",
        "prepayment_receipt": "Prepayment {amount:money} {how}",
        "refund_receipt": "Refund {amount:money}",
        "method_card_online": "by card",
        "method_sbp": "by SBP",
        "method_other_electronic": "electronically",
    },
}

# receipt kind -> (Russian, English), for an order's receipts of payments made on the site
PAYMENT_KINDS = {
    "prepayment": ("предоплата на сайте", "prepayment on the site"),
    "prepayment_refund": ("возврат предоплаты", "prepayment refund"),
}

ORDER_ERRORS: dict[str, list[dict[str, str]]] = {
    "stale_version": [
        {
            "ru": "Заказ изменился, пока экран был открыт — экран обновлён. Проверьте и повторите.",
            "en": "The order changed while the screen was open — refreshed. Check and repeat.",
        }
    ],
    "bad_reason": [
        {"ru": "{detail}", "en": "{detail}"},
        {"ru": "Выберите причину.", "en": "Choose a reason."},
    ],
    "last_line": [
        {
            "ru": "Это последняя строка заказа — отмените заказ целиком.",
            "en": "This is the order's last line — cancel the whole order instead.",
        }
    ],
    "nothing_to_release": [
        {"ru": "В этой строке нечего снимать с резерва.", "en": "Nothing to release here."}
    ],
}
