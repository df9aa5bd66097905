"""Order edits from the cloud (an `order.updated` extension of the contract, DOMAIN.md row 2,
edge cases 15–16). Lines are matched by their stable line id; a newer `version` only."""

from typing import Any

from gateway.domain.orders import OrderLine, parse_order_updated
from gateway.domain.staff import CLOUD, Staff

from .events import emit_order_reserved, order_summary
from .orders import check_orderable, load_open_order, refill
from .reservations import release_line, reserve_line


def edit_order(uow, data: Any, *, by: Staff | None = None) -> dict:
    """Apply the order's new lines: quantities up (reserve, may go short) or down (release),
    lines removed (release, cancel the rest), added, or swapped to another variant. An edit
    below what has already shipped is refused and the order flagged for staff."""
    new, version = parse_order_updated(data)
    order = load_open_order(uow, new.order_id, None, "edit")
    if version <= order.src_version:
        return {**order_summary(order), "stale": True}
    conflict = _conflict(order, new.lines)
    if conflict:
        order.needs_attention = conflict
        uow.orders.save(order)
        uow.orders.record(order.order_id, "edit_refused", by or CLOUD, version=version)
        return {**order_summary(order), "rejected": conflict}
    current = {line.line_id: line.sku for line in order.lines}
    for line in new.lines:  # a sku the order already holds may be archived meanwhile
        if current.get(line.line_id) != line.sku:
            check_orderable(uow, line.sku, f"order {order.order_id}, line {line.line_id}")
    freed: set[str] = set()
    wanted = {line.line_id: line for line in new.lines}
    for line in order.lines:
        change = wanted.pop(line.line_id, None)
        if change is None:  # removed: release and cancel what was not shipped
            if release_line(uow, order, line, by=by):
                freed.add(line.sku)
            line.qty_cancelled += line.open_qty
            continue
        if change.sku != line.sku and release_line(uow, order, line, by=by):
            freed.add(line.sku)  # a variant swap releases the old sku first
        # The edit states the whole order: a line removed earlier and listed again is back.
        line.sku, line.qty_ordered, line.price = change.sku, change.qty, change.price
        line.qty_cancelled = 0
        excess = line.qty_reserved - line.open_qty
        if excess > 0 and release_line(uow, order, line, excess, by=by):
            freed.add(line.sku)
    order.lines.extend(OrderLine(n.line_id, n.sku, n.qty, n.price) for n in wanted.values())
    for line in order.lines:
        reserve_line(uow, order, line, by)
    order.src_version = version
    order.status = order.derived_status()
    uow.orders.save(order)
    uow.orders.record(
        order.order_id,
        "edited",
        by or CLOUD,
        version=version,
        short=sum(line.short_qty for line in order.lines),
    )
    emit_order_reserved(uow, order)
    refill(uow, freed, by, ref=f"order {order.order_id}")
    return order_summary(uow.orders.get(order.order_id))


def _conflict(order, new_lines) -> str | None:
    by_id = {line.line_id: line for line in new_lines}
    for line in order.lines:
        shipped = line.qty_shipped
        change = by_id.get(line.line_id)
        if change is None or shipped == 0:
            continue
        if change.sku != line.sku:
            return f"line {line.line_id}: variant changed after {shipped} already shipped"
        if change.qty < shipped:
            return (
                f"line {line.line_id}: new quantity {change.qty} is below the {shipped}"
                " already shipped"
            )
    return None
