"""Orders and payments from the cloud as models: `order.created`, `order.updated` (an
extension), `order.cancelled`, and since contract 1.1 `order.paid` and `order.refunded`. The
rules a schema cannot state (a line id once per order, a known sku, a payment the order can
take) are checked in gateway/domain/orders.py and the services."""

from typing import Literal

from pydantic import Field

from .payloads_types import (
    MAX_MONEY,
    MAX_TEXT,
    Bool,
    CloudData,
    Id,
    Money,
    Quantity,
    Sku,
    Str,
    Timestamp,
    integer,
    text,
)

OnlineMethod = Literal["card_online", "sbp", "other_electronic"]


class OrderLineIn(CloudData):
    """`line_id` is the line's stable id (edits match lines by it) and defaults to the line's
    position (1, 2, ...); `price` is kopecks per piece and defaults to 0."""

    line_id: Id = None
    sku: Sku
    qty: Quantity
    price: Money = 0


class Customer(CloudData):
    name: Str | None = Field(None, max_length=MAX_TEXT)
    email: Str | None = Field(None, max_length=MAX_TEXT)
    phone: Str | None = Field(None, max_length=MAX_TEXT)


class OrderCreatedData(CloudData):
    order_id: Id
    lines: list[OrderLineIn] = Field(
        min_length=1, description="At least one line; `line_id` unique in the order."
    )
    number: Str | None = Field(
        None, description="The number staff and the customer see (defaults to `order_id`)."
    )
    channel: Str | None = Field(None, description="The sales channel (defaults to `web`).")
    paid: Bool = False
    customer: Customer = Field(default_factory=Customer, json_schema_extra={"default": {}})


class OrderUpdatedData(OrderCreatedData):
    """An `order.created` body stating the whole order, plus `version`: the cloud's edit
    version; an edit not above the last one applied changes nothing."""

    version: integer(1, 2**53)


class OrderCancelledInData(CloudData):
    order_id: Id
    reason: text(200) = Field("cloud", description="Why (e.g. `customer`).")


class OrderPaidData(CloudData):
    """Since 1.1."""

    order_id: Id
    payment_id: Id = Field(
        description="The cloud's payment id, the idempotency key of the payment."
    )
    amount: integer(1, MAX_MONEY) = Field(description="Kopecks paid, above zero.")
    method: OnlineMethod = Field(description="How the buyer paid on the site.")
    paid_at: Timestamp = Field(
        description="When the payment was made, by the cloud's clock (informational)."
    )


class OrderRefundedData(CloudData):
    """Since 1.1."""

    order_id: Id
    payment_id: Id = Field(description="The `order.paid` payment the money came from.")
    amount: integer(1, MAX_MONEY) = Field(description="Kopecks given back, above zero.")
    refunded_at: Timestamp = Field(
        description="When the money went back, by the cloud's clock; with the payment and the"
        " amount it names the refund."
    )
