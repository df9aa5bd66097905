"""Stock levels (DOMAIN.md 1.3) and the cloud's stock messages."""

from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput
from .validation import MAX_QTY, require_dict, require_id, require_int, require_list, require_str

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


@dataclass(frozen=True)
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
    body = require_dict(data, "data")
    reason = require_str(body.get("reason", kind), "reason", max_len=64)
    raw_items = require_list(body.get("items"), "items")
    if not raw_items:
        raise InvalidInput("items must not be empty")
    items, seen = [], set()
    for index, raw in enumerate(raw_items, start=1):
        item = require_dict(raw, f"item {index}")
        sku = require_id(item.get("sku"), f"item {index}: sku")
        if sku in seen:
            raise InvalidInput(f"sku {sku} appears twice in one message")
        seen.add(sku)
        if kind == "set":
            on_hand = require_int(item.get("on_hand"), f"sku {sku}: on_hand", minimum=0)
            safety = item.get("safety")
            if safety is not None:
                safety = require_int(safety, f"sku {sku}: safety", minimum=0)
            items.append(StockItemChange(sku, on_hand=on_hand, safety=safety))
        else:
            delta = require_int(item.get("delta"), f"sku {sku}: delta", minimum=-MAX_QTY)
            if delta == 0:
                raise InvalidInput(f"sku {sku}: delta must not be zero")
            items.append(StockItemChange(sku, delta=delta))
    return StockChange(kind, reason, tuple(items))
