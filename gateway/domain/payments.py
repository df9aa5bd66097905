"""Payments made on the web shop's site (contract 1.1 `order.paid`, `order.refunded`) and the
items of the receipts that fiscalise them (FISCAL.md "Web shop receipts").

A payment that settles the whole order is receipted item by item as «предоплата 100 %»
(1214 = 1); a part payment is an «аванс» (1214 = 3, subject «платёж»): the goods it will pay
for are not known item by item, so it is one item per VAT rate of the order, the amount split
in proportion to what the order holds at each rate, its VAT the calculated rate (22/122 ...).
Pure: money in kopecks, no storage."""

from dataclasses import dataclass, replace
from typing import Any, get_args

from .errors import InvalidInput
from .fiscal import (
    METHOD_ADVANCE,
    METHOD_FULL_PREPAYMENT,
    SUBJECT_PAYMENT,
    ReceiptItem,
)
from .payloads_errors import validated
from .payloads_orders import OnlineMethod, OrderPaidData, OrderRefundedData

ONLINE_METHODS = get_args(OnlineMethod)
NOT_APPLICABLE = "payment_not_applicable"  # the cloud must give this money back
# A prepayment's VAT is the calculated rate (НК РФ 164.4): the tax inside the amount paid.
CALCULATED_VAT = {"vat22": "vat122", "vat10": "vat110", "vat7": "vat107", "vat5": "vat105"}
ADVANCE_SKU = ""  # an advance item pays for no particular sku


@dataclass(frozen=True)
class OnlinePayment:
    order_id: str
    payment_id: str
    amount: int  # kopecks
    method: str  # ONLINE_METHODS
    paid_at: str  # the cloud's time of the payment (informational)


@dataclass(frozen=True)
class OnlineRefund:
    order_id: str
    payment_id: str
    amount: int  # kopecks
    refunded_at: str


def parse_order_paid(data: Any) -> OnlinePayment:
    body = validated(OrderPaidData, data)
    return OnlinePayment(body.order_id, body.payment_id, body.amount, body.method, body.paid_at)


def parse_order_refunded(data: Any) -> OnlineRefund:
    body = validated(OrderRefundedData, data)
    return OnlineRefund(body.order_id, body.payment_id, body.amount, body.refunded_at)


def not_applicable(detail: str) -> InvalidInput:
    return InvalidInput(detail, reason=NOT_APPLICABLE)


def calculated_vat(vat: str) -> str:
    """vat22 → vat122, vat10 → vat110, vat7 → vat107, vat5 → vat105; others (vat0, none, the
    calculated rates themselves) unchanged."""
    return CALCULATED_VAT.get(vat, vat)


def split_amount(amount: int, weights: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`amount` kopecks split over the keys in proportion to their weights, by the largest
    remainder: the parts are whole kopecks and add up to `amount` exactly. A kopeck left over
    goes to the biggest fractional part (the earlier key on a tie). Parts of 0 are dropped."""
    total = sum(weight for _, weight in weights)
    if amount < 0 or total <= 0 or any(weight < 0 for _, weight in weights):
        raise ValueError("split_amount needs amount >= 0 and positive weights")
    shares = [divmod(amount * weight, total) for _, weight in weights]
    left = amount - sum(whole for whole, _ in shares)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    extra = set(by_remainder[:left])
    parts = []
    for i, (key, _) in enumerate(weights):
        part = shares[i][0] + (1 if i in extra else 0)
        if part > 0:
            parts.append((key, part))
    return parts


def vat_weights(items: list[ReceiptItem] | tuple[ReceiptItem, ...]) -> list[tuple[str, int]]:
    """What the items hold at each VAT rate, rates in the order first met."""
    weights: dict[str, int] = {}
    for item in items:
        weights[item.vat] = weights.get(item.vat, 0) + item.amount
    return [(vat, weight) for vat, weight in weights.items() if weight > 0]


def advance_items(
    amount: int, weights: list[tuple[str, int]], name: str
) -> tuple[ReceiptItem, ...]:
    """An «аванс» of `amount`: one item per VAT rate of `weights` (see vat_weights), each at
    its calculated rate, the amount split in proportion (split_amount)."""
    return tuple(
        ReceiptItem(
            ADVANCE_SKU,
            name,
            part,
            1,
            calculated_vat(vat),
            subject=SUBJECT_PAYMENT,
            method=METHOD_ADVANCE,
        )
        for vat, part in split_amount(amount, weights)
    )


def full_prepayment_items(goods: list[ReceiptItem]) -> tuple[ReceiptItem, ...]:
    """The goods as they will be handed over, each «предоплата 100 %» (1214 = 1): the goods'
    own VAT and subject; a marked product needs no code yet (it is scanned at the handover)."""
    return tuple(replace(item, method=METHOD_FULL_PREPAYMENT, marking_code=None) for item in goods)


def advance_name(number: str) -> str:
    return f"Предоплата по заказу №{number}"[:128]
