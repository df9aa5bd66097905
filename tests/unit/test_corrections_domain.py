"""Correction receipts as a manager asks for them (gateway/domain/corrections.py, issue 11): the
request's parsing, the date rules (1178), the basis (1173, 1179), the reason, the payments of a
reverse and of a recorded sale, the stock a correction moves, the audit's wording."""

from datetime import date

import pytest

from gateway.domain.corrections import (
    MAX_REASON,
    Line,
    audit_detail,
    exact_payments,
    opposite,
    parse_request,
    receipt_date,
    reverse_payments,
    settlement_date,
    stock_deltas,
)
from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import SELL, SELL_REFUND, Payments, ReceiptItem
from gateway.domain.staff import (
    CASHIER,
    FISCAL_CORRECTION,
    MANAGER,
    Forbidden,
    Staff,
    authorize,
    may,
)

TODAY = date(2026, 12, 2)
SALE = {
    "items": [{"sku": "MUG", "qty": 2}, {"sku": "TS-M", "qty": 1, "price": 99900}],
    "payment": "cash",
    "date": "2026-11-30",
    "reason": "Касса не работала, продажа записана в тетрадь",
}


def refused(data, reason=None) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_request(data)
    if reason is not None:
        assert caught.value.reason == reason, caught.value.detail
    return caught.value.detail


def test_an_unrecorded_sale_is_read_with_its_lines_basis_and_reason():
    request = parse_request({**SALE, "reason": "  Касса   не работала\n30.11  "})
    assert request.corrects is None
    assert request.lines == (Line("MUG", 2, None), Line("TS-M", 1, 99900))
    assert request.payment == "cash" and request.date == date(2026, 11, 30)
    assert (request.by_order, request.number) == (False, None)
    assert request.reason == "Касса не работала 30.11"  # one line in the audit
    assert request.take_from_stock is False  # the goods often left the books already


def test_a_wrong_receipt_may_come_with_or_without_the_right_one():
    reverse_only = parse_request({"corrects": 7, "reason": "Пробили не тот товар"})
    assert reverse_only.corrects == 7 and reverse_only.lines == ()
    assert reverse_only.payment is None and reverse_only.date is None
    replaced = parse_request({**SALE, "corrects": 7, "take_from_stock": True})
    assert replaced.corrects == 7 and len(replaced.lines) == 2 and replaced.take_from_stock


def test_by_order_needs_its_number_and_only_then():
    ordered = parse_request({**SALE, "basis": "order", "order_number": " 15-07/2026 "})
    assert (ordered.by_order, ordered.number) == (True, "15-07/2026")
    assert "номер предписания" in refused({**SALE, "basis": "order"}, "basis")
    assert "Номер предписания" in refused({**SALE, "order_number": "1"}, "basis")
    refused({**SALE, "basis": "tax"}, "basis")
    refused({**SALE, "basis": "order", "order_number": "x" * 33})


@pytest.mark.parametrize("reason", [None, "", "   ", 5, "x" * (MAX_REASON + 1), "a\x00b"])
def test_a_reason_is_required_printable_and_at_most_200_characters(reason):
    detail = refused({**SALE, "reason": reason}, "no_reason")
    assert "Напишите причину" in detail or "не больше 200 знаков" in detail


def test_a_reason_of_exactly_200_characters_is_kept():
    assert parse_request({**SALE, "reason": "я" * MAX_REASON}).reason == "я" * MAX_REASON


@pytest.mark.parametrize(
    "data, words",
    [
        ({**SALE, "items": []}, "Добавьте товары"),
        ({k: v for k, v in SALE.items() if k != "items"}, "Добавьте товары"),
        ({k: v for k, v in SALE.items() if k != "payment"}, "Укажите оплату"),
        ({**SALE, "items": [{"sku": "MUG", "qty": 0}]}, "qty must be at least 1"),
        ({**SALE, "items": [{"sku": "MUG", "qty": 1.5}]}, "qty must be an integer"),
        ({**SALE, "items": [{"sku": "MUG", "price": -1}]}, "price must be at least 0"),
        ({**SALE, "items": [{"sku": "MUG", "price": "450"}]}, "price must be an integer"),
        ({**SALE, "items": [{"qty": 1}]}, "sku must be a string"),
        ({**SALE, "date": "30.11.2026"}, "ГГГГ-ММ-ДД"),
        ({**SALE, "date": "2026-02-30"}, "ГГГГ-ММ-ДД"),
        ({**SALE, "corrects": 0}, "at least 1"),
        ({**SALE, "corrects": "7"}, "must be an integer"),
        ({**SALE, "take_from_stock": "yes"}, "true or false"),
        ({**SALE, "by": "Ольга"}, "unknown field(s) by"),
        ([], "must be an object"),
    ],
)
def test_bad_requests_say_what_is_wrong(data, words):
    assert words in refused(data)


def test_the_date_is_not_in_the_future_and_not_before_the_receipt_it_corrects():
    assert settlement_date(date(2026, 11, 30), today=TODAY, corrected=None) == "2026-11-30"
    assert settlement_date(TODAY, today=TODAY, corrected=None) == "2026-12-02"
    with pytest.raises(InvalidInput, match="ещё не наступила"):
        settlement_date(date(2026, 12, 3), today=TODAY, corrected=None)
    with pytest.raises(InvalidInput, match="Укажите дату продажи"):
        settlement_date(None, today=TODAY, corrected=None)
    wrong_on = date(2026, 11, 28)
    assert settlement_date(None, today=TODAY, corrected=wrong_on) == "2026-11-28"
    assert settlement_date(date(2026, 11, 29), today=TODAY, corrected=wrong_on) == "2026-11-29"
    with pytest.raises(InvalidInput, match=r"раньше исправляемого чека \(28.11.2026\)"):
        settlement_date(date(2026, 11, 27), today=TODAY, corrected=wrong_on)


def test_a_wrong_receipt_known_only_by_its_shift_needs_its_date_given():
    opened = date(2026, 11, 28)  # the receipt was printed that day or the next
    with pytest.raises(InvalidInput, match="Укажите дату ошибочного чека"):
        settlement_date(None, today=TODAY, corrected=opened, exact=False)
    assert settlement_date(date(2026, 11, 29), today=TODAY, corrected=opened, exact=False) == (
        "2026-11-29"
    )
    with pytest.raises(InvalidInput, match="раньше исправляемого чека"):
        settlement_date(date(2026, 11, 27), today=TODAY, corrected=opened, exact=False)


def test_a_receipts_date_comes_from_the_registers_clock():
    assert receipt_date("2026-11-28T14:05") == date(2026, 11, 28)
    assert receipt_date(None) is None and receipt_date("garbage") is None


def test_the_reverse_is_the_opposite_operation():
    assert (opposite(SELL), opposite(SELL_REFUND)) == (SELL_REFUND, SELL)


def test_a_recorded_sale_is_paid_exactly_its_total():
    assert exact_payments("cash", 90000) == Payments(cash=90000)
    assert exact_payments({"cash": 40000, "card": 50000}, 90000) == Payments(40000, 50000)
    with pytest.raises(InvalidInput, match="no change"):
        exact_payments({"cash": 100000}, 90000)
    with pytest.raises(InvalidInput, match="less than the total"):
        exact_payments({"cash": 1000}, 90000)
    with pytest.raises(InvalidInput, match="больше нуля"):
        exact_payments("cash", 0)


def test_a_reverse_pays_back_the_way_the_receipt_was_paid():
    # Paid 1000 cash (change 100) + 500 card for 1400: all of it back, no change.
    original = Payments(cash=1000, card=500)
    assert reverse_payments(original, 1400, card_left=500) == Payments(cash=900, card=500)
    # Part refunded to the card already: the card gets only what it has not had back.
    assert reverse_payments(original, 700, card_left=200) == Payments(cash=500, card=200)
    # A handover settled by a prepayment offsets it back.
    handover = Payments(prepaid=45000)
    assert reverse_payments(handover, 45000, card_left=0) == Payments(prepaid=45000)


def item(sku, qty, price=100):
    return ReceiptItem(sku, sku, price, qty, "vat22")


def test_the_stock_moves_by_the_difference_between_the_reversed_and_the_right_receipt():
    assert stock_deltas([], [item("MUG", 2)]) == {"MUG": -2}
    back, right = [item("MUG", 2), item("TS", 1)], [item("MUG", 2, 90), item("CAP", 1)]
    assert stock_deltas(back, right) == {"TS": 1, "CAP": -1}  # a wrong price moves nothing
    assert stock_deltas([item("MUG", 3)], [item("MUG", 1)]) == {"MUG": 2}


def test_the_audit_says_which_receipt_of_which_and_why():
    assert audit_detail(5, "тетрадь: 2 кружки") == "receipt 5: тетрадь: 2 кружки"
    assert (
        audit_detail(6, "не тот товар", reverses=3) == "receipt 6 reverses receipt 3: не тот товар"
    )
    assert (
        audit_detail(7, "не тот товар", replaces=3) == "receipt 7 replaces receipt 3: не тот товар"
    )


def test_a_correction_is_a_managers_and_a_cashier_needs_a_managers_pin():
    manager, cashier = Staff(1, "Ольга", MANAGER), Staff(2, "Анна", CASHIER)
    assert may(manager, FISCAL_CORRECTION) and not may(cashier, FISCAL_CORRECTION)
    with pytest.raises(Forbidden) as caught:
        authorize(cashier, FISCAL_CORRECTION)
    assert caught.value.reason == "needs_manager"
    assert "чек коррекции: нужен PIN управляющего" in caught.value.detail
    assert authorize(cashier.approved(manager), FISCAL_CORRECTION) is True
