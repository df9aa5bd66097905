"""Orders and their state machine (DOMAIN.md 1.4). Quantities only; the stock effects live in
the reservation service, which is the one code path that changes `reserved`."""

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .validation import (
    MAX_MONEY,
    optional_str,
    require_bool,
    require_dict,
    require_id,
    require_int,
    require_list,
)

RESERVED = "reserved"
SHORT = "short"
CONFIRMED = "confirmed"
PARTIALLY_SHIPPED = "partially_shipped"
SHIPPED = "shipped"
CANCELLED = "cancelled"

STATUSES = (RESERVED, SHORT, CONFIRMED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED)
TERMINAL = frozenset({SHIPPED, CANCELLED})

# Why staff cancel an order or release a line's reserve (Russian, English); `other` needs words.
OTHER = "other"
STAFF_REASONS = {
    "no_show": ("покупатель не пришёл", "the buyer did not come"),
    "not_paid": ("не оплачен", "not paid"),
    "no_goods": ("нет товара", "no goods"),
    OTHER: ("другое", "other"),
}
MAX_REASON_TEXT = 200


@dataclass
class OrderLine:
    line_id: str
    sku: str
    qty_ordered: int
    price: int = 0
    qty_reserved: int = 0
    qty_shipped: int = 0
    qty_cancelled: int = 0

    @property
    def open_qty(self) -> int:
        """What is still to be shipped: ordered, less shipped and cancelled."""
        return self.qty_ordered - self.qty_shipped - self.qty_cancelled

    @property
    def short_qty(self) -> int:
        return self.open_qty - self.qty_reserved


@dataclass
class Customer:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class Order:
    order_id: str
    number: str
    channel: str
    paid: bool
    customer: Customer
    lines: list[OrderLine]
    status: str = RESERVED
    confirmed_by: str | None = None
    confirmed_by_id: int | None = None  # the staff id beside the name
    needs_attention: str | None = None  # why staff must look at it, or None
    arrival: int = 0  # first-come first-served position, from a counter, never the clock
    version: int = 1  # bumps on every change: a stale tablet screen is refused
    src_version: int = 0  # the cloud's edit version; older edits are ignored
    cancel_reason: str | None = None  # set once a cancel was applied: a repeat is a no-op
    confirmed_at: str | None = None  # a pickup is overdue counted from here
    seen_at: str | None = None  # first opened on a tablet: the board's alert stops
    seen_by: str | None = None
    seen_by_id: int | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise InvalidInput(f"order {self.order_id} has no line {line_id}", reason="not_found")

    def derived_status(self) -> str:
        """The status the lines imply. Terminal states are sticky."""
        if self.status in TERMINAL:
            return self.status
        if all(line.open_qty == 0 for line in self.lines):
            shipped = any(line.qty_shipped for line in self.lines)
            return SHIPPED if shipped else CANCELLED
        # Waiting for goods is what staff must see first, even on a confirmed order.
        if any(line.short_qty > 0 for line in self.lines):
            return SHORT
        if any(line.qty_shipped for line in self.lines):
            return PARTIALLY_SHIPPED
        return CONFIRMED if self.confirmed_by is not None else RESERVED

    @property
    def reservation_status(self) -> str:
        """What the cloud is told in `order.reserved`: is everything open held for it?"""
        return SHORT if any(line.short_qty > 0 for line in self.lines) else RESERVED


def check_staff_reason(reason: Any, text: Any = None) -> tuple[str, str | None]:
    """A staff member's reason to cancel or release: one of STAFF_REASONS; `other` with words
    saying why. Returns (reason, text or None)."""
    if reason not in STAFF_REASONS:
        choices = ", ".join(STAFF_REASONS)
        raise InvalidInput(
            f"choose a reason: {choices} / выберите причину: "
            + ", ".join(ru for ru, _ in STAFF_REASONS.values()),
            reason="bad_reason",
        )
    words = text.strip() if isinstance(text, str) else ""
    if text is not None and not isinstance(text, str) or len(words) > MAX_REASON_TEXT:
        raise InvalidInput(
            f"the reason's text is up to {MAX_REASON_TEXT} characters / до {MAX_REASON_TEXT}"
            " знаков",
            reason="bad_reason",
        )
    if reason == OTHER and not words:
        raise InvalidInput(
            "say why in a few words / напишите причину в нескольких словах", reason="bad_reason"
        )
    return str(reason), words or None


@dataclass(frozen=True)
class NewLine:
    line_id: str
    sku: str
    qty: int
    price: int


@dataclass(frozen=True)
class NewOrder:
    order_id: str
    number: str
    channel: str
    paid: bool
    customer: Customer
    lines: tuple[NewLine, ...] = field(default_factory=tuple)


def parse_order_created(data: Any) -> NewOrder:
    """Validate an `order.created` body. Raises InvalidInput naming the first problem."""
    body = require_dict(data, "data")
    order_id = require_id(body.get("order_id"), "order_id")
    raw_lines = require_list(body.get("lines"), f"order {order_id}: lines")
    if not raw_lines:
        raise InvalidInput(f"order {order_id} has no lines", reason="empty_order")
    lines, seen = [], set()
    for index, raw in enumerate(raw_lines, start=1):
        where = f"order {order_id}, line {index}"
        item = require_dict(raw, where)
        line_id = require_id(item.get("line_id", str(index)), f"{where}: line_id")
        if line_id in seen:
            raise InvalidInput(f"order {order_id}: line_id {line_id} appears twice")
        seen.add(line_id)
        qty = item.get("qty")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise InvalidInput(
                f"{where}: qty must be a whole number above zero, got {qty!r}", reason="invalid_qty"
            )
        require_int(qty, f"{where}: qty", minimum=1)
        price = require_int(item.get("price", 0), f"{where}: price", minimum=0, maximum=MAX_MONEY)
        lines.append(NewLine(line_id, require_id(item.get("sku"), f"{where}: sku"), qty, price))
    customer = require_dict(body.get("customer", {}), f"order {order_id}: customer")
    return NewOrder(
        order_id=order_id,
        number=str(body.get("number") or order_id)[:64],
        channel=str(body.get("channel") or "web")[:32],
        paid=require_bool(body.get("paid", False), f"order {order_id}: paid"),
        customer=Customer(
            name=optional_str(customer, "name", "customer"),
            email=optional_str(customer, "email", "customer"),
            phone=optional_str(customer, "phone", "customer"),
        ),
        lines=tuple(lines),
    )


def parse_ship_lines(order: Order, lines: Any) -> dict[str, int]:
    """`None` ships every open quantity; otherwise {line_id: qty} with 0 < qty ≤ open."""
    if lines is None:
        return {line.line_id: line.open_qty for line in order.lines if line.open_qty > 0}
    wanted = {}
    for line_id, qty in require_dict(lines, "lines").items():
        line = order.line(line_id)
        require_int(qty, f"line {line_id}: qty", minimum=1)
        if qty > line.open_qty:
            raise InvalidInput(
                f"line {line_id}: cannot ship {qty}, only {line.open_qty} left to ship",
                reason="invalid_qty",
            )
        wanted[line_id] = qty
    if not wanted:
        raise InvalidInput("nothing to ship", reason="invalid_qty")
    return wanted
