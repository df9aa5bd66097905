"""What the gateway tells the cloud about orders, as models: `order.reserved`,
`order.rejected`, `order.confirmed`, `order.shipped`, `order.cancelled`, `order.released`.
The services build these bodies; tests/integration/test_asyncapi_messages.py checks every one
they publish against the schemas generated from here."""

from typing import Literal

from pydantic import Field

from .payloads_types import (
    Bool,
    Count,
    GatewayData,
    Id,
    Quantity,
    Sku,
    StaffId,
    Str,
    integer,
    named,
)

OrderStatus = named(
    "OrderStatus",
    Literal["reserved", "short", "confirmed", "partially_shipped", "shipped", "cancelled"],
    "The order's state (DOMAIN.md 1.4).",
)
StaffReason = Literal["no_show", "not_paid", "no_goods", "other"]
Name = Str  # a staff member's name as the message carries it
_NAME = {"min_length": 1}


class ReservedLine(GatewayData):
    line_id: Id
    sku: Sku
    qty: Quantity
    reserved: Count
    shipped: Count
    cancelled: Count


class OrderReservedData(GatewayData):
    """`status`: `reserved` when every open piece is held, `short` when some wait for stock.
    `order_status` (an extension) is the order's own state. Per line, `qty` is the pieces
    ordered and `reserved` the pieces held for it now; `shipped` and `cancelled` (extensions)
    are the pieces already handed over and cancelled, so a line waits for `qty - shipped -
    cancelled - reserved` pieces (a line removed by an edit is all cancelled, not waiting)."""

    order_id: Id
    status: Literal["reserved", "short"]
    order_status: OrderStatus
    lines: list[ReservedLine] = Field(min_length=1)


class OrderRejectedData(GatewayData):
    order_id: Str = Field(min_length=1)
    reason: Str = Field(
        min_length=1,
        description="Machine-readable; the values the gateway uses are listed in `examples`.",
        examples=["unknown_sku", "archived_sku", "invalid_qty", "empty_order", "invalid"],
    )
    detail: Str = Field(description="Human readable.")


class OrderConfirmedData(GatewayData):
    order_id: Id
    by: Name = Field(description="The staff member who checked the goods.", **_NAME)
    staff_id: StaffId


class ShippedLine(GatewayData):
    line_id: Id
    sku: Sku
    qty: Quantity


class OrderShippedData(GatewayData):
    """`shipment_id` (an extension) is this shipment's id, unique in the shop
    (`<order_id>/S<n>`). `receipt_id` (an extension) is the sell receipt queued with the
    shipment, or null when it was shipped without one."""

    order_id: Id
    shipment_id: Str = Field(min_length=1)
    lines: list[ShippedLine] = Field(min_length=1)
    receipt: dict | None = Field(
        description="The fiscal data (as in `receipt.fiscalized`) if a receipt was printed for"
        " the shipment, otherwise null. The gateway prints the receipt after the shipment is"
        " committed, so it always sends null here: the fiscal data follows in the"
        " `receipt.fiscalized` whose `receipt_id` (and `shipment_id`) match this message's."
    )
    receipt_id: integer(1) | None = Field(
        description="Extension: the receipt job queued with this shipment"
        " (`receipt.fiscalized` `receipt_id`), or null."
    )


class ReleasedStock(GatewayData):
    sku: Sku
    qty: Quantity


class OrderCancelledOutData(GatewayData):
    """`released`: what went back to free stock, per sku. `by`: `cloud` for the cloud's
    `order.cancelled`, otherwise the staff member. Extensions: `staff_id` (the staff member's
    account, null for the cloud), `reason` (the cloud's own reason for the cloud's cancel; since
    1.1 a staff member's is one of `no_show` (the buyer did not come), `not_paid`, `no_goods`,
    `other` — then `text` says why in the staff member's words); and only when something had
    already shipped, `status` (the order's final state, `shipped`) and `needs_attention` (true:
    staff must arrange a return or a refund)."""

    order_id: Id
    released: list[ReleasedStock]
    by: Name = Field(**_NAME)
    staff_id: StaffId
    reason: Str = Field(None, examples=["no_show", "not_paid", "no_goods", "other", "customer"])
    text: Str = Field(
        None,
        min_length=1,
        max_length=200,
        description="Since 1.1, with reason `other`: why, in the staff member's words.",
    )
    status: OrderStatus = None
    needs_attention: Bool = None


class ReleasedLine(GatewayData):
    line_id: Id
    sku: Sku
    qty: Count


class OrderReleasedData(GatewayData):
    """Since 1.1. `lines`: the released line, `qty` the units that went back to stock (0 when
    the line held no reserve: its shortfall is cancelled all the same). `reason`: one of
    `no_show`, `not_paid`, `no_goods`, `other` (then `text` says why). `by` and `staff_id`: who
    released it. Extension: `order_status`, the order's status afterwards."""

    order_id: Id
    lines: list[ReleasedLine] = Field(min_length=1)
    reason: StaffReason
    text: Str = Field(None, min_length=1, max_length=200)
    by: Name = Field(**_NAME)
    staff_id: StaffId
    order_status: OrderStatus = None
