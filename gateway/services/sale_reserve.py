"""A counter sale of goods held for web orders. The goods are at the counter, so the sale may go
on, but never silently: a sale that would take reserve off orders is refused (`HeldForOrders`,
nothing changed) with the orders it would take from, until the request says it was shown them
(`take_reserved`: those orders, as the cashier saw them) and a manager allowed it (taking an
order's reserve is a manager's action, RELEASE_RESERVE). Then, in the sale's transaction, the
orders give the goods back (paid ones last, reservations.givers) and each order's history names
the sale: receipt, cashier, item, quantity."""

from collections.abc import Iterator
from typing import Any

from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.domain.staff import RELEASE_RESERVE, Staff
from gateway.domain.validation import require_dict, require_int, require_list

from .events import emit_order_reserved
from .permissions import require
from .reservations import givers, take_reserve_from_newest

TAKES_RESERVED = "takes_reserved"
SOLD_AT_COUNTER = "sold_at_counter"  # the order's history row (order_history.describe)
MAX_SHOWN = 1000


class HeldForOrders(InvalidTransition):
    """The sale would take goods held for these orders: show them and ask. `orders`: one dict
    per order and item, {order_id, number, sku, name, qty, paid}."""

    reason = TAKES_RESERVED

    def __init__(self, detail: str, orders: list[dict]):
        super().__init__(detail)
        self.orders = orders


def held_taken(uow, wanted: dict[str, int]) -> list[dict]:
    """What of the orders' reserve a sale of `wanted` (sku -> qty) would take: only what the
    free stock does not cover, in the sale's order of items, each item's orders in the order
    they would give it back."""
    taken = []
    for sku, excess, name in _beyond_free_stock(uow, wanted):
        for order, take in givers(uow, sku, excess):
            taken.append(
                {
                    "order_id": order.order_id,
                    "number": order.number,
                    "sku": sku,
                    "name": name,
                    "qty": take,
                    "paid": order.paid,
                }
            )
    return taken


def check_taking_allowed(uow, taken: list[dict], shown: Any, by: Staff) -> None:
    """Refused unless the request says the cashier saw at least this (`shown`: the orders of the
    refusal, as the screen showed them) and the person (or the manager who approved) may take
    an order's reserve. A screen that saw less — another order, more goods, an order paid since —
    is refused again with what would happen now."""
    if not taken:
        return
    if shown is None or not _covers(_parse_shown(shown), taken):
        raise HeldForOrders(_refusal(taken), taken)
    numbers = ", ".join(dict.fromkeys(str(each["number"]) for each in taken))
    require(uow, by, RELEASE_RESERVE, detail=f"counter sale takes orders {numbers}")


def take_held(uow, wanted: dict[str, int], receipt_id: int, by: Staff) -> None:
    """The orders give back what the sale takes (before the stock leaves the shelf), each
    order's history naming the receipt, the cashier (and the approving manager) and the item."""
    who = {"cashier": by.name}
    if by.approved_by is not None:
        who["approved_by"] = by.approved_by.name
    changed = {}
    for sku, excess, name in _beyond_free_stock(uow, wanted):
        for order in take_reserve_from_newest(
            uow, sku, excess, by, what=SOLD_AT_COUNTER, receipt_id=receipt_id, name=name, **who
        ):
            changed[order.order_id] = order
    for order in changed.values():
        emit_order_reserved(uow, order)


def _beyond_free_stock(uow, wanted: dict[str, int]) -> Iterator[tuple[str, int, str]]:
    """(sku, pieces the free stock does not cover, the item's name) per sku of the sale that
    must take from the orders' reserve."""
    for sku, qty in wanted.items():
        level = uow.stock.level(sku)
        excess = level.reserved - (level.on_hand - qty)
        if excess > 0:
            yield sku, excess, uow.catalog.variant(sku).name


def _parse_shown(shown: Any) -> dict[tuple[str, str], tuple[int, bool]]:
    entries = require_list(shown, "take_reserved")
    if len(entries) > MAX_SHOWN:
        raise InvalidInput(f"take_reserved lists more than {MAX_SHOWN} orders")
    parsed = {}
    for n, raw in enumerate(entries, 1):
        entry = require_dict(raw, f"take_reserved {n}")
        key = (str(entry.get("order_id")), str(entry.get("sku")))
        qty = require_int(entry.get("qty"), f"take_reserved {n}.qty", minimum=1)
        parsed[key] = (qty, entry.get("paid") is True)
    if not parsed:
        raise InvalidInput("take_reserved lists no orders")
    return parsed


def _covers(shown: dict[tuple[str, str], tuple[int, bool]], taken: list[dict]) -> bool:
    for each in taken:
        seen = shown.get((each["order_id"], each["sku"]))
        if seen is None or seen[0] < each["qty"] or (each["paid"] and not seen[1]):
            return False
    return True


def _refusal(taken: list[dict]) -> str:
    en = "; ".join(
        f"order {t['number']}: {t['sku']} {t['qty']} pcs{' (paid)' if t['paid'] else ''}"
        for t in taken
    )
    ru = "; ".join(
        f"заказ № {t['number']}: {t['name']} — {t['qty']} шт."
        f"{' (оплачен на сайте)' if t['paid'] else ''}"
        for t in taken
    )
    return (
        f"the sale takes goods held for web orders ({en}): show them to the cashier and send"
        " the sale again with take_reserved"
        f" / в чеке товар из резерва под интернет-заказы ({ru}): подтвердите продажу"
    )
