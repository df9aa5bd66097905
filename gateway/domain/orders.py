"""Orders and their state machine (DOMAIN.md 1.4). Quantities only; the stock effects live in
the reservation service, which is the one code path that changes `reserved`."""

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .payloads_errors import Problem, validated
from .payloads_orders import OrderCancelledInData, OrderCreatedData, OrderUpdatedData
from .validation import require_dict, require_int

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


# NewLine and NewOrder are values, not changed after they are made; not frozen only because a
# frozen dataclass is made four times slower, and every order makes both (issue 12).
@dataclass(slots=True)
class NewLine:
    line_id: str
    sku: str
    qty: int
    price: int


@dataclass(slots=True)
class NewOrder:
    order_id: str
    number: str
    channel: str
    paid: bool
    customer: Customer
    lines: tuple[NewLine, ...] = field(default_factory=tuple)


def parse_order_created(data: Any) -> NewOrder:
    """Validate an `order.created` body. Raises InvalidInput naming the first problem."""
    return _new_order(_validated(OrderCreatedData, data))


def parse_order_updated(data: Any) -> tuple[NewOrder, int]:
    """An `order.updated` body: the whole order as `order.created` states it, and its
    `version`."""
    body = _validated(OrderUpdatedData, data)
    return _new_order(body), body.version


def parse_order_cancelled(data: Any) -> tuple[str, str]:
    """The cloud's `order.cancelled`: (order_id, reason)."""
    body = _validated(OrderCancelledInData, data)
    return body.order_id, body.reason


def _validated(model: Any, data: Any) -> Any:
    return validated(model, data, lambda problem: _order_problem(problem, data))


def _order_problem(problem: Problem, data: Any) -> InvalidInput:
    """Today's words: "order W-1, line 2: qty must be a whole number above zero, got 0"."""
    loc, words = problem.loc, problem.words
    if not loc:
        return InvalidInput(f"data {words}")
    field = loc[0]
    order_id = data.get("order_id")
    order = f"order {order_id.strip()}" if isinstance(order_id, str) else "order"
    if field == "lines" and len(loc) == 1 and problem.kind == "too_short":
        return InvalidInput(f"{order} has no lines", reason="empty_order")
    if field in ("order_id", "reason", "version"):
        return InvalidInput(f"{field} {words}")
    if field == "customer" and len(loc) > 1:
        return InvalidInput(f"customer.{loc[1]} {words}")
    if field != "lines" or len(loc) == 1:
        return InvalidInput(f"{order}: {field} {words}")
    where = f"{order}, line {loc[1] + 1}"
    if len(loc) == 2:
        return InvalidInput(f"{where} {words}")
    if loc[2] == "qty" and problem.kind != "less_than_equal":
        qty = data["lines"][loc[1]].get("qty")
        return InvalidInput(
            f"{where}: qty must be a whole number above zero, got {qty!r}", reason="invalid_qty"
        )
    return InvalidInput(f"{where}: {loc[2]} {words}")


def _new_order(body: OrderCreatedData) -> NewOrder:
    lines, seen = [], set()
    for index, line in enumerate(body.lines, start=1):
        line_id = line.line_id or str(index)
        if line_id in seen:
            raise InvalidInput(f"order {body.order_id}: line_id {line_id} appears twice")
        seen.add(line_id)
        lines.append(NewLine(line_id, line.sku, line.qty, line.price))
    customer = body.customer
    return NewOrder(
        order_id=body.order_id,
        number=(body.number or body.order_id)[:64],
        channel=(body.channel or "web")[:32],
        paid=body.paid,
        customer=Customer(
            name=_words(customer.name), email=_words(customer.email), phone=_words(customer.phone)
        ),
        lines=tuple(lines),
    )


def _words(value: str | None) -> str | None:
    """A customer's field without the white space around it; blank is none."""
    return value.strip() or None if value is not None else None


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
