"""Stock corrections: the cloud's `stock.set` / `stock.adjust`, and local adjustments.

on_hand never goes negative. A change that takes on_hand below what is reserved first takes
reserve from the newest orders (they become short), in the same transaction (DOMAIN.md 31, 35).
Stock that arrives goes to short orders first come, first served."""

from gateway.domain.errors import InvalidInput
from gateway.domain.staff import ADJUST_STOCK, Staff
from gateway.domain.stock import StockChange

from .events import actor_event, emit_order_reserved
from .idempotency import run_once
from .orders import refill
from .permissions import require
from .reservations import take_reserve_from_newest

CLOUD_REASONS = {"set": "cloud_set", "adjust": "cloud_adjust"}


def apply_stock_change(
    uow,
    change: StockChange,
    *,
    by: Staff | None = None,
    move_reason: str | None = None,
    ref_id: str | None = None,
    idem_key: str | None = None,
) -> dict:
    """All items or none: an unknown sku or a result below zero refuses the whole change.
    With an idempotency key (a message id, a tablet's key) it applies once. `by` None: a local
    tool's set-up (no one to check)."""
    return run_once(
        uow, idem_key, "stock", lambda: _apply(uow, change, by, move_reason, ref_id or idem_key)
    )


def _apply(uow, change: StockChange, by: Staff | None, move_reason, ref_id) -> dict:
    if by is not None:
        require(uow, by, ADJUST_STOCK, detail=change.reason)
    plan = []
    for item in change.items:
        level = uow.stock.level(item.sku)
        if level is None:
            raise InvalidInput(f"unknown sku {item.sku}", reason="unknown_sku")
        delta = item.on_hand - level.on_hand if item.on_hand is not None else item.delta
        if level.on_hand + delta < 0:
            raise InvalidInput(
                f"sku {item.sku}: on hand {level.on_hand}, cannot take away {-delta}",
                reason="negative_stock",
            )
        plan.append((item, delta))
    reason = move_reason or CLOUD_REASONS[change.kind]
    adjusted, grew = [], set()
    for item, delta in plan:
        if item.safety is not None:
            uow.stock.set_safety(item.sku, item.safety)
            grew.add(item.sku)
        if delta == 0:
            continue
        on_hand = change_on_hand(uow, item.sku, delta, reason=reason, ref_id=ref_id, by=by)
        adjusted.append({"sku": item.sku, "delta": delta, "on_hand": on_hand})
        if delta > 0:
            grew.add(item.sku)
    if adjusted:
        uow.outbox.emit(
            "stock.adjusted", {"reason": change.reason, "items": adjusted, **actor_event(by)}
        )
    refill(uow, grew, by)
    return {"reason": change.reason, "items": adjusted}


def change_on_hand(
    uow, sku: str, delta: int, *, reason: str, ref_id: str | None, by: Staff | None
) -> int:
    """Move on_hand by `delta`; returns the new on_hand. Call `refill` after growth."""
    level = uow.stock.level(sku)
    excess = level.reserved - (level.on_hand + delta)
    if excess > 0:
        for order in take_reserve_from_newest(uow, sku, excess, by):
            emit_order_reserved(uow, order)
    level = uow.stock.move(
        sku,
        d_on_hand=delta,
        d_reserved=0,
        reason=reason,
        ref_type="stock",
        ref_id=ref_id,
        by=by,
    )
    return level.on_hand
