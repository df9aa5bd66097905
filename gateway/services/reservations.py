"""The reservation engine: the one code path that changes `reserved`.

Every change to a line's reserve goes through `_shift`, which moves the stock level, appends the
ledger row and updates the line in the same transaction — so reserved = Σ line reserves always."""

from gateway.domain.errors import InsufficientStock
from gateway.domain.orders import Order, OrderLine
from gateway.domain.staff import Staff


def _shift(
    uow,
    order: Order,
    line: OrderLine,
    *,
    d_reserved: int,
    d_on_hand: int,
    reason: str,
    by: Staff | None,
) -> None:
    uow.stock.move(
        line.sku,
        d_on_hand=d_on_hand,
        d_reserved=d_reserved,
        reason=reason,
        ref_type="order",
        ref_id=f"{order.order_id}/{line.line_id}",
        by=by,
    )
    line.qty_reserved += d_reserved


def reserve_line(uow, order: Order, line: OrderLine, by: Staff | None = None) -> int:
    """Reserve as much of the line's shortfall as is free. Returns what was reserved."""
    want = line.short_qty
    if want <= 0:
        return 0
    try:  # most lines are covered: the UPDATE's own check says so, no read first (issue 12)
        _shift(uow, order, line, d_reserved=want, d_on_hand=0, reason="reserve", by=by)
        return want
    except InsufficientStock:  # nothing was changed: take what is free
        level = uow.stock.level(line.sku)
        grant = min(want, level.free if level else 0)
        if grant <= 0:
            return 0
        _shift(uow, order, line, d_reserved=grant, d_on_hand=0, reason="reserve", by=by)
        return grant


def release_line(
    uow, order: Order, line: OrderLine, qty: int | None = None, by: Staff | None = None
) -> int:
    """Give back `qty` (default: all) of the line's reserve. Returns what was released."""
    qty = line.qty_reserved if qty is None else min(qty, line.qty_reserved)
    if qty <= 0:
        return 0
    _shift(uow, order, line, d_reserved=-qty, d_on_hand=0, reason="release", by=by)
    return qty


def ship_line(uow, order: Order, line: OrderLine, qty: int, by: Staff | None) -> None:
    """Ship `qty`: the reserve is released and on_hand decremented together. A unit found on
    the shelf beyond the reserve is reserved first from free stock (DOMAIN.md edge 19)."""
    if qty > line.qty_reserved:
        reserve_line(uow, order, line, by)
    if qty > line.qty_reserved:
        raise InsufficientStock(
            f"line {line.line_id} ({line.sku}): {qty} to ship but only {line.qty_reserved}"
            " can be reserved — receive the goods or correct the stock first"
        )
    _shift(uow, order, line, d_reserved=-qty, d_on_hand=-qty, reason="ship", by=by)
    line.qty_shipped += qty


def fill_waiting_orders(uow, sku: str, by: Staff | None = None) -> list[tuple[Order, int]]:
    """Stock arrived or was freed: short orders take it first come, first served. Returns each
    order that took some, with how much."""
    changed = []
    for order_id in uow.orders.waiting_for(sku):
        level = uow.stock.level(sku)
        if level is None or level.free <= 0:
            break
        order = uow.orders.get(order_id)
        granted = sum(reserve_line(uow, order, line, by) for line in order.lines if line.sku == sku)
        if granted:
            order.status = order.derived_status()
            uow.orders.save(order)
            changed.append((order, granted))
    return changed


def givers(uow, sku: str, amount: int) -> list[tuple[Order, int]]:
    """Which orders give back `amount` of their reserve of `sku`, and how much each: the newest
    first (DOMAIN.md 31), orders paid on the site last of all (the buyer has paid for those
    goods). Deterministic: the arrival order breaks every tie. Changes nothing, so a screen can
    show the orders before anything is taken."""
    orders = [uow.orders.get(order_id) for order_id in uow.orders.holding(sku)]
    plan = []
    for order in sorted(orders, key=lambda order: order.paid):  # stable: newest first in each
        if amount <= 0:
            break
        held = sum(line.qty_reserved for line in order.lines if line.sku == sku)
        take = min(held, amount)
        if take > 0:
            plan.append((order, take))
            amount -= take
    if amount > 0:
        raise AssertionError(f"reserve of {sku} exceeds what orders hold: ledger drift")
    return plan


def take_reserve_from_newest(
    uow, sku: str, amount: int, by: Staff | None = None, *, what: str = "unreserved", **detail
) -> list[Order]:
    """Stock went below what is reserved: orders give their reserve back (they become short)
    until `amount` is freed, in the order `givers` says. Each order's history records it as
    `what` (with `detail`: a counter sale names its receipt)."""
    changed = []
    for order, amount_here in givers(uow, sku, amount):
        taken = 0
        for line in reversed(order.lines):
            if line.sku == sku and amount_here - taken > 0:
                taken += release_line(uow, order, line, amount_here - taken, by)
        order.status = order.derived_status()
        uow.orders.save(order)
        uow.orders.record(order.order_id, what, by, sku=sku, qty=taken, **detail)
        changed.append(order)
    return changed
