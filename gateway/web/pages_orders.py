"""«Заказы» (the order board, the tablet's home screen) and «Заказ № …» (one order).

Both are a shell rendered here that a script fills from the orders API (`api_orders.py`): the
board (`static/orders.js`) follows the counts the frame's `nav.js` polls every second, the order
screen (`static/order.js`) acts on one order. The register's shared script (`register.js`:
words, refusals, the «are you sure» dialog, roubles, idempotency keys) and its texts
(`pages_register`) are reused. Every word comes from here in the page's language: the
template's as `t`, the script's as JSON (`js`)."""

from __future__ import annotations

from typing import Any

from gateway.domain.orders import STAFF_REASONS

from .pages import Page
from .pages_order_words import ORDER, ORDER_ERRORS, ORDER_JS, PAYMENT_KINDS
from .pages_register import script_texts
from .register_words import SALE_JS

# Tabs of the board: key (the API's), Russian, English, the statuses the gateway's status counts.
TABS = (
    ("new", "Новые", "New", ("reserved",)),
    ("short", "Не хватает", "Short", ("short",)),
    ("confirmed", "Собрать", "To pick", ("confirmed",)),
    ("partly", "Частично отгружены", "Partly shipped", ("partially_shipped",)),
    ("done", "Завершённые", "Finished", ()),
)
# status -> (tone, Russian, English): amber waits for someone, green is ready, grey finished.
ORDER_STATES = {
    "reserved": ("wait", "ждёт подтверждения", "to confirm"),
    "short": ("wait", "не хватает товара", "short of goods"),
    "confirmed": ("ok", "собрать и выдать", "pick and hand over"),
    "partially_shipped": ("wait", "частично отгружен", "partly shipped"),
    "shipped": ("off", "отгружен", "shipped"),
    "cancelled": ("off", "отменён", "cancelled"),
}

BOARD = {
    "ru": {
        "search": "Поиск заказа",
        "search_hint": "Номер, имя, телефон или артикул",
        "more": "Показать ещё",
        "howto": "Как это сделать",
        "howto_steps": [
            "Новый заказ из интернет-магазина появляется здесь сам, со звуком и значком"
            " «новых» — товар под него уже в резерве.",
            "Откройте заказ, найдите товар на полке и нажмите «Подтвердить»: заказ перейдёт"
            " во вкладку «Собрать».",
            "Когда покупатель пришёл — «Отгрузить»: чек пробьётся, резерв снимется.",
            "«Не хватает» — под заказ не хватило товара; он дозаполнится сам, когда товар"
            " придёт (приёмка), или отгрузите то, что есть.",
            "Покупатель не пришёл или передумал — «Отменить» с причиной (нужен PIN"
            " управляющего): товар вернётся в продажу на сайте.",
        ],
    },
    "en": {
        "search": "Find an order",
        "search_hint": "Number, name, phone or SKU",
        "more": "Show more",
        "howto": "How to do it",
        "howto_steps": [
            "A new web order appears here by itself, with a sound and a «new» badge — its"
            " goods are already reserved.",
            "Open it, find the goods on the shelf and tap «Confirm»: it moves to «To pick».",
            "When the buyer comes — «Ship»: the receipt is printed, the reserve released.",
            "«Short» — not enough goods for the order; it fills itself when goods arrive"
            " (receiving), or ship what there is.",
            "The buyer did not come or changed their mind — «Cancel» with a reason (a"
            " manager's PIN): the goods go back on sale on the web shop.",
        ],
    },
}
BOARD_JS = {
    "ru": {
        "empty_new": "Новых заказов нет. Заказ из интернет-магазина появится здесь сам, со"
        " звуком, — экран обновлять не нужно.",
        "empty_short": "Заказов, под которые не хватило товара, нет.",
        "empty_confirmed": "Собирать нечего. Здесь будут подтверждённые заказы, которые ждут"
        " покупателя.",
        "empty_partly": "Частично отгруженных заказов нет.",
        "empty_done": "За последние два дня завершённых заказов нет. Здесь появятся"
        " отгруженные и отменённые.",
        "empty_search": "По запросу «{q}» ничего не нашлось. Проверьте номер, имя, телефон"
        " или артикул.",
        "searching": "Найдено во всех вкладках по запросу «{q}»:",
        "new_badge": "новый",
        "paid": "оплачен онлайн",
        "to_pay": "оплата при получении",
        "confirm_overdue": "пора подтвердить",
        "pickup_overdue": "не забран в срок",
        "now": "только что",
        "minutes": "{n} мин назад",
        "hours": "{h} ч {m} мин назад",
        "days": "{n} дн. назад",
        "items": "{n} шт.",
        "short_line": "не хватает {n}",
        "more_lines": "и ещё {n}",
        "open": "Открыть заказ {number}",
        "arrived": "Новый заказ {number} — {name}, {total}.",
        "load_failed": "Список заказов не загрузился: {why}. Он обновится сам.",
    },
    "en": {
        "empty_new": "No new orders. A web order appears here by itself, with a sound — no"
        " need to reload.",
        "empty_short": "No orders are short of goods.",
        "empty_confirmed": "Nothing to pick. Confirmed orders waiting for the buyer appear here.",
        "empty_partly": "No partly shipped orders.",
        "empty_done": "No orders finished in the last two days. Shipped and cancelled ones"
        " appear here.",
        "empty_search": "Nothing found for “{q}”. Check the number, name, phone or SKU.",
        "searching": "Found in every tab for “{q}”:",
        "new_badge": "new",
        "paid": "paid online",
        "to_pay": "to pay at pickup",
        "confirm_overdue": "confirm it now",
        "pickup_overdue": "not collected in time",
        "now": "just now",
        "minutes": "{n} min ago",
        "hours": "{h} h {m} min ago",
        "days": "{n} days ago",
        "items": "{n} pcs",
        "short_line": "{n} short",
        "more_lines": "and {n} more",
        "open": "Open order {number}",
        "arrived": "New order {number} — {name}, {total}.",
        "load_failed": "The order list did not load: {why}. It refreshes by itself.",
    },
}


def _states(lang: str) -> dict[str, dict[str, str]]:
    en = lang == "en"
    return {key: {"tone": tone, "word": en_w if en else ru_w}
            for key, (tone, ru_w, en_w) in ORDER_STATES.items()}  # fmt: skip


def _board(status: dict[str, Any], lang: str) -> dict[str, Any]:
    """The tabs with the counts the gateway's status already has (the script keeps them fresh)."""
    en = lang == "en"
    by_status = status.get("orders") or {}
    tabs = [
        {
            "key": key,
            "label": en_label if en else ru_label,
            "count": sum(int(by_status.get(s) or 0) for s in statuses) if statuses else "",
        }
        for key, ru_label, en_label, statuses in TABS
    ]
    js = {**script_texts(lang, BOARD_JS), "states": _states(lang)}
    return {"t": BOARD[lang], "tabs": tabs, "js": js}


def _order(status: dict[str, Any], lang: str) -> dict[str, Any]:
    en = lang == "en"
    devices = status.get("devices") or {}
    js = script_texts(lang, SALE_JS, ORDER_JS)
    js["errors"].update(
        {reason: [{"pattern": rule.get("pattern", ""), "text": rule[lang]} for rule in rules]
         for reason, rules in ORDER_ERRORS.items()}
    )  # fmt: skip
    # Receipts of payments on the site, beside the register's sale and refund.
    js["kinds"] = {**js["kinds"], **{kind: names[1 if en else 0]
                                     for kind, names in PAYMENT_KINDS.items()}}  # fmt: skip
    js.update(
        states=_states(lang),
        reasons={key: names[1 if en else 0] for key, names in STAFF_REASONS.items()},
        register=devices.get("fiscal", "not_configured") != "not_configured",
    )
    return {"t": ORDER[lang], "reasons": js["reasons"], "js": js}


PAGES: list[Page] = [
    Page("/orders", "orders.html", "Заказы", "Orders", _board),
    Page("/orders/{order_id}", "order.html", "Заказ", "Order", _order),
]
