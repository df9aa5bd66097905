"""A counter sale of goods held for web orders. The goods are at the counter, so the sale may go
on, but never silently: a sale that would take reserve off orders is refused (`HeldForOrders`,
nothing changed) with the orders it would take from, until the request says it was shown them
(`take_reserved`: those orders, as the cashier saw them) and a manager allowed it (taking an
order's reserve is a manager's action, RELEASE_RESERVE). Then, in the sale's transaction, the
orders give the goods back (paid ones last, reservations.givers) and each order's history names
the sale: receipt, cashier, item, quantity."""

from collections.abc import Iterator
from typing import Any

from gateway.domain.staff import RELEASE_RESERVE, Staff

from .permissions import require
from .reserve_taking import (
    OrdersLoseReserve,
    Taking,
    covers,
    orders_words,
    parse_shown,
    reserve_givers,
    take_reserve,
)

TAKES_RESERVED = "takes_reserved"
SOLD_AT_COUNTER = "sold_at_counter"  # the order's history row (order_history.describe)


class HeldForOrders(OrdersLoseReserve):
    """The sale would take goods held for these orders: show them and ask. `orders`: one dict
    per order and item, {order_id, number, sku, name, qty, paid}."""

    reason = TAKES_RESERVED


def held_taken(uow, wanted: dict[str, int]) -> list[dict]:
    """What of the orders' reserve a sale of `wanted` (sku -> qty) would take: only what the
    free stock does not cover, in the sale's order of items, each item's orders in the order
    they would give it back."""
    return reserve_givers(uow, _beyond_free_stock(uow, wanted))


def check_taking_allowed(uow, taken: list[dict], shown: Any, by: Staff) -> None:
    """Refused unless the request says the cashier saw at least this (`shown`: the orders of the
    refusal, as the screen showed them) and the person (or the manager who approved) may take
    an order's reserve. A screen that saw less — another order, more goods, an order paid since —
    is refused again with what would happen now."""
    if not taken:
        return
    if shown is None or not covers(parse_shown(shown, "take_reserved"), taken):
        raise HeldForOrders(_refusal(taken), taken)
    numbers = ", ".join(dict.fromkeys(str(each["number"]) for each in taken))
    require(uow, by, RELEASE_RESERVE, detail=f"counter sale takes orders {numbers}")


def take_held(uow, wanted: dict[str, int], receipt_id: int, by: Staff) -> None:
    """The orders give back what the sale takes (before the stock leaves the shelf), each
    order's history naming the receipt, the cashier (and the approving manager) and the item."""
    takings = list(_beyond_free_stock(uow, wanted))
    take_reserve(uow, takings, by, what=SOLD_AT_COUNTER, actor="cashier", receipt_id=receipt_id)


def _beyond_free_stock(uow, wanted: dict[str, int]) -> Iterator[Taking]:
    """(sku, pieces the free stock does not cover, the item's name) per sku of the sale that
    must take from the orders' reserve."""
    for sku, qty in wanted.items():
        level = uow.stock.level(sku)
        excess = level.reserved - (level.on_hand - qty)
        if excess > 0:
            yield sku, excess, uow.catalog.variant(sku).name


def _refusal(taken: list[dict]) -> str:
    ru, en = orders_words(taken)
    return (
        f"the sale takes goods held for web orders ({en}): show them to the cashier and send"
        " the sale again with take_reserved"
        f" / в чеке товар из резерва под интернет-заказы ({ru}): подтвердите продажу"
    )
