"""Stock corrections: the cloud's `stock.set` / `stock.adjust`, a manager's correction on the
tablet, and the low-stock thresholds.

on_hand never goes negative. A cloud change that takes on_hand below what is reserved first takes
reserve from the newest orders (they become short), in the same transaction (DOMAIN.md 31, 35);
a manager's correction is refused instead (the manager decides which order gives way).
Stock that arrives goes to short orders first come, first served."""

from gateway.domain.errors import InvalidInput, NotFound
from gateway.domain.staff import ADJUST_STOCK, Staff
from gateway.domain.stock import StockChange
from gateway.domain.validation import MAX_QTY, require_int

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
    """Set-based: a full snapshot lists every sku, so levels are read 500 per query and the
    writes go in batches; only a sku whose new on_hand falls below its reserve takes the slow
    path (the newest orders give their reserve back first)."""
    if by is not None:
        require(uow, by, ADJUST_STOCK, detail=change.reason)
    levels = {level.sku: level for level in uow.stock.levels([i.sku for i in change.items])}
    plan = []
    for item in change.items:  # refused at the first bad item, in the message's order
        level = levels.get(item.sku)
        if level is None:
            raise InvalidInput(f"unknown sku {item.sku}", reason="unknown_sku")
        delta = item.on_hand - level.on_hand if item.on_hand is not None else item.delta
        if level.on_hand + delta < 0:
            raise InvalidInput(
                f"sku {item.sku}: on hand {level.on_hand}, cannot take away {-delta}",
                reason="negative_stock",
            )
        plan.append((item, level, delta))
    reason = move_reason or CLOUD_REASONS[change.kind]
    adjusted, grew, batch = [], set(), []
    for item, level, delta in plan:
        if item.safety is not None or delta > 0:
            grew.add(item.sku)
        if level.reserved > level.on_hand + delta:  # rare: orders give reserve back first
            if item.safety is not None:
                uow.stock.set_safety(item.sku, item.safety)
            on_hand = change_on_hand(uow, item.sku, delta, reason=reason, ref_id=ref_id, by=by)
        else:
            batch.append((level, delta, item.safety))
            on_hand = level.on_hand + delta
        if delta != 0:
            adjusted.append({"sku": item.sku, "delta": delta, "on_hand": on_hand})
    uow.stock.set_many(batch, reason=reason, ref_type="stock", ref_id=ref_id, by=by)
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
    uow.stock.move(
        sku, d_on_hand=delta, d_reserved=0, reason=reason, ref_type="stock", ref_id=ref_id, by=by
    )
    return level.on_hand + delta


# Why a manager corrects the stock (the tablet shows the words): пересорт (one item counted as
# another), порча (damaged), потеря (lost or stolen), найдено (found), другое (say what).
CORRECTION_REASONS = ("regrade", "damage", "loss", "found", "other")
MAX_NOTE = 200


def correct_stock(
    uow,
    sku: str,
    *,
    on_hand: int | None = None,
    delta: int | None = None,
    reason: str,
    note: str = "",
    by: Staff,
    idem_key: str | None = None,
) -> dict:
    """A manager sets on_hand (what is on the shelf) or moves it by `delta`, with a reason:
    a ledger row `manual_adjust` pointing at the correction, `stock.adjusted` with who and why.
    on_hand never goes below what orders hold: that is refused with what to do. Growth fills
    short orders first. With an idempotency key a double tap corrects once."""

    def correct() -> dict:
        require(uow, by, ADJUST_STOCK, detail=f"{sku} {reason}")
        text = _check_reason(reason, note)
        level = uow.stock.level(sku)
        if level is None:
            raise NotFound(f"неизвестный товар {sku} / unknown sku {sku}")
        change = _delta(level.on_hand, on_hand, delta)
        after = level.on_hand + change
        if after < level.reserved:
            raise InvalidInput(
                f"в резерве {level.reserved} шт. — на складе не может стать {after}: сначала"
                " отмените заказы или снимите с них резерв, потом исправьте остаток"
                f" / {level.reserved} are reserved, on hand cannot become {after}: cancel the"
                " orders or release their reserve first, then correct the stock",
                reason="below_reserved",
            )
        correction_id = uow.stock.add_correction(sku, reason, text, change, after, by)
        uow.stock.move(
            sku,
            d_on_hand=change,
            d_reserved=0,
            reason="manual_adjust",
            ref_type="correction",
            ref_id=str(correction_id),
            by=by,
        )
        uow.outbox.emit(
            "stock.adjusted",
            {
                "reason": reason,
                "items": [{"sku": sku, "delta": change, "on_hand": after}],
                **by.event,
                "note": text or None,
                "correction_id": correction_id,
            },
        )
        waiting = uow.orders.waiting_for(sku) if change > 0 else []
        if waiting:
            refill(uow, {sku}, by)
        level = uow.stock.level(sku)
        still_waiting = set(uow.orders.waiting_for(sku)) if waiting else set()
        return {
            "sku": sku,
            "correction_id": correction_id,
            "reason": reason,
            "delta": change,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.available,
            "orders_filled": [o for o in waiting if o not in still_waiting],
        }

    return run_once(uow, idem_key, "correct_stock", correct)


def _check_reason(reason: str, note: object) -> str:
    if reason not in CORRECTION_REASONS:
        raise InvalidInput(
            f"причина — одна из: {', '.join(CORRECTION_REASONS)}"
            f" / the reason is one of {', '.join(CORRECTION_REASONS)}",
            reason="bad_reason",
        )
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            f"пояснение — не длиннее {MAX_NOTE} знаков / a note is {MAX_NOTE} characters at most",
            reason="bad_note",
        )
    if reason == "other" and not text:
        raise InvalidInput(
            "«другое»: напишите, что случилось / «other»: say what happened", reason="bad_note"
        )
    return text


def _delta(current: int, on_hand: object, delta: object) -> int:
    if (on_hand is None) == (delta is None):
        raise InvalidInput(
            "укажите, сколько стало на складе, или на сколько изменить"
            " / give either the new on_hand or a delta"
        )
    if on_hand is not None:
        change = require_int(on_hand, "on_hand", minimum=0) - current
    else:
        change = require_int(delta, "delta", minimum=-MAX_QTY)
    if change == 0:
        raise InvalidInput(
            f"на складе уже {current} шт. — менять нечего / on hand is {current} already",
            reason="no_change",
        )
    if current + change < 0:
        raise InvalidInput(
            f"на складе {current} шт. — нельзя убрать {-change} / on hand {current},"
            f" cannot take away {-change}",
            reason="negative_stock",
        )
    return change


def set_min_stock(uow, sku: str, min_stock: int | None, *, by: Staff) -> dict:
    """A manager's own low-stock threshold for `sku` (0: none for this sku); None gives the
    sku back to the catalog's threshold or the default. Kept when the catalog comes again.
    A threshold that puts the sku at or below it announces `stock.low` at once."""
    require(uow, by, ADJUST_STOCK, detail=f"min_stock {sku}")
    if uow.stock.level(sku) is None:
        raise NotFound(f"неизвестный товар {sku} / unknown sku {sku}")
    if min_stock is not None:
        min_stock = require_int(min_stock, "min_stock", minimum=0)
    uow.stock.set_local_min(sku, min_stock, by)
    value, source = uow.stock.min_stock(sku)
    return {"sku": sku, "min_stock": value, "min_source": source}


def use_default_min_stock(uow, default_min: int) -> dict:
    """The configured default threshold (`[stock] default_min`), told to the writer at start:
    a changed default can put skus at or below it (or lift them), so all are looked at."""
    default_min = require_int(default_min, "default_min_stock", minimum=0)
    before = uow.stock.set_default_min(default_min)
    if before != default_min:
        uow.announce_low_stock(None)
    return {"default_min_stock": default_min, "changed": before != default_min}
