"""Stocktake (инвентаризация): count the shelves, then correct the book (DOMAIN.md 31, 32).

The difference applied is `counted − book at the first scan of the sku`, added to the CURRENT
on_hand: goods shipped or received between the scan and the apply stay shipped or received.
A sku in scope that was never scanned counts as 0 only when the count says so
(`uncounted="zero"`, a full count of those shelves); its book is then the one at the start of
the count. The result never goes below zero: a count that the later moves contradict (more
shipped since the scan than was counted) is clamped to 0 and flagged for a recount."""

from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput
from .scan_document import refuse_closed
from .validation import require_id, require_list

COUNTING, APPLIED, ABANDONED = "counting", "applied", "abandoned"
STOCKTAKE_STATUSES = (COUNTING, APPLIED, ABANDONED)

SCOPE_ALL, SCOPE_SKUS = "all", "skus"
UNCOUNTED_ZERO, UNCOUNTED_IGNORE = "zero", "ignore"
UNCOUNTED_POLICIES = (UNCOUNTED_ZERO, UNCOUNTED_IGNORE)

MAX_SCOPE = 200_000

# How a closed count is said when an action is refused (the status is the reason).
CLOSED_WORDS = {APPLIED: "is already applied", ABANDONED: "was abandoned"}

STOCK_ADJUSTED_REASON = "stocktake"  # the `reason` of the stock.adjusted it publishes


def parse_scope(skus: Any) -> tuple[str, ...] | None:
    """None: the whole catalog. Otherwise the skus of a partial count (a shelf, a brand)."""
    if skus is None:
        return None
    items = require_list(list(skus) if isinstance(skus, tuple | set) else skus, "skus")
    if not items:
        raise InvalidInput("a partial stocktake needs at least one sku (None counts everything)")
    if len(items) > MAX_SCOPE:
        raise InvalidInput(f"a stocktake covers at most {MAX_SCOPE} skus")
    return tuple(sorted({require_id(sku, "sku") for sku in items}))


def parse_uncounted(policy: Any) -> str:
    if policy not in UNCOUNTED_POLICIES:
        raise InvalidInput(
            "uncounted must be 'zero' (a sku in scope never scanned has none left)"
            " or 'ignore' (it keeps its stock)"
        )
    return policy


@dataclass
class Stocktake:
    take_id: str
    status: str
    scope: str  # "all" or "skus"
    uncounted: str  # "zero" or "ignore"
    ledger_head: int  # the last ledger move when the count started
    sync_id: str  # MoySklad `inventory.syncId`
    started_by: str | None = None
    started_at: str | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    started_by_id: int | None = None  # the staff ids beside the names
    closed_by_id: int | None = None

    def require_counting(self, action: str) -> None:
        refuse_closed("stocktake", self.take_id, self.status, action, CLOSED_WORDS)


@dataclass(frozen=True)
class CountLine:
    """One sku as the report and the apply see it."""

    sku: str
    name: str
    counted: int | None  # None: never scanned (counts as 0 only under uncounted="zero")
    book: int  # book_at_scan, or the book at the start of the count for an uncounted sku
    on_hand: int  # now
    reserved: int  # now
    moved_since: int  # Σ on_hand moves since the book was taken (ships, receipts, ...)

    @property
    def basis(self) -> str:
        return "scan" if self.counted is not None else "start"

    @property
    def difference(self) -> int:
        """What the count says the book was wrong by."""
        return (self.counted or 0) - self.book

    @property
    def target(self) -> int:
        return self.on_hand + self.difference

    @property
    def will_be(self) -> int:
        return max(0, self.target)

    @property
    def delta(self) -> int:
        return self.will_be - self.on_hand

    @property
    def clamped(self) -> bool:
        """More went out since the scan than was counted: the count needs checking."""
        return self.target < 0

    @property
    def reserve_taken(self) -> int:
        """Reserve that will be taken from the newest orders (they become short)."""
        return max(0, self.reserved - self.will_be)

    def as_dict(self) -> dict:
        return {
            "sku": self.sku,
            "name": self.name,
            "counted": self.counted,
            "book": self.book,
            "basis": self.basis,
            "difference": self.difference,
            "moved_since": self.moved_since,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "will_be": self.will_be,
            "delta": self.delta,
            "clamped": self.clamped,
            "reserve_taken": self.reserve_taken,
        }
