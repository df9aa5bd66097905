"""Goods held for web orders that leave some other way — sold at the counter (sale_reserve.py),
not found by a stocktake (stocktake.py): the orders give their reserve back (they become short,
paid on the site last: reservations.givers), never silently. This is what both share: which
orders would give what (`reserve_givers`, changes nothing, so a screen shows it first), the
list a request says the person saw (`parse_shown`, `covers`, `same`), the refusal carrying the
orders (`OrdersLoseReserve`), and the taking itself (`take_reserve`), each order's history
naming what took it and who."""

from collections.abc import Iterable
from typing import Any

from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.domain.staff import Staff
from gateway.domain.validation import require_dict, require_int, require_list

from .events import emit_order_reserved
from .reservations import givers, take_reserve_from_newest

MAX_SHOWN = 1000  # a request lists at most this many (order, item) entries

# What leaves: (sku, pieces the orders must give back, the item's name).
Taking = tuple[str, int, str]
# What a request says the person saw: (order_id, sku) -> (pieces, paid on the site).
Shown = dict[tuple[str, str], tuple[int, bool]]


class OrdersLoseReserve(InvalidTransition):
    """Refused, nothing changed: these orders would lose their reserve and the request did not
    say the person saw them (as they are now). `orders`: one dict per order and item,
    {order_id, number, sku, name, qty, paid}."""

    def __init__(self, detail: str, orders: list[dict], *, reason: str | None = None):
        super().__init__(detail, reason=reason)
        self.orders = orders


def reserve_givers(uow, takings: Iterable[Taking]) -> list[dict]:
    """The orders that give back the reserve `takings` need, per item in the order they give it
    (the newest first, paid on the site last). Changes nothing."""
    return [
        {
            "order_id": order.order_id,
            "number": order.number,
            "sku": sku,
            "name": name,
            "qty": qty,
            "paid": order.paid,
        }
        for sku, amount, name in takings
        if amount > 0
        for order, qty in givers(uow, sku, amount)
    ]


def take_reserve(
    uow, takings: Iterable[Taking], by: Staff, *, what: str, actor: str, **detail: Any
) -> list[dict]:
    """The orders give back what `takings` need (before the goods leave the books); each order's
    history row is `what` with the item, `detail` (the receipt, the stocktake), the person under
    the key `actor` and the manager who approved, if any; each changed order is published.
    Returns the orders as `reserve_givers` listed them."""
    takings = [taking for taking in takings if taking[1] > 0]
    taken = reserve_givers(uow, takings)
    who = {actor: by.name}
    if by.approved_by is not None:
        who["approved_by"] = by.approved_by.name
    changed = {}
    for sku, amount, name in takings:
        for order in take_reserve_from_newest(
            uow, sku, amount, by, what=what, **detail, name=name, **who
        ):
            changed[order.order_id] = order
    for order in changed.values():
        emit_order_reserved(uow, order)
    return taken


def parse_shown(shown: Any, field: str, *, allow_empty: bool = False) -> Shown:
    """The orders a request says the person saw: a list of {order_id, sku, qty, paid} (the
    refusal's or the report's entries as they are; other keys are ignored)."""
    entries = require_list(shown, field)
    if len(entries) > MAX_SHOWN:
        raise InvalidInput(f"{field} lists more than {MAX_SHOWN} orders")
    parsed: Shown = {}
    for n, raw in enumerate(entries, 1):
        entry = require_dict(raw, f"{field} {n}")
        key = (str(entry.get("order_id")), str(entry.get("sku")))
        qty = require_int(entry.get("qty"), f"{field} {n}.qty", minimum=1)
        parsed[key] = (qty, entry.get("paid") is True)
    if not parsed and not allow_empty:
        raise InvalidInput(f"{field} lists no orders")
    return parsed


def covers(shown: Shown, taken: list[dict]) -> bool:
    """The person saw at least this: every order, no fewer pieces, paid if it is paid now."""
    for each in taken:
        seen = shown.get((each["order_id"], each["sku"]))
        if seen is None or seen[0] < each["qty"] or (each["paid"] and not seen[1]):
            return False
    return True


def same(shown: Shown, taken: list[dict]) -> bool:
    """The person saw exactly this: the same orders and items, pieces and paid marks."""
    now = {(t["order_id"], t["sku"]): (t["qty"], t["paid"] is True) for t in taken}
    return shown == now


def orders_words(taken: list[dict]) -> tuple[str, str]:
    """The orders in a refusal's words: (Russian, English)."""
    ru = "; ".join(
        f"заказ № {t['number']}: {t['name']} — {t['qty']} шт."
        f"{' (оплачен на сайте)' if t['paid'] else ''}"
        for t in taken
    )
    en = "; ".join(
        f"order {t['number']}: {t['sku']} {t['qty']} pcs{' (paid)' if t['paid'] else ''}"
        for t in taken
    )
    return ru, en
