"""Sell receipts built from what the catalog and the order say (names, VAT, prices, contact)."""

from typing import Any

from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import (
    SELL,
    Goods,
    ReceiptDraft,
    ReceiptItem,
    buyer_contact,
    check_codes_unique,
    parse_contact,
    parse_payments,
    receipt_items,
)
from gateway.domain.orders import Order
from gateway.domain.staff import Staff
from gateway.domain.validation import require_dict, require_list


def goods(uow, sku: str) -> Goods:
    variant = uow.catalog.variant(sku)
    if variant is None:
        raise InvalidInput(f"unknown sku {sku}", reason="unknown_sku")
    return Goods(variant.sku, variant.name, variant.price, variant.vat, variant.marked)


def shipment_receipt(
    uow, order: Order, shipped: list[tuple[str, str, int]], request: Any, by: Staff
) -> ReceiptDraft:
    """The sell receipt for what one shipment hands over: the order's prices, the catalog's
    names and VAT, the buyer's contact from the order. `request`: {payment, marking_codes}."""
    body = require_dict(request, "receipt")
    codes = require_dict(body.get("marking_codes") or {}, "receipt.marking_codes")
    unknown = set(codes) - {line_id for line_id, _, _ in shipped}
    if unknown:
        raise InvalidInput(f"marking codes for lines not shipped: {', '.join(sorted(unknown))}")
    items: list[ReceiptItem] = []
    for line_id, sku, qty in shipped:
        line_codes = require_list(codes.get(line_id, []), f"marking codes of line {line_id}")
        item_goods = goods(uow, sku)
        # An order line without a price (the contract makes it optional) sells at the catalog's.
        price = order.line(line_id).price or item_goods.price
        items += receipt_items(item_goods, qty, price, line_codes)
    check_codes_unique(items)
    total = sum(item.amount for item in items)
    if total <= 0:
        raise InvalidInput(f"order {order.number}: a receipt needs a total above zero")
    payments = parse_payments(body.get("payment"), total, prepaid=order.paid)
    # The order's own contact is used if usable; a broken one only loses the e-mailed copy.
    contact = parse_contact(body.get("contact")) or buyer_contact(
        order.customer.email, order.customer.phone
    )
    return ReceiptDraft(SELL, tuple(items), payments, contact, by.name, by.inn)
