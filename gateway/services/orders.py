"""Order use cases: create (reserve at once), confirm, ship, cancel, release a line's reserve
(DOMAIN.md 1.4). Each writes its line of the order's history in its own transaction."""

from typing import Any

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound, StaleVersion
from gateway.domain.orders import (
    CANCELLED,
    SHIPPED,
    Order,
    OrderLine,
    check_staff_reason,
    parse_order_created,
    parse_ship_lines,
)
from gateway.domain.staff import CANCEL_ORDER, CONFIRM, RELEASE_RESERVE, SHIP, SYSTEM, Staff

from .events import (
    emit_order_cancelled,
    emit_order_rejected,
    emit_order_released,
    emit_order_reserved,
    order_summary,
)
from .idempotency import run_once
from .permissions import require
from .receipts import shipment_receipt
from .reservations import fill_waiting_orders, release_line, reserve_line, ship_line


def create_order(uow, data: Any) -> dict:
    """`order.created`: reserve what is free at once; the rest makes the order `short`.
    The same order id again changes nothing. A bad order is rejected, nothing reserved."""
    order_id = data.get("order_id") if isinstance(data, dict) else None
    if isinstance(order_id, str) and (existing := uow.orders.get(order_id.strip())):
        return {**order_summary(existing), "duplicate": True}  # whatever the repeat says
    try:
        new = parse_order_created(data)
        for line in new.lines:
            check_orderable(uow, line.sku, f"order {new.order_id}, line {line.line_id}")
    except InvalidInput as exc:
        if not isinstance(order_id, str) or not order_id.strip():
            raise
        emit_order_rejected(uow, order_id, exc.reason, exc.detail)
        return {
            "order_id": order_id,
            "status": "rejected",
            "reason": exc.reason,
            "detail": exc.detail,
        }
    order = Order(
        order_id=new.order_id,
        number=new.number,
        channel=new.channel,
        paid=new.paid,
        customer=new.customer,
        arrival=uow.orders.next_arrival(),
        lines=[OrderLine(n.line_id, n.sku, n.qty, n.price) for n in new.lines],
    )
    for line in order.lines:  # lines of the same sku see what the earlier ones took
        reserve_line(uow, order, line)
    order.status = order.derived_status()
    uow.orders.add(order)  # its «arrived» history line is the order row itself (m019)
    emit_order_reserved(uow, order)
    return order_summary(order)


def check_orderable(uow, sku: str, where: str) -> None:
    archived = uow.catalog.archived(sku)
    if archived is None:
        raise InvalidInput(f"{where}: unknown sku {sku}", reason="unknown_sku")
    if archived:
        raise InvalidInput(f"{where}: sku {sku} is archived", reason="archived_sku")


def load_open_order(uow, order_id: str, expected_version: int | None, action: str) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    if expected_version is not None and expected_version != order.version:
        raise StaleVersion(f"order {order.number} has changed since the screen was opened: reload")
    if order.is_terminal:
        word = "cancelled" if order.status == CANCELLED else "shipped"
        raise InvalidTransition(f"order {order.number} is already {word}: cannot {action} it")
    return order


def confirm_order(
    uow,
    order_id: str,
    *,
    by: Staff,
    expected_version: int | None = None,
    idem_key: str | None = None,
) -> dict:
    """Staff checked the goods physically. Confirming twice is harmless; a double tap (the
    same key) gets the first answer back rather than a stale-screen refusal."""
    return run_once(uow, idem_key, "confirm", lambda: _confirm(uow, order_id, by, expected_version))


def _confirm(uow, order_id: str, by: Staff, expected_version: int | None) -> dict:
    require(uow, by, CONFIRM, detail=f"order {order_id}")
    order = load_open_order(uow, order_id, expected_version, "confirm")
    if order.confirmed_by is not None:
        return order_summary(order)
    order.confirmed_by, order.confirmed_by_id = by.name, by.id
    order.confirmed_at = uow.now
    order.status = order.derived_status()
    handled_by(uow, order, by)
    uow.orders.save(order)
    uow.orders.record(order.order_id, "confirmed", by)
    uow.outbox.emit("order.confirmed", {"order_id": order.order_id, **by.event})
    return order_summary(order)


def handled_by(uow, order: Order, by: Staff) -> None:
    """Whoever acts on an order has seen it: the board's alert for it stops."""
    if order.seen_at is None and by.role != SYSTEM:
        order.seen_at, order.seen_by, order.seen_by_id = uow.now, by.name, by.id


def order_seen(uow, order_id: str, *, by: Staff) -> dict:
    """The order was opened on a tablet. Only the first opening is recorded; a repeat costs one
    indexed UPDATE that changes nothing."""
    if uow.orders.mark_seen(order_id, by):
        uow.orders.record(order_id, "seen", by)
        return {"order_id": order_id, "seen": True, "first": True}
    if uow.orders.get(order_id) is None:
        raise NotFound(f"order {order_id} not found")
    return {"order_id": order_id, "seen": True, "first": False}


def ship_order(
    uow,
    order_id: str,
    *,
    by: Staff,
    lines: dict[str, int] | None = None,
    idem_key: str | None = None,
    expected_version: int | None = None,
    receipt: dict | None = None,
) -> dict:
    """Ship all open quantities, or the given {line_id: qty}: reserve released and on_hand
    decremented together. With an idempotency key a double tap ships once. With `receipt`
    ({payment, marking_codes, contact}) a sell receipt job is queued in the same transaction:
    a receipt that cannot be made (a marked item without its code) refuses the shipment."""

    def ship() -> dict:
        require(uow, by, SHIP, detail=f"order {order_id}")
        order = load_open_order(uow, order_id, expected_version, "ship")
        wanted = parse_ship_lines(order, lines)
        shipment_id = f"{order.order_id}/S{uow.next_counter('shipment')}"
        shipped = []
        for line_id, qty in wanted.items():
            line = order.line(line_id)
            ship_line(uow, order, line, qty, by)
            shipped.append((line.line_id, line.sku, qty))
        order.status = order.derived_status()
        handled_by(uow, order, by)
        uow.orders.save(order)
        uow.orders.add_shipment(shipment_id, order.order_id, shipped, by)
        receipt_id = None
        if receipt is not None:
            draft = shipment_receipt(uow, order, shipped, receipt, by)
            receipt_id = uow.fiscal.add_job(
                draft, order_id=order.order_id, shipment_id=shipment_id, by=by
            )
        uow.orders.record(
            order.order_id,
            "shipped",
            by,
            ref=shipment_id,
            qty=sum(qty for _, _, qty in shipped),
            lines=[{"line_id": lid, "sku": sku, "qty": qty} for lid, sku, qty in shipped],
            receipt_id=receipt_id,
        )
        uow.outbox.emit(
            "order.shipped",
            {
                "order_id": order.order_id,
                "shipment_id": shipment_id,
                "lines": [{"line_id": lid, "sku": sku, "qty": qty} for lid, sku, qty in shipped],
                # Printed after the commit (a broken register never blocks a shipment): the
                # fiscal data follows in `receipt.fiscalized` with this receipt_id.
                "receipt": None,
                "receipt_id": receipt_id,
            },
        )
        return {**order_summary(order), "shipment_id": shipment_id, "receipt_id": receipt_id}

    return run_once(uow, idem_key, "ship", ship)


def cancel_order(
    uow,
    order_id: str,
    *,
    by: Staff,
    reason: str | None = None,
    text: str | None = None,
    idem_key: str | None = None,
    expected_version: int | None = None,
) -> dict:
    """Release what is still reserved; shipped quantities stay shipped and on_hand is not put
    back. If anything was shipped, the order ends `shipped` and is flagged for staff: the
    customer has goods to return or money to get back. A repeated cancel changes nothing.
    Staff give a reason from STAFF_REASONS (`other` with `text`; none given by a local tool:
    `other`); the cloud's reason is its own."""

    def cancel() -> dict:
        require(uow, by, CANCEL_ORDER, detail=f"order {order_id}")
        if by.role == SYSTEM:
            why, words = reason or by.name, text
        elif reason is None:
            why, words = "other", text
        else:
            why, words = check_staff_reason(reason, text)
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found")
        if order.cancel_reason is not None:
            return {**order_summary(order), "already": True}
        if expected_version is not None and expected_version != order.version:
            raise StaleVersion(f"order {order.number} has changed since the screen was opened")
        released: dict[str, int] = {}
        for line in order.lines:
            qty = release_line(uow, order, line, by=by)
            if qty:
                released[line.sku] = released.get(line.sku, 0) + qty
            line.qty_cancelled += line.open_qty
        shipped = sum(line.qty_shipped for line in order.lines)
        order.status = SHIPPED if shipped else CANCELLED
        order.cancel_reason = why
        extra = {}
        if shipped:
            order.needs_attention = (
                f"cancelled after {shipped} unit(s) were shipped: arrange a return or a refund"
            )
            extra = {"status": order.status, "needs_attention": True}
        if words:
            extra["text"] = words
        handled_by(uow, order, by)
        uow.orders.save(order)
        uow.orders.record(
            order.order_id,
            "cancelled",
            by,
            reason=why,
            text=words,
            released=[{"sku": sku, "qty": qty} for sku, qty in released.items()],
        )
        emit_order_cancelled(uow, order, why, by, released, **extra)
        refill(uow, released, by, ref=f"order {order.order_id}")
        return order_summary(order)

    return run_once(uow, idem_key, "cancel", cancel)


def release_order_line(
    uow,
    order_id: str,
    line_id: str,
    *,
    by: Staff,
    reason: str,
    text: str | None = None,
    expected_version: int | None = None,
    idem_key: str | None = None,
) -> dict:
    """The buyer will not take this line: its open quantity is cancelled and its reserve goes
    back — first to orders waiting for the sku (first come, first served), the rest to the web
    shop (`order.released`, then `stock.changed`). The order's other lines are untouched; the
    last open line is not released this way: that is cancelling the order."""

    def release() -> dict:
        require(uow, by, RELEASE_RESERVE, detail=f"order {order_id}, line {line_id}")
        why, words = check_staff_reason(reason, text)
        order = load_open_order(uow, order_id, expected_version, "release a reserve of")
        line = order.line(line_id)
        cancelled = line.open_qty
        if cancelled <= 0:
            raise InvalidTransition(
                f"line {line_id} of order {order.number} has nothing left to release"
                " / в строке нечего снимать с резерва",
                reason="nothing_to_release",
            )
        if all(other.open_qty == 0 for other in order.lines if other is not line):
            raise InvalidTransition(
                f"line {line_id} is the last open line of order {order.number}: cancel the order"
                " instead / это последняя строка заказа — отмените заказ",
                reason="last_line",
            )
        freed = release_line(uow, order, line, by=by)
        line.qty_cancelled += cancelled
        order.status = order.derived_status()
        handled_by(uow, order, by)
        uow.orders.save(order)
        released = [{"line_id": line.line_id, "sku": line.sku, "qty": freed}]
        uow.orders.record(
            order.order_id,
            "released",
            by,
            line_id=line.line_id,
            sku=line.sku,
            qty=freed,
            cancelled=cancelled,
            reason=why,
            text=words,
        )
        emit_order_released(uow, order, released, why, words, by)
        filled = refill(uow, {line.sku} if freed else set(), by, ref=f"order {order.order_id}")
        return {**order_summary(order), "released": released, "filled_orders": filled}

    return run_once(uow, idem_key, "release", release)


def refill(uow, skus, by: Staff | None, *, ref: str | None = None) -> list[dict]:
    """Freed or arrived stock goes to waiting (short) orders first come, first served. Returns
    the orders it filled ({order_id, number, status}); each gets a `refilled` history line
    naming `ref`, the document that brought the goods."""
    filled: dict[str, dict] = {}
    if len(skus) > 1:  # a full snapshot grows every sku: ask once per 500 which have waiters
        skus = uow.orders.skus_waited_for(sorted(skus))
    for sku in sorted(skus):
        for order, granted in fill_waiting_orders(uow, sku, by):
            emit_order_reserved(uow, order)
            uow.orders.record(order.order_id, "refilled", by, ref=ref, sku=sku, qty=granted)
            filled[order.order_id] = {
                "order_id": order.order_id,
                "number": order.number,
                "status": order.status,
            }
    return list(filled.values())
