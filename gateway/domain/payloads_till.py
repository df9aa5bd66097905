"""What the gateway tells the cloud about its till, as models: `receipt.fiscalized`,
`shift.opened`, `shift.closed`, and since contract 1.1 `fiscal.alarm`."""

from typing import Literal

from pydantic import Field

from .payloads_types import Count, GatewayData, Id, Money, StaffId, Str, integer

MAX_FP = 2**32 - 1
_LOCAL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"


class Cashier(GatewayData):
    """Since 1.1. Who worked the register: `staff_id` (the gateway's staff account, null for a
    receipt queued before accounts existed) and `name` (as printed on the receipt, tag 1021;
    null when the receipt names none and the register prints its default). The whole object is
    null when nobody is known (the register's own keyboard)."""

    staff_id: StaffId
    name: Str | None = Field(min_length=1)


class FiscalData(GatewayData):
    """The fiscal attributes of a receipt, as the register's fiscal drive signed it: ФН number
    (`fn`), ФД number (`fd`), ФП fiscal sign (`fp`), shift, number in the shift, time. A
    receipt whose answer was lost and that the gateway found in the fiscal drive afterwards has
    no `number`; `ts` is null when the register's answer carries no date and time."""

    fn: Str = Field(min_length=1, description="The fiscal drive's serial number (16 digits).")
    fd: integer(1) = Field(description="The fiscal document number in the drive.")
    fp: integer(0, MAX_FP) = Field(description="The fiscal sign (ФП), a 32-bit unsigned number.")
    shift: integer(1) | None = Field(
        description="The shift the receipt was printed in (null only if it could not be learnt)."
    )
    number: integer(1) | None = Field(description="The receipt's number in the shift.")
    ts: Str | None = Field(
        pattern=_LOCAL_TIME,
        description="The register's own clock, local time without a zone, not RFC 3339: to the"
        " minute as the fiscal drive records it (`YYYY-MM-DDThh:mm`, seconds may follow); null"
        " when the register did not report it.",
    )


class ReceiptPayments(GatewayData):
    """How it was paid (the shape is the gateway's: contract version 1 names the field only).
    `cash`: kopecks handed over in cash, the change included (for a refund: paid back in cash);
    `card`: kopecks paid electronically (a web order the cloud sent as paid without an
    `order.paid` is settled electronically whole); since 1.1 `prepaid`: kopecks offset against
    the buyer's prepayment on the site (tag 1215, a handover of goods paid by `order.paid`; no
    money moves). cash + card + prepaid − change = total."""

    cash: Money
    card: Money
    prepaid: Money


class Correction(GatewayData):
    """Since 1.1, with `correction` only: of what (`operation` `sell` = коррекция прихода,
    `sell_refund` = коррекция возврата прихода, the bucket it counts in), its basis (`by_order`:
    tag 1173; `number`: the tax authority's order, tag 1179), `date` (tag 1178: the day of the
    settlement corrected), the manager's `reason`, and `corrects` (the `receipt_id` it reverses
    or replaces, or null)."""

    operation: Literal["sell", "sell_refund"]
    by_order: bool
    date: Str = Field(json_schema_extra={"format": "date"})
    number: Str | None
    reason: Str = Field(min_length=1)
    corrects: integer(1) | None


class ReceiptFiscalizedData(GatewayData):
    """The fields the contract names (`kind`, `order_id`, `total`, `payments`, `fiscal`) and the
    extensions `receipt_id` (the gateway's receipt job, unique in the shop, also named by
    `order.shipped` and `stock.adjusted`), `shipment_id` (the shipment the receipt was printed
    for, null for a counter sale and a refund), `refund_of` (for a `sell_refund`: the
    `receipt_id` of the sale it refunds, otherwise null), `change`, `cashier` (since 1.1 an
    object: the account of who sold or refunded, which queued the receipt, and the name the
    receipt prints, tag 1021) and `cash_in_drawer` (since 1.1: the cash the receipt's shift
    holds by the books once this receipt is counted, as the shift's totals compute it; null
    when the shift is unknown) and `discount` (since 1.1: the kopecks taken off the list prices
    at the counter; `total` is after it). Since 1.1 `payment_id` (present only on a receipt of a
    payment on the site and of its refund: the cloud's `order.paid` payment it fiscalises)."""

    receipt_id: integer(1)
    kind: Literal["sell", "sell_refund", "prepayment", "prepayment_refund", "correction"] = Field(
        description="Why the receipt was made: `sell` (приход: a handover or a counter sale),"
        " `sell_refund` (возврат прихода: goods brought back); since 1.1 `prepayment` (a payment"
        " on the site, `order.paid`: приход, electronic only, 1214 = 1 or 3), `prepayment_refund`"
        " (its money given back, `order.refunded`: возврат прихода, `refund_of` the prepayment)"
        " and `correction` (чек коррекции)."
    )
    order_id: Str | None = Field(
        description="The order shipped with the receipt (for a refund: the order of the"
        " refunded sale); null for a sale at the counter."
    )
    shipment_id: Str | None = Field(min_length=1)
    refund_of: integer(1) | None
    total: Money
    payments: ReceiptPayments
    payment_id: Id = Field(
        None, description="Since 1.1, with `prepayment` and `prepayment_refund` only."
    )
    correction: Correction = None
    change: Money
    discount: Money
    fiscal: FiscalData
    cashier: Cashier | None
    cash_in_drawer: integer() | None = Field(
        description="Integer kopecks (can be negative, as the shift's `cash_in_drawer`)."
    )


class ShiftFiscalData(GatewayData):
    """The shift report's fiscal document (ФД number `fd`, fiscal sign `fp`); both null when the
    shift was opened or closed at the register's own keyboard (the gateway saw the change, not
    the document)."""

    fd: integer(1) | None
    fp: integer(0, MAX_FP) | None


class ShiftOpenedData(GatewayData):
    """`cashier` (since 1.1 an object) is the staff member who opened the shift (through the
    gateway, or with the day's first receipt), null when it was opened at the register's
    keyboard. Extension: `fiscal` (the opening report's fiscal document)."""

    shift: integer(1) = Field(description="The shift number.")
    cashier: Cashier | None
    fiscal: ShiftFiscalData


class ReceiptTotals(GatewayData):
    count: Count
    total: Money
    cash: Money
    card: Money
    prepaid: Money


class ShiftTotals(GatewayData):
    """`sales` (sell receipts) and `refunds` (sell_refund receipts) fiscalised in the shift: how
    many, their total, and how it was paid (`cash` net of the change given). Since 1.1 they
    count as the register counts them: a payment on the site is a sale, its refund a refund,
    and `prepaid` is what handovers offset against such payments. `cash_in` and `cash_out`:
    cash put into and taken from the drawer through the register. `cash_in_drawer` = cash_in −
    cash_out + sales.cash − refunds.cash (it can be negative when cash refunds of earlier
    shifts' sales outweigh the shift's cash)."""

    sales: ReceiptTotals
    refunds: ReceiptTotals
    cash_in: Money
    cash_out: Money
    cash_in_drawer: integer() = Field(description="Integer kopecks.")


class ShiftClosedData(GatewayData):
    """`cashier` (since 1.1 an object) is the staff member who closed the shift, null when it
    was closed at the register's keyboard (or found closed). `totals`: the shift's totals as the
    gateway recorded them (their shape is the gateway's: contract version 1 names them only).
    Since 1.1: `cash_expected` (what the drawer should hold by the books, the totals'
    `cash_in_drawer`), `cash_counted` (what the person closing counted in it, null when nobody
    counted: a close at the register's keyboard) and `cash_difference` (counted − expected:
    negative is a shortage, positive a surplus; null with a null count). Extension: `fiscal`
    (the closing report's (Z report's) fiscal document)."""

    shift: integer(1)
    cashier: Cashier | None
    totals: ShiftTotals
    cash_expected: integer() = Field(
        description="Integer kopecks (can be negative, as `cash_in_drawer`)."
    )
    cash_counted: integer(0) | None = Field(
        description="Integer kopecks; null when nobody counted."
    )
    cash_difference: integer() | None = Field(
        description="Integer kopecks, counted − expected; null when nobody counted."
    )
    fiscal: ShiftFiscalData


class FiscalAlarmData(GatewayData):
    """`kind`: `ofd_queue` (documents wait for the OFD: `days` the oldest has waited),
    `fn_expiry` (the fiscal drive ends: `days` left, negative once it has expired) or
    `fn_memory` (its archive is nearly full: `days` null). `detail`: what it means and what to
    do, in Russian, for a person."""

    kind: Literal["ofd_queue", "fn_expiry", "fn_memory"]
    days: integer() | None
    detail: Str = Field(min_length=1)
