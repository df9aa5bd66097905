"""Stocktake (инвентаризация): a count session over all or part of the catalog (DOMAIN.md 31, 32).

Each sku's book quantity (and last ledger move) is recorded at its first scan; applying adds
`counted − book at scan` to the CURRENT on_hand, so what was shipped or received between the
scan and the apply stays shipped or received. All differences are applied in one transaction;
a count below what is reserved takes reserve from the newest orders (they become short, paid
ones last): the report lists those orders before, applying is refused unless the request
lists exactly the orders that lose reserve now (stocktake_reserve.py), and each order's history
names the stocktake, who applied it and who approved it. One count is open at a time (two open
counts of one sku would correct it twice).

Every function takes the unit of work first (`writer.call(scan_into_stocktake, ...)`)."""

import uuid

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.scan_document import OUT_OF_SCOPE, checked_total
from gateway.domain.staff import APPLY_STOCKTAKE, COUNT, Staff
from gateway.domain.stocktake import (
    ABANDONED,
    APPLIED,
    COUNTING,
    SCOPE_ALL,
    SCOPE_SKUS,
    STOCK_ADJUSTED_REASON,
    UNCOUNTED_ZERO,
    CountLine,
    Stocktake,
    parse_scope,
    parse_uncounted,
)
from gateway.domain.validation import require_id, require_int

from .idempotency import run_once
from .orders import refill
from .permissions import require
from .scan_document import ScanInto, load_document, take_scan, unknown_codes
from .stock import change_on_hand
from .stocktake_reserve import check_seen, orders_losing_reserve, take_from_orders

MAX_LISTED_UNCOUNTED = 1000  # a report lists at most this many untouched skus (and counts all)


class StocktakeScan(ScanInto):
    """A scan into a count: the first count of a sku records its book; a partial count refuses
    a sku outside its scope (a misplaced item is not this shelf's)."""

    id_field, count_field = "take_id", "counted"
    result_fields = {"book": None}  # the book at the sku's first scan, when counted

    def __init__(self, uow, take: Stocktake):
        super().__init__(uow, take.take_id, uow.stocktake)
        self.take = take

    def in_scope(self, sku: str) -> bool:
        return self.repo.in_scope(self.take, sku)

    def count(self, sku: str, units: int, code: str) -> tuple[int, dict]:
        total, book = _count(self.uow, self.doc_id, sku, add=units, code=code)
        return total, {"book": book}


def start_stocktake(
    uow,
    *,
    by: Staff,
    skus=None,
    uncounted: str = "ignore",
    idem_key: str | None = None,
) -> dict:
    """Start counting the whole catalog (`skus=None`) or the listed skus. `uncounted`: what a
    sku in scope that is never scanned means at apply time — "ignore" (it keeps its stock,
    the default: nobody zeroes a shop by forgetting a shelf) or "zero" (a full count: none
    was found, its stock goes to 0)."""

    def start() -> dict:
        require(uow, by, COUNT)
        scope = parse_scope(skus)
        policy = parse_uncounted(uncounted)
        open_take = uow.stocktake.counting()
        if open_take is not None:
            raise InvalidTransition(
                f"stocktake {open_take.take_id} is still counting: apply or abandon it first",
                reason="stocktake_open",
            )
        if scope:
            known = uow.catalog.owners(list(scope))
            missing = [sku for sku in scope if sku not in known]
            if missing:
                raise NotFound(f"unknown sku {', '.join(missing[:10])}", reason="unknown_sku")
            uow.stock.ensure_levels(list(scope))
        take = Stocktake(
            take_id=f"INV-{uow.next_counter('stocktake')}",
            status=COUNTING,
            scope=SCOPE_SKUS if scope else SCOPE_ALL,
            uncounted=policy,
            ledger_head=uow.stocktake.ledger_head(),
            sync_id=str(uuid.uuid4()),
            started_by=by.name,
            started_by_id=by.id,
            started_at=uow.now,
        )
        uow.stocktake.add(take, scope)
        return {**_header(take), "skus": len(scope) if scope else None}

    return run_once(uow, idem_key, "stocktake.start", start)


def scan_into_stocktake(
    uow,
    take_id: str,
    code: str,
    *,
    by: Staff,
    gtin: str | None = None,
    qty: int | None = None,
    sku: str | None = None,
    marking: bool = False,
    idem_key: str | None = None,
) -> dict:
    """Count `qty` items (default 1) of the scanned barcode, each its pack quantity
    (`scan_document.take_scan`; `gtin`, `sku`, `marking` as there). The first scan of a sku
    records its book quantity. Unknown codes are kept and reported, not counted; a sku outside
    a partial count's scope is refused."""

    def scan() -> dict:
        require(uow, by, COUNT, detail=take_id)
        into = StocktakeScan(uow, _counting(uow, take_id, "scan into"))
        return take_scan(into, code, gtin=gtin, qty=qty, sku=sku, marking=marking)

    return run_once(uow, idem_key, "stocktake.scan", scan)


def set_stocktake_count(
    uow,
    take_id: str,
    sku: str,
    counted: int | None,
    *,
    by: Staff,
    idem_key: str | None = None,
    recount: bool = False,
) -> dict:
    """Correct a count (a double scan), or type one in (goods without a barcode). `counted=0`
    says «counted, none there»; `counted=None` takes the sku back to «not counted».
    `recount` («Пересчитать»): the shelf was counted again after sales or a delivery, so the
    book is taken anew now -- a correction keeps the book of the first scan."""

    def correct() -> dict:
        require(uow, by, COUNT, detail=take_id)
        take = _counting(uow, take_id, "change")
        key = require_id(sku, "sku")
        if uow.catalog.variant(key) is None:
            raise NotFound(f"unknown sku {key}", reason="unknown_sku")
        if not uow.stocktake.in_scope(take, key):
            raise InvalidInput(f"sku {key} is not part of stocktake {take_id}", reason=OUT_OF_SCOPE)
        if recount:
            uow.stocktake.remove_line(take_id, key)
            uow.stocktake.forget_units(take_id, key)
        if counted is None:
            uow.stocktake.remove_line(take_id, key)
            uow.stocktake.forget_units(take_id, key)
            return {"take_id": take_id, "sku": key, "counted": None, "book": None}
        value = require_int(counted, "counted", minimum=0)
        total, book = _count(uow, take_id, key, set_to=value)
        if value == 0:
            uow.stocktake.forget_units(take_id, key)
        return {"take_id": take_id, "sku": key, "counted": total, "book": book}

    return run_once(
        uow, idem_key, "stocktake.recount" if recount else "stocktake.set_count", correct
    )


def stocktake_report(uow, take_id: str) -> dict:
    """Before applying: per sku the book at scan, the count, the difference, what moved since
    the scan, on_hand now and what it will become (`will_be`, `delta`, `clamped` when later
    moves contradict the count, `reserve_taken` from orders) and `reserve_orders`, the orders
    that lose it ({order_id, number, sku, name, qty, paid}). After applying: what was
    applied. Reads only: pass a unit of work, or `stocktake_repo.stocktake_report(conn, id)`."""
    take = _load(uow, take_id)
    if take.status == APPLIED:
        return {**_header(take), **uow.stocktake.result(take_id)}
    counted, uncounted = _plan(uow, take)
    zero = take.uncounted == UNCOUNTED_ZERO
    planned = counted + (uncounted if zero else [])
    changes = [line for line in planned if line.delta]
    return {
        **_header(take),
        "lines": [line.as_dict() for line in counted],
        "not_counted": [
            line.as_dict() if zero else _untouched(line)
            for line in uncounted[:MAX_LISTED_UNCOUNTED]
        ],
        "not_counted_total": len(uncounted),
        "unknown_codes": unknown_codes(uow.stocktake, take_id),
        "changes": [{"sku": c.sku, "delta": c.delta, "will_be": c.will_be} for c in changes],
        "totals": _totals(counted, changes),
        "reserve_orders": orders_losing_reserve(uow, changes),
    }


def apply_stocktake(
    uow, take_id: str, *, by: Staff, reserve_orders=None, idem_key: str | None = None
) -> dict:
    """Apply every difference in this one transaction (ledger reason `count_adjust`, ref the
    stocktake) and publish `stock.adjusted` {reason: "stocktake", items, by, stocktake_id}.
    `reserve_orders`: the orders losing reserve as the person saw them (the report's list;
    none: they saw none). When the orders that would lose reserve now differ (an order arrived,
    was paid or cancelled since), nothing changes: `OrdersLoseReserve` (reason
    "reserve_orders_changed") carries the list of now, to confirm again.
    Applying again (a double tap, a retry) changes nothing and returns the same result."""

    def apply() -> dict:
        require(uow, by, APPLY_STOCKTAKE, detail=take_id)
        take = _load(uow, take_id)
        if take.status == APPLIED:
            return {**uow.stocktake.result(take_id), "already": True}
        take.require_counting("apply")
        counted, uncounted = _plan(uow, take)
        if not counted:
            raise InvalidInput(
                f"nothing was counted in stocktake {take_id}: scan the goods (enter 0 for"
                " what is not there), or abandon it",
                reason="empty",
            )
        planned = counted + (uncounted if take.uncounted == UNCOUNTED_ZERO else [])
        changes = sorted((line for line in planned if line.delta), key=lambda line: line.sku)
        check_seen(uow, changes, reserve_orders)
        taken = take_from_orders(uow, take_id, changes, by)
        items, grew = [], set()
        for line in changes:
            on_hand = change_on_hand(
                uow, line.sku, line.delta, reason="count_adjust", ref_id=take_id, by=by
            )
            items.append({"sku": line.sku, "delta": line.delta, "on_hand": on_hand})
            if line.delta > 0:
                grew.add(line.sku)
        if items:
            uow.outbox.emit(
                "stock.adjusted",
                {
                    "reason": STOCK_ADJUSTED_REASON,
                    "items": items,
                    **by.event,
                    "stocktake_id": take_id,  # extension: the count document
                },
            )
        refill(uow, grew, by, ref=take_id)
        _close(take, APPLIED, by, uow.now)
        result = {
            "take_id": take_id,
            "status": APPLIED,
            "applied_by": by.name,
            "applied_at": uow.now,
            "items": items,
            "lines": [line.as_dict() for line in planned],
            "unknown_codes": unknown_codes(uow.stocktake, take_id),
            "clamped": [line.sku for line in planned if line.clamped],
            "reserve_orders": taken,
        }
        uow.stocktake.close(take, result)
        return result

    return run_once(uow, idem_key, "stocktake.apply", apply)


def abandon_stocktake(uow, take_id: str, *, by: Staff, idem_key: str | None = None) -> dict:
    """Drop a count without changing any stock."""

    def abandon() -> dict:
        require(uow, by, COUNT, detail=take_id)
        take = _load(uow, take_id)
        if take.status == ABANDONED:
            return {**_header(take), "already": True}
        take.require_counting("abandon")
        _close(take, ABANDONED, by, uow.now)
        uow.stocktake.close(take, None)
        return _header(take)

    return run_once(uow, idem_key, "stocktake.abandon", abandon)


def current_stocktake(uow) -> dict | None:
    """The count in progress, if any (the «Инвентаризация» screen continues it)."""
    take = uow.stocktake.counting()
    return None if take is None else _header(take)


# --- helpers ---------------------------------------------------------------------------------


def _load(uow, take_id: str) -> Stocktake:
    return load_document("stocktake", take_id, uow.stocktake.get)


def _close(take: Stocktake, status: str, by: Staff, now: str) -> None:
    take.status, take.closed_at = status, now
    take.closed_by, take.closed_by_id = by.name, by.id


def _counting(uow, take_id: str, action: str) -> Stocktake:
    take = _load(uow, take_id)
    take.require_counting(action)
    return take


def _count(
    uow,
    take_id: str,
    sku: str,
    *,
    add: int = 0,
    set_to: int | None = None,
    code: str | None = None,
) -> tuple[int, int]:
    """Add to (or set) a sku's count; the first count records the book and the last move.
    Returns (counted, book_at_scan)."""
    repo = uow.stocktake
    current = repo.line(take_id, sku)
    total = set_to if set_to is not None else checked_total(current[0] if current else 0, add, sku)
    if current is None:
        uow.stock.ensure_levels([sku])
        book = uow.stock.level(sku).on_hand
        repo.add_line(
            take_id, sku, counted=total, book=book, move_id=repo.last_move_of(sku), code=code
        )
        return total, book
    repo.set_counted(take_id, sku, total, code)
    return total, current[1]


def _plan(uow, take: Stocktake) -> tuple[list[CountLine], list[CountLine]]:
    return uow.stocktake.count_lines(take.take_id), uow.stocktake.uncounted_lines(take)


def _untouched(line: CountLine) -> dict:
    """A sku in scope not counted under uncounted="ignore": it keeps its stock."""
    return {
        "sku": line.sku,
        "name": line.name,
        "counted": None,
        "on_hand": line.on_hand,
        "reserved": line.reserved,
        "will_be": line.on_hand,
        "delta": 0,
    }


def _totals(counted: list[CountLine], changes: list[CountLine]) -> dict:
    return {
        "counted_skus": len(counted),
        "changed_skus": len(changes),
        "surplus": sum(c.delta for c in changes if c.delta > 0),
        "shortage": -sum(c.delta for c in changes if c.delta < 0),
        "clamped": [c.sku for c in changes if c.clamped],
        "reserve_taken": sum(c.reserve_taken for c in changes),
    }


def _header(take: Stocktake) -> dict:
    return {
        "take_id": take.take_id,
        "status": take.status,
        "scope": take.scope,
        "uncounted": take.uncounted,
        "sync_id": take.sync_id,
        "started_by": take.started_by,
        "started_at": take.started_at,
        "closed_by": take.closed_by,
        "closed_at": take.closed_at,
    }
