"""What a stocktake takes from web orders (DOMAIN.md 31): a count below what is reserved leaves
no goods for some of the reserve, so orders give it back (the newest first, paid on the site
last: reservations.givers). The report lists those orders; applying is refused, nothing
changed, unless the request lists exactly the orders that lose reserve now — the list may have
changed since the report was shown (a new order arrived, one was paid or cancelled), and the
person confirms what will happen, not what was true a minute ago. The shared part with a
counter sale (sale_reserve.py) is reserve_taking.py."""

from gateway.domain.staff import Staff
from gateway.domain.stocktake import CountLine

from .reserve_taking import (
    OrdersLoseReserve,
    Taking,
    orders_words,
    parse_shown,
    reserve_givers,
    same,
    take_reserve,
)

TAKEN_BY_STOCKTAKE = "stocktake"  # an order's history row: a count took its reserve
RESERVE_ORDERS_CHANGED = "reserve_orders_changed"  # the refusal: the list is not the one seen
SEEN_FIELD = "reserve_orders"  # the request's list, as the report named it


def orders_losing_reserve(uow, changes: list[CountLine]) -> list[dict]:
    """The orders that give back the reserve the count takes ({order_id, number, sku, name,
    qty, paid}), per sku in the order they give it. Changes nothing."""
    return reserve_givers(uow, _takings(changes))


def check_seen(uow, changes: list[CountLine], seen) -> None:
    """Refused (`OrdersLoseReserve`, reason "reserve_orders_changed", with the list of now)
    unless `seen` — the report's `reserve_orders` as the person saw them; None: they saw none —
    names exactly the orders, items, pieces and paid marks that lose reserve now."""
    taken = orders_losing_reserve(uow, changes)
    shown = parse_shown([] if seen is None else seen, SEEN_FIELD, allow_empty=True)
    if same(shown, taken):
        return
    ru, en = orders_words(taken)
    raise OrdersLoseReserve(
        "заказы, с которых снимется резерв, изменились, пока вы смотрели отчёт"
        f" ({ru or 'теперь резерв не снимается ни с одного'}): проверьте список и подтвердите"
        " снова / the orders that lose their reserve changed since the report was shown"
        f" ({en or 'now none'}): check the list and confirm again",
        taken,
        reason=RESERVE_ORDERS_CHANGED,
    )


def take_from_orders(uow, take_id: str, changes: list[CountLine], by: Staff) -> list[dict]:
    """Before on_hand goes down: the orders give back what the count leaves no goods for, each
    order's history naming the stocktake (ref), the item, who applied and who approved it.
    Returns the orders as the report listed them."""
    takings = _takings(changes)
    return take_reserve(uow, takings, by, what=TAKEN_BY_STOCKTAKE, actor="applied_by", ref=take_id)


def _takings(changes: list[CountLine]) -> list[Taking]:
    return [(line.sku, line.reserve_taken, line.name) for line in changes if line.reserve_taken > 0]
