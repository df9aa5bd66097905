"""Receiving and stocktake rules without a database: barcode lookup forms, choosing between
skus that share a barcode (DOMAIN.md 29), pack quantities, and the count arithmetic (32)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.domain.receiving import (
    BarcodeMatch,
    ReceivingDoc,
    clean_code,
    clean_gtin,
    gtin_forms,
    lookup_codes,
    pick_match,
    scan_units,
    unknown_code_key,
)
from gateway.domain.stocktake import CountLine, Stocktake, parse_scope, parse_uncounted
from gateway.domain.validation import MAX_QTY

GS = "\x1d"


def match(sku: str, pack: int = 1, archived: bool = False) -> BarcodeMatch:
    return BarcodeMatch("4601234567893", sku, pack, f"Товар {sku}", archived)


# --- lookup forms ------------------------------------------------------------------------------


def test_an_ean13_is_looked_up_as_itself_first_then_as_its_gtin14():
    assert lookup_codes("4601234567893") == ["4601234567893", "04601234567893"]


def test_upc_a_finds_the_ean13_with_a_leading_zero_and_back():
    """DOMAIN.md 29: UPC-A vs EAN-13 leading 0."""
    assert "0012345678905" in lookup_codes("012345678905")
    assert "012345678905" in lookup_codes("0012345678905")


def test_a_marking_code_is_looked_up_by_its_gtin_in_every_form():
    code = f"0104601234567893215Abc{GS}93dGVz"
    assert lookup_codes(code, "04601234567893") == [code, "04601234567893", "4601234567893"]


def test_free_text_codes_get_no_gtin_forms():
    assert lookup_codes("SHELF-12") == ["SHELF-12"]
    assert lookup_codes("12345") == ["12345"]


@given(st.from_regex(r"[0-9]{13}", fullmatch=True))
def test_every_ean13_finds_its_gtin14_and_keeps_the_exact_code_first(code):
    forms = lookup_codes(code)
    assert forms[0] == code
    assert "0" + code in forms
    assert len(forms) == len(set(forms))


@given(st.from_regex(r"0[0-9]{13}", fullmatch=True))
def test_a_gtin14_with_leading_zero_is_the_ean13_without_it(gtin):
    assert gtin[1:] in gtin_forms(gtin)
    assert all(form.lstrip("0") == gtin.lstrip("0") for form in gtin_forms(gtin))


def test_an_unknown_marking_code_is_kept_under_its_product_gtin_not_the_unit():
    """Ten units of an unknown marked product are one unresolved line the cloud can map."""
    code = f"0104601234567893215Abc{GS}93dGVz"
    assert unknown_code_key(code, "04601234567893") == "4601234567893"
    assert unknown_code_key(code, "14601234567890") == "14601234567890"
    assert unknown_code_key("2000000000015", None) == "2000000000015"


# --- input checks -------------------------------------------------------------------------------


def test_clean_code_keeps_inner_gs_and_drops_scanner_suffixes():
    assert (
        clean_code(f"0104601234567893215Abc{GS}93dGVz\r\n") == f"0104601234567893215Abc{GS}93dGVz"
    )


@pytest.mark.parametrize("bad", ["", "  \r\n", None, 4601234567893, "x" * 513])
def test_clean_code_refuses_what_is_not_a_code(bad):
    with pytest.raises(InvalidInput):
        clean_code(bad)


@pytest.mark.parametrize("bad", ["04601234567", "abc", "123456789012345", 4601234567893])
def test_clean_gtin_refuses_a_wrong_length_or_letters(bad):
    with pytest.raises(InvalidInput, match="gtin"):
        clean_gtin(bad)


def test_clean_gtin_pads_to_14_digits():
    assert clean_gtin("4601234567893") == "04601234567893"
    assert clean_gtin(None) is None


# --- several skus on one barcode ----------------------------------------------------------------


def test_one_sku_is_counted():
    assert pick_match([match("A")], None) == (match("A"), [])


def test_a_barcode_on_two_live_skus_is_never_guessed():
    chosen, candidates = pick_match([match("A"), match("B")], None)
    assert chosen is None
    assert [c.sku for c in candidates] == ["A", "B"]


def test_staff_choice_settles_the_ambiguity():
    assert pick_match([match("A"), match("B")], "B")[0].sku == "B"


def test_a_choice_that_is_not_a_candidate_is_refused():
    with pytest.raises(InvalidInput, match="not a barcode of C") as exc:
        pick_match([match("A"), match("B")], "C")
    assert exc.value.reason == "wrong_sku"


def test_a_live_variant_wins_over_an_archived_one_the_barcode_moved_from():
    chosen, _ = pick_match([match("OLD", archived=True), match("NEW")], None)
    assert chosen.sku == "NEW"


def test_an_archived_sku_alone_is_still_counted():
    """DOMAIN.md 26: archived stock stays visible for receiving and counting."""
    assert pick_match([match("OLD", archived=True)], None)[0].sku == "OLD"


# --- quantities ---------------------------------------------------------------------------------


def test_a_scan_adds_the_pack_quantity():
    assert scan_units(None, 1) == 1
    assert scan_units(None, 12) == 12
    assert scan_units(3, 12) == 36


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_a_typed_quantity_is_a_whole_number_above_zero(bad):
    with pytest.raises(InvalidInput):
        scan_units(bad, 1)


def test_a_huge_quantity_is_refused():
    with pytest.raises(InvalidInput, match="more than"):
        scan_units(MAX_QTY, 2)


# --- states -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [("posted", "posted"), ("voided", "voided")])
def test_only_a_draft_receiving_changes(status, reason):
    doc = ReceivingDoc("R-1", status, "sync")
    with pytest.raises(InvalidTransition) as exc:
        doc.require_draft("scan into")
    assert exc.value.reason == reason
    ReceivingDoc("R-1", "draft", "sync").require_draft("scan into")


@pytest.mark.parametrize(("status", "reason"), [("applied", "applied"), ("abandoned", "abandoned")])
def test_only_a_counting_stocktake_changes(status, reason):
    take = Stocktake("INV-1", status, "all", "ignore", 0, "sync")
    with pytest.raises(InvalidTransition) as exc:
        take.require_counting("apply")
    assert exc.value.reason == reason


def test_scope_is_all_or_a_non_empty_list_of_skus():
    assert parse_scope(None) is None
    assert parse_scope(["B", "A", "B"]) == ("A", "B")
    for bad in ([], ["A", ""], "A", [1]):
        with pytest.raises(InvalidInput):
            parse_scope(bad)


def test_uncounted_policy_is_explicit():
    assert parse_uncounted("zero") == "zero"
    with pytest.raises(InvalidInput, match="'zero'"):
        parse_uncounted("0")


# --- the count arithmetic (DOMAIN.md 32) --------------------------------------------------------


def line(counted, book, on_hand, reserved=0):
    return CountLine("A", "A", counted, book, on_hand, reserved, on_hand - book)


def test_the_difference_is_against_the_book_at_scan_not_the_current_stock():
    """Counted 10 with 10 on the book; 2 shipped since: nothing to correct, 8 stays 8."""
    shipped_since = line(counted=10, book=10, on_hand=8)
    assert (shipped_since.difference, shipped_since.delta, shipped_since.will_be) == (0, 0, 8)
    assert shipped_since.moved_since == -2


def test_a_shortage_found_is_taken_from_the_current_stock():
    found_less = line(counted=7, book=10, on_hand=13)  # 3 received since the scan
    assert (found_less.delta, found_less.will_be) == (-3, 10)


def test_a_count_contradicted_by_later_moves_is_clamped_and_flagged():
    contradicted = line(counted=3, book=5, on_hand=1)  # 4 shipped after only 3 were counted
    assert (contradicted.will_be, contradicted.delta, contradicted.clamped) == (0, -1, True)


def test_an_uncounted_sku_counts_as_zero_against_the_book_at_the_start():
    uncounted = line(counted=None, book=4, on_hand=9)  # 5 received after the count started
    assert (uncounted.basis, uncounted.delta, uncounted.will_be) == ("start", -4, 5)


def test_the_reserve_a_count_takes_from_orders_is_reported():
    """DOMAIN.md 31: a count finds 2 where on_hand 5 and reserved 3."""
    assert line(counted=2, book=5, on_hand=5, reserved=3).reserve_taken == 1


@given(
    counted=st.one_of(st.none(), st.integers(0, 1000)),
    book=st.integers(0, 1000),
    on_hand=st.integers(0, 1000),
    reserved=st.integers(0, 1000),
)
def test_the_plan_never_goes_below_zero_and_otherwise_adds_the_difference(
    counted, book, on_hand, reserved
):
    plan = line(counted, book, on_hand, min(reserved, on_hand))
    assert plan.will_be >= 0
    assert plan.on_hand + plan.delta == plan.will_be
    if not plan.clamped:
        assert plan.will_be == on_hand + (counted or 0) - book
    assert plan.reserve_taken == max(0, plan.reserved - plan.will_be)
