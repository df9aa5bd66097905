"""The words of «Сводка» (pages_summary.py), Russian first. Names on screen are never declined,
so the sentences are built around them («открыла: Анна»)."""

from __future__ import annotations

TEXTS = {
    "ru": {
        "for_day": "Сводка за {day}",
        "earlier": "← День раньше",
        "later": "День позже →",
        "to_today": "Сегодня",
        "shift": "Смена",
        "shift_open": "Смена № {number} открыта",
        "shift_expired": "Смена № {number} идёт больше 24 часов",
        "shift_closed": "Смена закрыта",
        "opened": "Открыта {when}, открыл(а): {who}.",
        "opened_auto": "Открыта {when} автоматически — чеком по оплате на сайте.",
        "expires": "Касса перестанет пробивать чеки в {when} — закройте смену до этого.",
        "at_keyboard": "на клавиатуре кассы",
        "drawer": "Наличные в кассе",
        "drawer_closed": "Смена закрыта: наличные в кассе по учёту шлюза появятся, когда смену"
        " откроют.",
        "last_closed": "Смена № {number} закрыта {when}, закрыл(а): {who}.",
        "counted": "По учёту {expected}, пересчитано {counted}.",
        "not_counted": "По учёту {expected}; наличные не пересчитывали (закрыта на кассе).",
        "count_exact": "Сошлось до копейки",
        "count_short": "Недостача {amount}",
        "count_over": "Излишек {amount}",
        "title_today": "Сегодня",
        "title_week": "Эта неделя",
        "before_today": "Вчера",
        "before_week": "Прошлая неделя",
        "before_day": "Накануне",
        "title_that_week": "Неделя",
        "before_that_week": "Неделей раньше",
        "day_not_a_date": "Не понимаю, за какой день показать сводку. Откройте сводку за сегодня"
        " и выберите день кнопками «День раньше» и «День позже».",
        "day_in_future": "Этот день ещё не наступил — сводка бывает только за прошедшие дни и за"
        " сегодня.",
        "to_today_summary": "Сводка за сегодня",
        "change": "Разница",
        "row_receipts": "Чеков продажи",
        "row_revenue": "Выручка",
        "row_cash": "наличными",
        "row_card": "картой",
        "row_online": "оплачено на сайте",
        "row_discounts": "Скидки",
        "row_refunds": "Возвраты",
        "row_net": "Итого за вычетом возвратов",
        "row_average": "Средний чек продажи",
        "hint_card": "только на кассе — как в итоге терминала",
        "hint_online": "деньги сайта: карта на сайте, СБП",
        "hint_average": "выручка ÷ чеки продажи, без учёта возвратов",
        "same": "без изменений",
        "new": "▲ было 0",
        "no_sales_today": "Сегодня чеков ещё не было. Здесь появятся продажи и возвраты, как"
        " только касса их напечатает.",
        "no_sales_week": "На этой неделе чеков ещё не было.",
        "no_sales_day": "За {day} чеков нет.",
        "no_sales_that_week": "За эту неделю чеков нет.",
        "by_cashier": "По кассирам",
        "cashier": "Кассир",
        "receipts": "Чеков",
        "revenue": "Выручка",
        "refunds": "Возвраты",
        "net": "Итого",
        "average": "Средний",
        "no_name": "без имени",
        "site_payments": "оплаты на сайте",
        "orders": "Заказы из интернет-магазина",
        "orders_to_confirm": "Ждут подтверждения",
        "orders_confirm_overdue": "из них {n} ждут слишком долго",
        "orders_short": "Не хватает товара",
        "orders_to_pick": "Собрать и выдать",
        "orders_pickup_overdue": "из них {n} покупатель не забрал вовремя",
        "to_board": "Открыть",
        "low": "Заканчивается",
        "low_print": "Напечатать список",
        "low_empty": "Ничего не заканчивается. Здесь появятся товары, которых доступно не больше"
        " минимального остатка (его задают в каталоге или на экране «Остатки»).",
        "goods": "Товар",
        "available": "Доступно",
        "minimum": "Минимум",
        "reserved": "В резерве",
        "health": "Связь и устройства",
        "cloud": "Облако",
        "devices": "Устройства",
        "delivered": "всё доставлено",
        "backlog": "{n} сообщ. ждут отправки",
        "alarms": "тревог: {n}",
        "devices_ok": "всё работает",
        "fiscal": "Касса и ФН",
        "fiscal_ok": "в порядке",
        "fiscal_alarms": "требует внимания ({n})",
        "no_devices": "устройства не подключены",
        "printed_at": "Напечатано",
        "howto": "Как это сделать",
        "refresh": "Страница обновляется сама раз в минуту.",
    },
    "en": {
        "for_day": "Summary for {day}",
        "earlier": "← Day before",
        "later": "Day after →",
        "to_today": "Today",
        "shift": "Shift",
        "shift_open": "Shift no. {number} is open",
        "shift_expired": "Shift no. {number} is over 24 hours old",
        "shift_closed": "The shift is closed",
        "opened": "Opened {when} by {who}.",
        "opened_auto": "Opened {when} automatically, by the receipt of a payment made on the site.",
        "expires": "The register stops printing receipts at {when} — close the shift before.",
        "at_keyboard": "the register's keyboard",
        "drawer": "Cash in the drawer",
        "drawer_closed": "The shift is closed: the drawer by the gateway's books shows once it"
        " is opened.",
        "last_closed": "Shift no. {number} closed {when} by {who}.",
        "counted": "Books say {expected}, counted {counted}.",
        "not_counted": "Books say {expected}; nobody counted (closed at the register).",
        "count_exact": "Exact to the kopeck",
        "count_short": "Short by {amount}",
        "count_over": "Over by {amount}",
        "title_today": "Today",
        "title_week": "This week",
        "before_today": "Yesterday",
        "before_week": "Last week",
        "before_day": "Day before",
        "title_that_week": "Week",
        "before_that_week": "Week before",
        "day_not_a_date": "Cannot tell which day to show. Open today's summary and choose the day"
        " with the Day before and Day after buttons.",
        "day_in_future": "This day has not come yet — the summary is for past days and today.",
        "to_today_summary": "Today's summary",
        "change": "Change",
        "row_receipts": "Sale receipts",
        "row_revenue": "Revenue",
        "row_cash": "cash",
        "row_card": "card",
        "row_online": "paid on the site",
        "row_discounts": "Discounts",
        "row_refunds": "Refunds",
        "row_net": "Total less refunds",
        "row_average": "Average sale receipt",
        "hint_card": "counter only — as the terminal's total",
        "hint_online": "the site's money: card on the site, SBP",
        "hint_average": "revenue ÷ sale receipts, before refunds",
        "same": "no change",
        "new": "▲ was 0",
        "no_sales_today": "No receipts today yet. Sales and refunds appear here once the"
        " register prints them.",
        "no_sales_week": "No receipts this week yet.",
        "no_sales_day": "No receipts on {day}.",
        "no_sales_that_week": "No receipts that week.",
        "by_cashier": "By cashier",
        "cashier": "Cashier",
        "receipts": "Receipts",
        "revenue": "Revenue",
        "refunds": "Refunds",
        "net": "Total",
        "average": "Average",
        "no_name": "no name",
        "site_payments": "paid on the site",
        "orders": "Web orders",
        "orders_to_confirm": "To confirm",
        "orders_confirm_overdue": "{n} of them waiting too long",
        "orders_short": "Short of goods",
        "orders_to_pick": "To pick and hand over",
        "orders_pickup_overdue": "{n} of them not collected in time",
        "to_board": "Open",
        "low": "Running out",
        "low_print": "Print the list",
        "low_empty": "Nothing is running out. Items whose available stock is at or below their"
        " minimum (set in the catalog or on the Stock screen) appear here.",
        "goods": "Item",
        "available": "Available",
        "minimum": "Minimum",
        "reserved": "Reserved",
        "health": "Link and devices",
        "cloud": "Cloud",
        "devices": "Devices",
        "delivered": "all delivered",
        "backlog": "{n} message(s) waiting",
        "alarms": "alarms: {n}",
        "devices_ok": "all working",
        "fiscal": "Register and fiscal drive",
        "fiscal_ok": "all good",
        "fiscal_alarms": "needs attention ({n})",
        "no_devices": "no devices configured",
        "printed_at": "Printed",
        "howto": "How to do it",
        "refresh": "This page refreshes itself once a minute.",
    },
}

HOWTO = {
    "ru": [
        "«Сегодня» и «Эта неделя» считают чеки по времени, которое напечатано в чеке;"
        " рядом — то же за вчера и за те же дни прошлой недели.",
        "Выручка — деньги, полученные по чекам продажи: наличные за вычетом сдачи, картой на"
        " кассе (сверяйте с итогом банковского терминала) и оплачено на сайте (картой на сайте,"
        " СБП). Заказ, оплаченный на сайте, входит в выручку в день оплаты; его выдача денег не"
        " приносит и чеком продажи второй раз не считается. «Итого за вычетом возвратов» —"
        " выручка минус возвраты; средний чек продажи — выручка, делённая на число чеков"
        " продажи (возвраты его не уменьшают).",
        "«По кассирам» — кто пробил чек; возврат записывается на того, кто его сделал."
        " Строка «оплаты на сайте» — чеки предоплат, которые покупатели оплатили на сайте,"
        " и их возвраты: их пробивает касса сама, без кассира.",
        "Наличные в кассе — по учёту шлюза: продажи и возвраты наличными, внесения и выплаты"
        " текущей смены. При закрытии смены управляющий пересчитывает деньги, и разница"
        " остаётся в сводке.",
        "Чтобы заказать товар, нажмите «Напечатать список» в блоке «Заканчивается».",
        "«Касса и ФН»: сколько чеков ещё не ушло в ОФД и до какого числа работает фискальный"
        " накопитель. Если чеки не уходят в ОФД 30 дней или срок ФН истёк, касса перестаёт"
        " пробивать чеки — тревога появляется здесь заранее и говорит, что сделать.",
        "Другой день: кнопки «День раньше» и «День позже».",
    ],
    "en": [
        "Today and This week count receipts by the time printed on them; beside them, the same"
        " for yesterday and for the same days of last week.",
        "Revenue is the money the sale receipts brought: cash less the change, card at the"
        " counter (compare it with the card terminal's total) and paid on the site (card on the"
        " site, SBP). An order paid on the site counts on the day it was paid; handing it over"
        " brings no money and is not counted as a sale again. Total less refunds is revenue"
        " minus refunds; the average sale receipt is revenue divided by the number of sale"
        " receipts (refunds do not lower it).",
        "By cashier: who printed the receipt; a refund counts for whoever made it. The line"
        " “paid on the site” is the prepayments buyers paid on the site and their refunds: the"
        " register prints those itself, with no cashier.",
        "Cash in the drawer is the gateway's books: cash sales and refunds, cash in and out of"
        " the current shift. At the close a manager counts the money, and the difference stays"
        " in the summary.",
        "To reorder goods, press “Print the list” under Running out.",
        "Register and fiscal drive: how many receipts have not reached the OFD yet and until"
        " when the fiscal drive works. After 30 days without the OFD, or once the drive expires,"
        " the register stops selling — the alarm shows here well before and says what to do.",
        "Another day: the Day before and Day after buttons.",
    ],
}


def howto(lang: str) -> list[str]:
    return HOWTO[lang]
