"""An order's history as the order screen shows it: what happened, who did it, when — from
`order_history` (written by each order service in its own transaction; an order's arrival is
on its own row, m019) and the pick slips
queued for the order (the print queue keeps who asked for them)."""

from __future__ import annotations

import json
import sqlite3

from gateway.domain.orders import STAFF_REASONS
from gateway.domain.staff import CLOUD


def _reason(detail: dict, en: bool) -> str:
    reason = detail.get("reason") or ""
    words = STAFF_REASONS.get(reason, (reason, reason))[1 if en else 0]
    text = detail.get("text")
    if text and reason == "other":
        return text
    return f"{words}: {text}" if text else words


def _pieces(qty: object) -> str:
    return f"{qty} шт."


def _money(kopecks: int) -> str:
    whole, kop = divmod(abs(int(kopecks)), 100)
    return f"{whole:,}".replace(",", "\u202f") + (f",{kop:02d}" if kop else "") + " ₽"


def _refund_how(detail: dict) -> tuple[str, str]:
    cash, card = detail.get("cash") or 0, detail.get("card") or 0
    if cash and card:
        return (
            f"(наличными {_money(cash)}, на карту {_money(card)})",
            f"({_money(cash)} in cash, {_money(card)} to the card)",
        )
    return ("на карту", "to the card") if card else ("наличными", "in cash")


def describe(what: str, detail: dict, ref: str | None) -> tuple[str, str]:
    """(Russian, English) words for one history line."""
    qty = detail.get("qty")
    if what == "arrived":
        short = detail.get("short") or 0
        ru = f"Заказ пришёл, в резерве {_pieces(detail.get('reserved', 0))}"
        en = f"Order arrived, {detail.get('reserved', 0)} reserved"
        if short:
            ru, en = f"{ru}, не хватает {_pieces(short)}", f"{en}, {short} short"
        return ru, en
    if what == "seen":
        return "Заказ открыт на планшете", "Opened on a tablet"
    if what == "confirmed":
        return "Подтверждён: товар на месте", "Confirmed: the goods are on the shelf"
    if what == "shipped":
        receipt = detail.get("receipt_id")
        ru, en = f"Отгружено {_pieces(qty)}", f"Shipped {qty} pcs"
        if receipt:
            ru, en = f"{ru}, чек № {receipt}", f"{en}, receipt no. {receipt}"
        return ru, en
    if what == "cancelled":
        return (
            f"Отменён: {_reason(detail, False)}",
            f"Cancelled: {_reason(detail, True)}",
        )
    if what == "released":
        sku = detail.get("sku")
        return (
            f"Снят резерв {sku}: {_pieces(qty)} ({_reason(detail, False)})",
            f"Reserve of {sku} released: {qty} pcs ({_reason(detail, True)})",
        )
    if what == "refilled":
        source = f" ({ref})" if ref else ""
        sku = detail.get("sku")
        return (
            f"Пришёл товар {sku}: зарезервировано {_pieces(qty)}{source}",
            f"Goods arrived for {sku}: {qty} reserved{source}",
        )
    if what == "unreserved":
        item = detail.get("name") or detail.get("sku")
        return (
            f"Остаток уменьшен: {item} — снято с резерва {_pieces(qty)}",
            f"Stock went down: {item} — {qty} taken off the reserve",
        )
    if what == "sold_at_counter":  # a counter sale took the goods (services/sale_reserve.py)
        item = detail.get("name") or detail.get("sku")
        receipt, cashier = detail.get("receipt_id"), detail.get("cashier")
        manager = detail.get("approved_by")
        ru_who = f"чек № {receipt}, {cashier}" + (f", разрешил(а) {manager}" if manager else "")
        en_who = f"receipt no. {receipt}, {cashier}" + (
            f", allowed by {manager}" if manager else ""
        )
        return (
            f"Продано на кассе ({ru_who}): {item} — {_pieces(qty)}",
            f"Sold at the counter ({en_who}): {item} — {qty} pcs",
        )
    if what == "stocktake":  # a stocktake found fewer (services/stocktake.py)
        item = detail.get("name") or detail.get("sku")
        doc = ref or ""
        applied, manager = detail.get("applied_by"), detail.get("approved_by")
        ru_who = f"применил(а) {applied}" + (f", разрешил(а) {manager}" if manager else "")
        en_who = f"applied by {applied}" + (f", allowed by {manager}" if manager else "")
        return (
            f"Инвентаризация {doc} ({ru_who}): {item} — снято с резерва {_pieces(qty)}",
            f"Stocktake {doc} ({en_who}): {item} — {qty} pcs taken off the reserve",
        )
    if what == "edited":
        return "Заказ изменён в интернет-магазине", "Changed in the web shop"
    if what == "edit_refused":
        return (
            "Изменение из интернет-магазина не принято: товар уже отгружен",
            "A web shop change was refused: goods already shipped",
        )
    if what == "receipt_refund":  # a refund receipt at the desk (services/refunds.refund)
        items = detail.get("items") or []
        ru_items = ", ".join(
            f"{i.get('name') or i.get('sku')} — {_pieces(i.get('qty'))}" for i in items
        )
        en_items = ", ".join(f"{i.get('name') or i.get('sku')} — {i.get('qty')} pcs" for i in items)
        amount = _money(detail.get("amount") or 0)
        how_ru, how_en = _refund_how(detail)
        ru = (
            f"Возврат по чеку № {detail.get('refund_of')}: {ru_items}; {amount} {how_ru},"
            f" чек возврата № {detail.get('receipt_id')}"
        )
        en = (
            f"Refund on receipt no. {detail.get('refund_of')}: {en_items}; {amount} {how_en},"
            f" refund receipt no. {detail.get('receipt_id')}"
        )
        if detail.get("approved_by"):
            ru, en = (
                f"{ru}, разрешил(а) {detail['approved_by']}",
                f"{en}, allowed by {detail['approved_by']}",
            )
        if detail.get("restock") is False:
            ru, en = (
                f"{ru}; товар не вернули на склад",
                f"{en}; the goods were not put back on the shelf",
            )
        return ru, en
    if what == "receipt_copy":
        receipt = detail.get("receipt_id")
        return f"Напечатана копия чека № {receipt}", f"Copy of receipt no. {receipt} printed"
    if what == "pick_slip":  # the print job's state now: a slip asked for is not yet printed
        return _PICK_SLIP.get(detail.get("state"), _PICK_SLIP["queued"])
    return what, what


_PICK_SLIP = {
    "done": ("Напечатан сборочный лист", "Pick slip printed"),
    "queued": ("Сборочный лист ждёт печати", "Pick slip waiting for the printer"),
    "printing": ("Сборочный лист печатается", "Pick slip printing"),
    "failed": (
        "Сборочный лист не напечатан: проверьте принтер",
        "Pick slip not printed: check the printer",
    ),
    "unknown": (
        "Сборочный лист, возможно, не напечатан: печать прервалась",
        "Pick slip may not have printed: printing was cut off",
    ),
}


def _variant_name(conn: sqlite3.Connection, names: dict, sku: object) -> str | None:
    """The item's name as the catalog has it now (None: unknown), read once per sku."""
    if not isinstance(sku, str):
        return None
    if sku not in names:
        row = conn.execute("SELECT name FROM variant WHERE sku = ?", (sku,)).fetchone()
        names[sku] = row[0] if row else None
    return names[sku]


def order_history(conn: sqlite3.Connection, order_id: str, number: str) -> list[dict]:
    """Oldest first: [{what, at, by, staff_id, ref, detail, text, text_en}]."""
    rows = conn.execute(
        # The arrival is on the order row since m019 (older orders have a history row for it).
        "SELECT 'arrived', json_object('reserved', arrived_reserved, 'short', arrived_short),"
        " NULL, :cloud, NULL, created_at, 0 AS kind, 0 AS id FROM customer_order"
        " WHERE id = :order AND arrived_reserved IS NOT NULL"
        " UNION ALL SELECT what, detail_json, ref, actor, staff_id, created_at, 0, id"
        " FROM order_history WHERE order_id = :order"
        " UNION ALL SELECT 'pick_slip', json_object('state', state), NULL, created_by, staff_id,"
        " created_at, 1, id"
        " FROM print_job WHERE kind = 'pick_slip' AND ref = :number"
        " ORDER BY created_at, kind, id",
        {"order": order_id, "number": number, "cloud": CLOUD.name},
    ).fetchall()
    history = []
    names: dict[str, str | None] = {}
    for what, detail_json, ref, actor, staff_id, at, _, _ in rows:
        detail = json.loads(detail_json)
        if what == "unreserved" and "name" not in detail:  # the row names the sku only
            detail["name"] = _variant_name(conn, names, detail.get("sku"))
        ru, en = describe(what, detail, ref)
        history.append(
            {
                "what": what,
                "at": at,
                "by": actor,
                "staff_id": staff_id,
                "ref": ref,
                "detail": detail,
                "text": ru,
                "text_en": en,
            }
        )
    return history
