"""Payments on the site, the pure part (gateway/domain/payments.py): the messages' bodies, the
split of a part payment over the order's VAT rates, and the items of a prepayment receipt."""

import pytest

from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import (
    METHOD_ADVANCE,
    METHOD_FULL_PAYMENT,
    METHOD_FULL_PREPAYMENT,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    SUBJECT_PAYMENT,
    ReceiptItem,
)
from gateway.domain.payments import (
    NOT_APPLICABLE,
    advance_items,
    advance_name,
    calculated_vat,
    full_prepayment_items,
    not_applicable,
    parse_order_paid,
    parse_order_refunded,
    split_amount,
    vat_weights,
)

PAID = {
    "order_id": "W-1",
    "payment_id": "pay-1",
    "amount": 129900,
    "method": "card_online",
    "paid_at": "2026-11-27T10:15:00Z",
}


def item(sku, price, qty=1, vat="vat22", **fields):
    return ReceiptItem(sku, f"Товар {sku}", price, qty, vat, **fields)


# --- the split -------------------------------------------------------------------------------


def test_a_split_adds_up_to_the_amount_and_follows_the_weights():
    assert split_amount(10000, [("vat22", 3), ("vat10", 1)]) == [("vat22", 7500), ("vat10", 2500)]
    assert split_amount(100, [("a", 1), ("b", 1), ("c", 1)]) == [("a", 34), ("b", 33), ("c", 33)]


def test_the_kopecks_left_over_go_to_the_largest_remainders():
    # 1000 × (1, 2, 4) / 7 = 142.86, 285.71, 571.43: floors 142 + 285 + 571 = 998, two left,
    # to .86 and .71 (the largest remainders), not to .43.
    assert split_amount(1000, [("a", 1), ("b", 2), ("c", 4)]) == [
        ("a", 143),
        ("b", 286),
        ("c", 571),
    ]


def test_a_tie_gives_the_kopeck_to_the_earlier_rate():
    assert split_amount(1, [("vat22", 5), ("vat10", 5)]) == [("vat22", 1)]
    assert split_amount(3, [("x", 1), ("y", 1)]) == [("x", 2), ("y", 1)]


@pytest.mark.parametrize("amount", [1, 7, 99, 100, 12345, 999999, 10**12])
def test_any_amount_splits_exactly(amount):
    weights = [("vat22", 129900), ("vat10", 4590), ("none", 33)]
    parts = split_amount(amount, weights)
    assert sum(part for _, part in parts) == amount
    assert all(part > 0 for _, part in parts)


def test_a_split_refuses_nonsense():
    with pytest.raises(ValueError):
        split_amount(100, [])
    with pytest.raises(ValueError):
        split_amount(100, [("a", 0)])
    with pytest.raises(ValueError):
        split_amount(-1, [("a", 1)])


# --- the items -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vat", "calculated"),
    [
        ("vat22", "vat122"),
        ("vat10", "vat110"),
        ("vat5", "vat105"),
        ("vat7", "vat107"),
        ("vat0", "vat0"),
        ("none", "none"),
        ("vat122", "vat122"),
    ],
)
def test_a_prepayment_takes_the_calculated_rate(vat, calculated):
    assert calculated_vat(vat) == calculated


def test_vat_weights_sum_the_items_per_rate_in_order_met():
    goods = [item("A", 10000, 2), item("B", 5000, 1, "vat10"), item("C", 300, 3)]
    assert vat_weights(goods) == [("vat22", 20900), ("vat10", 5000)]


def test_an_advance_is_one_payment_item_per_rate_at_the_calculated_rate():
    goods = [item("A", 10000, 3), item("B", 10000, 1, "vat10")]
    items = advance_items(20001, vat_weights(goods), advance_name("1001"))
    assert [(i.name, i.price, i.qty, i.vat, i.subject, i.method) for i in items] == [
        ("Предоплата по заказу №1001", 15001, 1, "vat122", SUBJECT_PAYMENT, METHOD_ADVANCE),
        ("Предоплата по заказу №1001", 5000, 1, "vat110", SUBJECT_PAYMENT, METHOD_ADVANCE),
    ]
    assert sum(i.amount for i in items) == 20001


def test_a_full_prepayment_is_the_goods_at_their_prices_without_codes():
    marked = item("M", 50000, 2, subject=SUBJECT_MARKED, marking_code="0104601234567893215x")
    items = full_prepayment_items([item("A", 10000, 2), marked])
    assert [(i.sku, i.price, i.qty, i.vat, i.subject, i.method, i.marking_code) for i in items] == [
        ("A", 10000, 2, "vat22", SUBJECT_GOODS, METHOD_FULL_PREPAYMENT, None),
        ("M", 50000, 2, "vat22", SUBJECT_MARKED, METHOD_FULL_PREPAYMENT, None),
    ]
    assert item("A", 1).method == METHOD_FULL_PAYMENT  # the goods themselves are untouched


# --- the messages ----------------------------------------------------------------------------


def test_order_paid_is_read_as_the_contract_says():
    payment = parse_order_paid(PAID)
    assert (payment.order_id, payment.payment_id, payment.amount) == ("W-1", "pay-1", 129900)
    assert (payment.method, payment.paid_at) == ("card_online", "2026-11-27T10:15:00Z")
    for method in ("sbp", "other_electronic"):
        assert parse_order_paid({**PAID, "method": method}).method == method


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("amount", 0, "amount must be at least 1"),
        ("amount", 12.5, "amount must be an integer"),
        ("amount", "100", "amount must be an integer"),
        ("method", "cash", "method must be one of"),
        ("payment_id", "", "payment_id must not be empty"),
        ("payment_id", "x" * 65, "payment_id is longer than 64"),
        ("order_id", None, "order_id must be a string"),
        ("paid_at", "yesterday", "paid_at must be an RFC 3339"),
    ],
)
def test_a_bad_order_paid_is_refused_as_invalid(field, value, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        parse_order_paid({**PAID, field: value})
    assert refused.value.reason == "invalid"


def test_order_refunded_is_read_and_checked():
    body = {"order_id": "W-1", "payment_id": "pay-1", "amount": 500, "refunded_at": "2026-11-28"}
    for when in ("2026-11-28", "2026-11-28T09:00Z", "2026-11-28 09:00:00Z"):
        with pytest.raises(InvalidInput, match="refunded_at must be an RFC 3339"):
            parse_order_refunded({**body, "refunded_at": when})
    refund = parse_order_refunded({**body, "refunded_at": "2026-11-28T09:00:00+03:00"})
    assert (refund.order_id, refund.payment_id, refund.amount) == ("W-1", "pay-1", 500)
    with pytest.raises(InvalidInput, match="amount must be at least 1"):
        parse_order_refunded({**body, "amount": -5, "refunded_at": "2026-11-28T09:00Z"})


def test_a_payment_the_shop_cannot_take_says_so_with_its_reason():
    refused = not_applicable("order W-9 is unknown to this shop")
    assert (refused.reason, refused.detail) == (NOT_APPLICABLE, "order W-9 is unknown to this shop")
    assert NOT_APPLICABLE == "payment_not_applicable"
