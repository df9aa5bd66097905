"""Stock levels (DOMAIN.md 1.3) and the cloud's stock messages."""

from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput
from .payloads_errors import Problem, validated
from .payloads_stock import StockAdjustData, StockSetData

# Ledger reasons. `reserve`/`release` move only `reserved`; the rest move `on_hand`.
MOVE_REASONS = frozenset(
    {
        "reserve",
        "release",
        "ship",
        "receipt",
        "count_adjust",
        "manual_adjust",
        "cloud_set",
        "cloud_adjust",
        "loss",
        "return",
        "transfer",
        "cloud_sale",
        "sale",  # a counter sale at the register
    }
)


# A value, not changed after it is made; not frozen only because a frozen dataclass is made
# four times slower, and every order makes one (issue 12).
@dataclass(slots=True)
class StockLevel:
    sku: str
    on_hand: int
    reserved: int
    safety: int
    seq: int = 0

    @property
    def free(self) -> int:
        """What a new reservation may take: on hand, less reserved and the safety buffer."""
        return self.on_hand - self.reserved - self.safety

    @property
    def available(self) -> int:
        """What the web shop may sell (never negative)."""
        return max(0, self.free)


def stock_changed_items(levels: list[StockLevel]) -> list[dict]:
    """The items of a `stock.changed` message; the per-sku `seq` lets a consumer drop a stale
    one (an extension of the contract)."""
    return [
        {
            "sku": level.sku,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.available,
            "seq": level.seq,
        }
        for level in levels
    ]


@dataclass(frozen=True)
class StockItemChange:
    sku: str
    on_hand: int | None = None  # absolute (stock.set)
    delta: int | None = None  # relative (stock.adjust)
    safety: int | None = None  # optional extension of stock.set


@dataclass(frozen=True)
class StockChange:
    kind: str  # "set" or "adjust"
    reason: str
    items: tuple[StockItemChange, ...]


def parse_stock_change(kind: str, data: Any) -> StockChange:
    """A `stock.set` (kind "set") or `stock.adjust` ("adjust") body, checked by its model
    (payloads_stock); a sku twice in one message is refused here."""
    model = StockSetData if kind == "set" else StockAdjustData
    body = validated(model, data, lambda problem: InvalidInput(_where(problem, data)))
    seen = set()
    for item in body.items:
        if item.sku in seen:
            raise InvalidInput(f"sku {item.sku} appears twice in one message")
        seen.add(item.sku)
    if kind == "set":
        items = tuple(
            StockItemChange(i.sku, on_hand=i.on_hand, safety=i.safety) for i in body.items
        )
    else:
        items = tuple(StockItemChange(i.sku, delta=i.delta) for i in body.items)
    return StockChange(kind, body.reason, items)


def _where(problem: Problem, data: Any) -> str:
    """ "item 2: sku must be a string", "sku A: delta must not be zero", "items must be a list"."""
    loc, words = problem.loc, problem.words
    if not loc:
        return f"data {words}"
    if loc[0] != "items" or len(loc) == 1:
        return f"{loc[0]} {words}"
    item = data["items"][loc[1]]
    if len(loc) == 2:
        return f"item {loc[1] + 1} {words}"
    sku = item.get("sku")
    if loc[2] == "sku" or not isinstance(sku, str):
        return f"item {loc[1] + 1}: {loc[2]} {words}"
    return f"sku {sku.strip()}: {loc[2]} {words}"
