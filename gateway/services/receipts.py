"""Sell receipts built from what the catalog and the order say (names, VAT, prices, contact).

A handover of an order paid on the site is «полный расчёт» paid first by offsetting the
prepayment (tag 1215) the buyer made there; only the rest is paid at the counter."""

from typing import Any

from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import (
    MAX_ITEM_NAME,
    SELL,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    Goods,
    Payments,
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
    payments = handover_payments(uow, order, total, body.get("payment"))
    # The order's own contact is used if usable; a broken one only loses the e-mailed copy.
    contact = parse_contact(body.get("contact")) or buyer_contact(
        order.customer.email, order.customer.phone
    )
    return ReceiptDraft(SELL, tuple(items), payments, contact, by.name, by.inn)


def handover_payments(uow, order: Order, total: int, request: Any) -> Payments:
    """The prepayment made on the site still unused is offset first (min of it and `total`);
    the rest is paid as the request says — by card, whatever it says, only for an order the
    cloud sent as paid without telling any payment (contract v1). Once the site's payments are
    known (order.paid), what they do not cover is taken here: an order the cloud enlarged after
    it was paid is not paid for the rest. Change is given only on a receipt without cashless
    sums (the driver's rule): with an offset the cash is taken exact."""
    money = uow.payments.money(order.order_id)
    share = max(0, min(total, money.unused_prepayment))
    paid_by_flag = order.paid and money.paid == 0
    if share == 0:
        return parse_payments(request, total, prepaid=paid_by_flag)
    rest = total - share
    if rest == 0:
        return Payments(prepaid=share)
    paid = parse_payments(request, rest, prepaid=paid_by_flag)
    return Payments(cash=rest - paid.card, card=paid.card, prepaid=share)


def order_goods(uow, order: Order, *, open_only: bool = False) -> list[ReceiptItem]:
    """The order's goods at its prices, one item per line: every quantity not cancelled, or
    (`open_only`) what is still to be handed over. A marked product has no codes here."""
    items = []
    for line in order.lines:
        qty = line.open_qty if open_only else line.qty_ordered - line.qty_cancelled
        if qty <= 0:
            continue
        item_goods = goods(uow, line.sku)
        subject = SUBJECT_MARKED if item_goods.marked else SUBJECT_GOODS
        price = line.price or item_goods.price
        name = item_goods.name[:MAX_ITEM_NAME]
        items.append(ReceiptItem(line.sku, name, price, qty, item_goods.vat, subject))
    return items
