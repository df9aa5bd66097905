"""Fiscal receipts in the domain (issue 4, FISCAL.md 3 and 4): items, marking codes, payments,
buyer contact, refunds, shift totals and the draft's JSON form. Pure functions, no database."""

import json

import pytest

from gateway.domain.errors import InvalidInput
from gateway.domain.fiscal import (
    MAX_ITEM_NAME,
    METHOD_FULL_PAYMENT,
    SALE_VAT,
    SELL,
    SELL_REFUND,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    Goods,
    Payments,
    ReceiptDraft,
    ReceiptItem,
    buyer_contact,
    check_codes_unique,
    check_marking_code,
    contract_totals,
    parse_contact,
    parse_payments,
    receipt_items,
    shift_totals,
)
from gateway.domain.refunds import refund_payments

GS = "\x1d"
CRYPTO = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd=="  # 44 chars, base64-like


def code(serial: str = "5abcDEF", gtin: str = "04601234567893") -> str:
    """A Честный ЗНАК code as a GS-keeping scanner sends it: 01 GTIN 21 serial GS 91 GS 92."""
    return f"01{gtin}21{serial}{GS}91EE11{GS}92{CRYPTO}"


def plain(sku="A", price=10000, vat="vat22", name=None) -> Goods:
    return Goods(sku, name or f"Товар {sku}", price, vat, marked=False)


def marked(sku="M", price=50000, vat="vat22") -> Goods:
    return Goods(sku, f"Кроссовки {sku}", price, vat, marked=True)


# --- receipt_items: one item per line, marked goods one per unit ------------------------------


def test_plain_line_is_one_item_with_its_quantity():
    [item] = receipt_items(plain(price=12345), 3, 9900, None)
    assert item == ReceiptItem("A", "Товар A", 9900, 3, "vat22", SUBJECT_GOODS, METHOD_FULL_PAYMENT)
    assert item.marking_code is None
    assert item.amount == 3 * 9900  # the price given (the order's), not the catalog's


def test_item_name_is_cut_to_the_tag_1030_limit():
    [item] = receipt_items(plain(name="Ж" * 300), 1, 100, [])
    assert item.name == "Ж" * MAX_ITEM_NAME


def test_codes_on_a_plain_product_are_refused():
    with pytest.raises(InvalidInput, match="not a marked product") as exc:
        receipt_items(plain(), 1, 100, [code()])
    assert exc.value.reason == "marking_code"


def test_marked_line_becomes_one_item_per_unit_each_with_its_code():
    codes = [code("1serial00001"), code("2serial00002"), code("3serial00003")]
    items = receipt_items(marked(), 3, 45000, codes)
    assert [(i.qty, i.price, i.subject, i.marking_code) for i in items] == [
        (1, 45000, SUBJECT_MARKED, c) for c in codes
    ]
    assert {i.sku for i in items} == {"M"}
    assert sum(i.amount for i in items) == 135000


@pytest.mark.parametrize(("qty", "given"), [(1, 0), (2, 1), (2, 3)])
def test_marked_line_needs_exactly_one_code_per_unit(qty, given):
    codes = [code(f"serial{n:07d}") for n in range(given)]
    with pytest.raises(InvalidInput, match=f"scan {qty} marking code\\(s\\), got {given}") as exc:
        receipt_items(marked(), qty, 50000, codes)
    assert exc.value.reason == "marking_code_missing"
    assert "отсканируйте код маркировки" in exc.value.detail


def test_marked_line_without_any_codes_is_refused_also_when_codes_is_none():
    with pytest.raises(InvalidInput) as exc:
        receipt_items(marked(), 1, 50000, None)
    assert exc.value.reason == "marking_code_missing"


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3"])
def test_symbology_prefix_is_stripped_from_the_stored_code(prefix):
    [item] = receipt_items(marked(), 1, 50000, [prefix + code()])
    assert item.marking_code == code()


def test_the_same_code_scanned_twice_is_refused_even_with_a_prefix_on_one():
    items = receipt_items(marked(), 2, 50000, [code(), "]d2" + code()])
    with pytest.raises(InvalidInput, match="scanned twice") as exc:
        check_codes_unique(items)
    assert exc.value.reason == "marking_code"


def test_check_marking_code_keeps_the_group_separators():
    checked = check_marking_code("]d2" + code(), "M")
    assert checked == code()
    assert checked.count(GS) == 2


def test_cyrillic_code_gets_a_keyboard_layout_message():
    """A keyboard-wedge scanner on a Russian layout turns Latin letters into Cyrillic."""
    wrong_layout = code().replace("abcDEF", "фисВУА")
    with pytest.raises(InvalidInput, match="keyboard layout") as exc:
        check_marking_code(wrong_layout, "M")
    assert "раскладку" in exc.value.detail
    assert exc.value.reason == "marking_code"


@pytest.mark.parametrize(
    "bad",
    [
        "4601234567893",  # an EAN-13 barcode, not a marking code
        "02" + code()[2:],  # wrong first AI
        "01460123456789321abc",  # GTIN of 13 digits
        "0104601234567893" + "10abc",  # no 21 after the GTIN
        code().replace("abcDEF", "ábcDEF"),  # not ASCII (and not Cyrillic either)
        code() + "x" * 256,  # longer than tag 2000 allows
        "",
        "   ",
        12345,
        None,
    ],
)
def test_codes_that_are_not_chestny_znak_are_refused(bad):
    with pytest.raises(InvalidInput):
        check_marking_code(bad, "M")


def test_a_bad_code_refuses_the_whole_line():
    with pytest.raises(InvalidInput, match="not a Честный ЗНАК code"):
        receipt_items(marked(), 2, 50000, [code(), "4601234567893"])


@pytest.mark.parametrize("vat", sorted(SALE_VAT))
def test_every_sale_vat_code_can_be_sold(vat):
    [item] = receipt_items(plain(vat=vat), 1, 100, [])
    assert item.vat == vat


@pytest.mark.parametrize("vat", ["vat20", "vat120"])
def test_pre_2026_vat_only_on_refunds(vat):
    with pytest.raises(InvalidInput, match="cannot be used") as exc:
        receipt_items(plain(vat=vat), 1, 100, [])
    assert exc.value.reason == "vat"
    [item] = receipt_items(plain(vat=vat), 1, 100, [], refund=True)
    assert item.vat == vat


@pytest.mark.parametrize("vat", ["vat18", "VAT22", "", "vat 22"])
def test_unknown_vat_is_refused_even_on_refunds(vat):
    with pytest.raises(InvalidInput) as exc:
        receipt_items(plain(vat=vat), 1, 100, [], refund=True)
    assert exc.value.reason == "vat"


# --- payments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "cash", "card", "change"),
    [
        ("cash", 10000, 0, 0),
        ("card", 0, 10000, 0),
        ({"cash": 10000}, 10000, 0, 0),
        ({"cash": 15000}, 15000, 0, 5000),  # change from cash
        ({"cash": 4000, "card": 6000}, 4000, 6000, 0),
        ({"card": 10000, "cash": 0}, 0, 10000, 0),
    ],
)
def test_payments_that_settle_the_total(given, cash, card, change):
    payments = parse_payments(given, 10000)
    assert (payments.cash, payments.card) == (cash, card)
    item = ReceiptItem("A", "A", 10000, 1, "vat22")
    assert ReceiptDraft(SELL, (item,), payments).change == change


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"card": 10001}, "more than the total"),
        ({"cash": 9999}, "less than the total"),
        ({"cash": 3000, "card": 6000}, "less than the total"),
        ({"cash": 5000, "card": 6000}, "change is given in cash only"),
        ({"cash": 100000, "card": 1}, "change is given in cash only"),
    ],
)
def test_payments_that_do_not_add_up_are_refused(given, match):
    with pytest.raises(InvalidInput, match=match) as exc:
        parse_payments(given, 10000)
    assert exc.value.reason == "payment"


@pytest.mark.parametrize(
    "given",
    [
        None,
        "credit",
        "CASH",
        ["cash"],
        {"cash": -1, "card": 10001},
        {"cash": 10000.0},
        {"cash": True},
        {"cash": "10000"},
        {"cash": 10000, "bonus": 1},
        {"cash": 10**13},
    ],
)
def test_malformed_payments_are_refused(given):
    with pytest.raises(InvalidInput):
        parse_payments(given, 10000)


@pytest.mark.parametrize("given", ["cash", {"cash": 50000}, None, {"bogus": 1}])
def test_prepaid_order_is_settled_by_card_whatever_the_screen_says(given):
    assert parse_payments(given, 10000, prepaid=True) == Payments(cash=0, card=10000)


# --- buyer contact (tag 1008) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "phone", "expected"),
    [
        ("anna@example.ru", "+79001234567", "anna@example.ru"),  # e-mail preferred
        ("  anna@example.ru ", None, "anna@example.ru"),
        ("not-an-email", "+7 (900) 123-45-67", "+79001234567"),
        (None, "+7 900 123-45-67", "+79001234567"),
        ("", "8 (900) 1234567", "89001234567"),
        ("anna@localhost", "79001234567", "79001234567"),  # no dot in the domain
        ("a b@example.ru", None, None),
        (None, "12345", None),  # too short for a phone
        (None, "+7 900 CALL-ME", None),
        (None, "+" + "1" * 16, None),  # too long
        (None, None, None),
    ],
)
def test_buyer_contact_prefers_email_and_normalises_the_phone(email, phone, expected):
    assert buyer_contact(email, phone) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("anna@example.ru", "anna@example.ru"),
        (" +7 (900) 123-45-67 ", "+79001234567"),
        ("8-900-123-45-67", "89001234567"),
        (None, None),
        ("", None),
    ],
)
def test_staff_contact_is_an_email_or_a_phone(given, expected):
    assert parse_contact(given) == expected


@pytest.mark.parametrize("given", ["anna", "anna@", "12-34", 79001234567, "a" * 60 + "@x.ru"])
def test_staff_contact_that_is_neither_is_refused(given):
    with pytest.raises(InvalidInput):
        parse_contact(given)


# --- refunds: card first ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card_left", "refund_total", "cash", "card"),
    [
        (0, 10000, 10000, 0),  # a cash sale goes back in cash (the change never does)
        (30000, 10000, 0, 10000),
        (10000, 5000, 0, 5000),  # card first
        (10000, 25000, 15000, 10000),
        (10000, 30000, 20000, 10000),
        (0, 10000, 10000, 0),  # the card already had its part back
        (-500, 1000, 1000, 0),  # never a negative card part
    ],
)
def test_refund_money_goes_back_to_the_card_first(card_left, refund_total, cash, card):
    payments = refund_payments(card_left, refund_total)
    assert (payments.cash, payments.card) == (cash, card)
    assert payments.total == refund_total


# --- shift totals ---------------------------------------------------------------------------


def test_empty_shift_has_zero_totals():
    zero = {"count": 0, "total": 0, "cash": 0, "card": 0, "online": 0, "prepaid": 0}
    assert shift_totals([], {}) == {
        "sales": zero,
        "refunds": zero,
        "cash_in": 0,
        "cash_out": 0,
        "cash_in_drawer": 0,
    }


def test_cash_in_drawer_counts_change_refunds_and_cash_moves():
    receipts = [
        (SELL, 30000, 50000, 0, 0, 20000, False),  # 500 ₽ handed over for 300 ₽: 200 ₽ change
        (SELL, 20000, 5000, 15000, 0, 0, False),  # mixed
        (SELL, 40000, 0, 40000, 0, 0, False),  # card
        (SELL, 20000, 0, 20000, 0, 0, True),  # a prepayment on the site: not the terminal's
        (SELL, 25000, 5000, 0, 20000, 0, False),  # its handover: 200 ₽ prepaid, 50 ₽ cash
        (SELL_REFUND, 10000, 10000, 0, 0, 0, False),  # cash back
        (SELL_REFUND, 15000, 0, 15000, 0, 0, False),  # card back
        (SELL_REFUND, 5000, 0, 5000, 0, 0, True),  # back on the site
    ]
    totals = shift_totals(receipts, {"in": 100000, "out": 30000})
    assert totals["sales"] == {
        "count": 5, "total": 135000, "cash": 40000, "card": 75000, "online": 20000,
        "prepaid": 20000,
    }  # fmt: skip
    assert totals["refunds"] == {
        "count": 3, "total": 30000, "cash": 10000, "card": 20000, "online": 5000, "prepaid": 0
    }  # fmt: skip
    for bucket in (totals["sales"], totals["refunds"]):  # as the register counts: the total
        assert sum(bucket[k] for k in ("cash", "card", "prepaid")) == bucket["total"]
    # shift.closed carries the register's figures only
    assert "online" not in contract_totals(totals)["sales"]
    assert contract_totals(totals)["cash_in_drawer"] == totals["cash_in_drawer"]
    assert (totals["cash_in"], totals["cash_out"]) == (100000, 30000)
    assert totals["cash_in_drawer"] == 100000 - 30000 + 40000 - 10000


def test_shift_totals_with_only_a_payout_key():
    assert shift_totals([], {"out": 500})["cash_in_drawer"] == -500


# --- the draft's JSON form (stored in receipt_job.draft_json) -----------------------------------


def test_draft_round_trips_through_json_text():
    items = (
        ReceiptItem("A", "Футболка «Базовая»", 129900, 2, "vat22"),
        *receipt_items(marked(), 2, 50000, [code("s1"), "]d2" + code("s2")]),
    )
    draft = ReceiptDraft(SELL, items, Payments(cash=200000, card=159800), "+79001234567", "Анна")
    text = json.dumps(draft.to_json(), ensure_ascii=False)
    again = ReceiptDraft.from_json(json.loads(text))
    assert again == draft
    assert again.total == 2 * 129900 + 2 * 50000
    assert [i.marking_code for i in again.items] == [None, code("s1"), code("s2")]
    assert again.items[2].subject == SUBJECT_MARKED


def test_draft_without_contact_or_cashier_round_trips():
    draft = ReceiptDraft(SELL_REFUND, (ReceiptItem("A", "A", 100, 1, "vat20"),), Payments(cash=100))
    assert ReceiptDraft.from_json(json.loads(json.dumps(draft.to_json()))) == draft
