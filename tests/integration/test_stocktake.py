"""Stocktake (инвентаризация) against a real database: DOMAIN.md 31, 32 and `stock.adjusted`."""

from contextlib import closing

import pytest

from gateway.adapters.sqlite.stocktake_repo import stocktake_report as report_on_connection
from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.services.orders import create_order, ship_order
from gateway.services.receiving import post_receiving, scan_into_receiving, start_receiving
from gateway.services.stocktake import (
    abandon_stocktake,
    apply_stocktake,
    current_stocktake,
    scan_into_stocktake,
    set_stocktake_count,
    start_stocktake,
    stocktake_report,
)
from tests import builders
from tests.builders import CASHIER, MANAGER, order
from tests.conftest import Shop

GS = "\x1d"
CODES = {"A": "4601234567893", "B": "4607000000019", "C": "4650000000018"}
A_BOX = "14601234567890"  # 6 of A
SHARED = "2900000000017"  # on B and C


def simple(sku: str, *barcodes: tuple[str, int]) -> dict:
    codes = [{"code": code, "pack": pack} for code, pack in barcodes]
    return builders.product(f"P-{sku}", [builders.variant(sku, barcodes=codes)], [])


def load(shop: Shop, **on_hand: int) -> None:
    shop.load_catalog(
        simple("A", (CODES["A"], 1), (A_BOX, 6)),
        simple("B", (CODES["B"], 1), (SHARED, 1)),
        simple("C", (CODES["C"], 1), (SHARED, 1)),
    )
    shop.stock(**on_hand)


@pytest.fixture
def store(shop):
    load(shop, A=10, B=4, C=0)
    return shop


def start(shop, **kwargs) -> str:
    return shop.run(start_stocktake, by=MANAGER, **kwargs)["take_id"]


def count(shop, take, sku, qty=1, **kwargs) -> dict:
    return shop.run(scan_into_stocktake, take, CODES[sku], by=MANAGER, qty=qty, **kwargs)


def ship(shop, order_id, sku, qty):
    shop.run(create_order, order(order_id, (sku, qty)))
    shop.run(ship_order, order_id, by=MANAGER)


def receive(shop, sku, qty):
    doc = shop.run(start_receiving, by=MANAGER)["doc_id"]
    shop.run(scan_into_receiving, doc, CODES[sku], by=MANAGER, qty=qty)
    shop.run(post_receiving, doc, by=MANAGER)


def counted_adjustments(shop) -> list[dict]:
    """The stock.adjusted events of stocktakes, without the envelope's seq and type."""
    return [
        {k: v for k, v in event.items() if k not in ("seq", "type")}
        for event in shop.events("stock.adjusted")
        if event["reason"] == "stocktake"
    ]


def by_sku(lines) -> dict:
    return {line["sku"]: line for line in lines}


def test_a_count_corrects_the_book_and_publishes_stock_adjusted(store):
    take = start(store)
    first = count(store, take, "A", qty=4)
    assert first | {"outcome": "counted", "accepted": True, "counted": 4, "book": 10} == first
    count(store, take, "A", qty=4)  # a second shelf of A
    count(store, take, "B", qty=4)
    report = store.run(stocktake_report, take)
    a, b = by_sku(report["lines"])["A"], by_sku(report["lines"])["B"]
    assert a | {"counted": 8, "book": 10, "difference": -2, "on_hand": 10, "will_be": 8} == a
    assert (b["difference"], b["delta"]) == (0, 0)
    assert report["changes"] == [{"sku": "A", "delta": -2, "will_be": 8}]
    assert report["totals"] | {"shortage": 2, "surplus": 0, "changed_skus": 1} == report["totals"]
    assert store.level("A").on_hand == 10  # the report changes nothing

    result = store.run(apply_stocktake, take, by=MANAGER)
    assert result["items"] == [{"sku": "A", "delta": -2, "on_hand": 8}]
    assert (store.level("A").on_hand, store.level("B").on_hand) == (8, 4)
    assert counted_adjustments(store) == [
        {
            "reason": "stocktake",
            "items": [{"sku": "A", "delta": -2, "on_hand": 8}],
            **MANAGER.event,
            "stocktake_id": take,
        }
    ]
    changed = store.events("stock.changed")[-1]
    assert changed["items"][0] | {"sku": "A", "on_hand": 8} == changed["items"][0]
    with closing(store.db.reader()) as conn:
        moves = conn.execute(
            "SELECT sku, d_on_hand, ref_id FROM stock_move WHERE reason = 'count_adjust'"
        ).fetchall()
    assert [tuple(m) for m in moves] == [("A", -2, take)]


def test_a_shipment_between_the_scan_and_the_apply_is_not_undone(store):
    """Edge 32: apply counted − book at scan, not counted − current."""
    take = start(store)
    count(store, take, "A", qty=10)  # all 10 are on the shelf, as the book says
    ship(store, "W-1", "A", 2)  # then 2 leave with an order
    receive(store, "B", 3)  # B: nothing scanned yet, a delivery arrives
    count(store, take, "B", qty=7)  # 4 + 3 on the shelf: B's book at scan is 7
    report = by_sku(store.run(stocktake_report, take)["lines"])
    assert report["A"] | {"book": 10, "moved_since": -2, "on_hand": 8, "will_be": 8} == report["A"]
    assert report["B"] | {"book": 7, "moved_since": 0, "delta": 0} == report["B"]
    result = store.run(apply_stocktake, take, by=MANAGER)
    assert result["items"] == []  # counted − current would have put the 2 shipped back
    assert (store.level("A").on_hand, store.level("B").on_hand) == (8, 7)
    assert counted_adjustments(store) == []  # no difference, nothing adjusted


def test_a_shortage_found_before_later_moves_is_applied_to_the_current_stock(store):
    take = start(store)
    count(store, take, "A", qty=7)  # 3 missing
    receive(store, "A", 5)
    ship(store, "W-1", "A", 1)
    store.run(apply_stocktake, take, by=MANAGER)
    assert store.level("A").on_hand == 10 - 3 + 5 - 1


def test_a_count_below_the_reserve_takes_it_from_the_newest_orders(store):
    """Edge 31: a count finds 2 where on_hand 5 and reserved 3."""
    store.stock(A=5)
    for n in (1, 2, 3):
        store.run(create_order, order(f"W-{n}", ("A", 1)))
    take = start(store)
    count(store, take, "A", qty=2)
    report = store.run(stocktake_report, take)
    assert by_sku(report["lines"])["A"]["reserve_taken"] == 1
    store.run(apply_stocktake, take, by=MANAGER, reserve_orders=report["reserve_orders"])
    level = store.level("A")
    assert (level.on_hand, level.reserved) == (2, 2)
    assert [store.order(f"W-{n}").status for n in (1, 2, 3)] == ["reserved", "reserved", "short"]
    short = [e["order_id"] for e in store.events("order.reserved") if e["status"] == "short"]
    assert short == ["W-3"]


def test_a_count_above_the_book_fills_short_orders(store):
    store.run(create_order, order("W-1", ("C", 2)))
    take = start(store)
    count(store, take, "C", qty=3)
    store.run(apply_stocktake, take, by=MANAGER)
    assert store.order("W-1").status == "reserved"
    assert store.level("C").available == 1


def test_a_count_contradicted_by_later_shipments_is_clamped_and_flagged(store):
    store.stock(A=5)
    take = start(store)
    count(store, take, "A", qty=3)
    ship(store, "W-1", "A", 4)  # more left than the count allows: the count needs checking
    report = store.run(stocktake_report, take)
    assert report["totals"]["clamped"] == ["A"]
    assert (
        by_sku(report["lines"])["A"] | {"will_be": 0, "clamped": True}
        == by_sku(report["lines"])["A"]
    )
    result = store.run(apply_stocktake, take, by=MANAGER)
    assert result["clamped"] == ["A"] and store.level("A").on_hand == 0


def test_applying_twice_applies_once(store):
    take = start(store)
    count(store, take, "A", qty=8)
    first = store.run(apply_stocktake, take, by=MANAGER, idem_key="tab-1")
    assert store.run(apply_stocktake, take, by=MANAGER, idem_key="tab-1") == {
        **first,
        "replayed": True,
    }
    assert store.run(apply_stocktake, take, by=MANAGER) == {**first, "already": True}
    assert store.level("A").on_hand == 8 and len(counted_adjustments(store)) == 1
    report = store.run(stocktake_report, take)
    assert report["status"] == "applied" and report["items"] == first["items"]
    with pytest.raises(InvalidTransition, match="already applied"):
        count(store, take, "A")


# --- scope and uncounted skus -------------------------------------------------------------------


def test_uncounted_zero_empties_what_was_not_found_and_ignore_keeps_it(store):
    zero = start(store, skus=["A", "B"], uncounted="zero")
    count(store, zero, "A", qty=10)
    report = store.run(stocktake_report, zero)
    assert report["uncounted"] == "zero"
    assert [(u["sku"], u["will_be"]) for u in report["not_counted"]] == [("B", 0)]
    store.run(apply_stocktake, zero, by=MANAGER)
    assert (store.level("A").on_hand, store.level("B").on_hand) == (10, 0)

    store.stock(B=4)
    ignore = start(store, skus=["A", "B"])
    count(store, ignore, "A", qty=10)
    report = store.run(stocktake_report, ignore)
    assert [(u["sku"], u["will_be"], u["delta"]) for u in report["not_counted"]] == [("B", 4, 0)]
    store.run(apply_stocktake, ignore, by=MANAGER)
    assert store.level("B").on_hand == 4


def test_a_full_count_zeroes_the_unfound_against_the_book_at_its_start(store):
    """A delivery posted during the count is not wiped out by `uncounted="zero"`."""
    take = start(store, uncounted="zero")
    count(store, take, "A", qty=10)
    receive(store, "C", 5)  # C had nothing at the start: its goods arrived later
    report = store.run(stocktake_report, take)
    assert {u["sku"]: u["will_be"] for u in report["not_counted"]} == {"B": 0, "C": 5}
    store.run(apply_stocktake, take, by=MANAGER)
    assert [store.level(s).on_hand for s in "ABC"] == [10, 0, 5]


def test_a_sku_outside_a_partial_count_is_refused_not_counted(store):
    take = start(store, skus=["A"])
    refused = count(store, take, "B")
    assert (refused["outcome"], refused["accepted"]) == ("out_of_scope", False)
    with pytest.raises(InvalidInput):
        store.run(set_stocktake_count, take, "B", 3, by=CASHIER)
    assert store.run(stocktake_report, take)["lines"] == []


def test_unknown_codes_are_reported_not_counted(store):
    take = start(store)
    count(store, take, "A", qty=10)
    for _ in range(2):
        kept = store.run(scan_into_stocktake, take, "2000000000015", by=CASHIER)
    assert (kept["outcome"], kept["counted"]) == ("unknown", 2)
    report = store.run(stocktake_report, take)
    assert report["unknown_codes"] == [{"code": "2000000000015", "scans": 2}]
    assert store.run(apply_stocktake, take, by=MANAGER)["unknown_codes"] == report["unknown_codes"]


def test_a_pack_barcode_counts_its_pack_and_a_shared_one_asks(store):
    take = start(store)
    assert store.run(scan_into_stocktake, take, A_BOX, by=CASHIER)["counted"] == 6
    asked = store.run(scan_into_stocktake, take, SHARED, by=CASHIER)
    assert (asked["outcome"], [c["sku"] for c in asked["candidates"]]) == ("ambiguous", ["B", "C"])
    assert store.run(scan_into_stocktake, take, SHARED, by=CASHIER, sku="C")["counted"] == 1


def test_a_marked_unit_is_counted_once(store):
    take = start(store)
    code = f"0104601234567893215Abc{GS}93dGVz"
    scanned = [
        store.run(scan_into_stocktake, take, code, by=CASHIER, gtin="04601234567893", marking=True)
        for _ in range(2)
    ]
    assert [(s["outcome"], s["counted"]) for s in scanned] == [("counted", 1), ("repeat", 1)]


def test_counts_are_corrected_typed_or_taken_back(store):
    take = start(store)
    count(store, take, "A")
    count(store, take, "A")
    assert store.run(set_stocktake_count, take, "A", 1, by=CASHIER)["counted"] == 1
    typed = store.run(set_stocktake_count, take, "C", 0, by=CASHIER)  # counted: none there
    assert typed == {"take_id": take, "sku": "C", "counted": 0, "book": 0}
    store.run(set_stocktake_count, take, "C", None, by=CASHIER)  # back to «not counted»
    assert [line["sku"] for line in store.run(stocktake_report, take)["lines"]] == ["A"]
    with pytest.raises(NotFound):
        store.run(set_stocktake_count, take, "NOPE", 1, by=CASHIER)
    with pytest.raises(InvalidInput):
        store.run(set_stocktake_count, take, "A", -1, by=CASHIER)


def test_one_count_at_a_time_and_an_abandoned_one_changes_nothing(store):
    take = start(store)
    with pytest.raises(InvalidTransition) as exc:
        start(store)
    assert exc.value.reason == "stocktake_open"
    assert store.run(current_stocktake)["take_id"] == take
    count(store, take, "A", qty=1)
    assert store.run(abandon_stocktake, take, by=CASHIER)["status"] == "abandoned"
    assert store.run(abandon_stocktake, take, by=CASHIER)["already"] is True
    with pytest.raises(InvalidTransition, match="abandoned"):
        store.run(apply_stocktake, take, by=MANAGER)
    assert store.level("A").on_hand == 10 and store.run(current_stocktake) is None
    assert start(store) != take


def test_nothing_counted_is_not_applied(store):
    take = start(store, uncounted="zero")  # would zero the whole shop
    with pytest.raises(InvalidInput) as exc:
        store.run(apply_stocktake, take, by=MANAGER)
    assert exc.value.reason == "empty" and store.level("A").on_hand == 10


def test_start_refuses_an_unknown_sku_or_policy(store):
    with pytest.raises(NotFound):
        start(store, skus=["A", "NOPE"])
    with pytest.raises(InvalidInput):
        start(store, uncounted="everything")
    assert store.run(current_stocktake) is None


def test_the_report_reads_the_same_on_a_read_connection(store):
    take = start(store, skus=["A", "B"])
    count(store, take, "A", qty=9)
    with closing(store.db.reader()) as conn:
        assert report_on_connection(conn, take) == store.run(stocktake_report, take)


def test_a_recount_after_sales_takes_the_book_anew_and_a_correction_does_not(store):
    """«Пересчитать»: the shelf counted again after 2 were shipped is compared with the book of
    now (8), not of the first scan (10); a plain correction keeps the first scan's book."""
    take = start(store)
    count(store, take, "A", qty=9)  # first count: 9 of a book of 10
    ship(store, "W-1", "A", 2)  # then 2 leave with an order: 8 on the books
    corrected = store.run(set_stocktake_count, take, "A", 7, by=CASHIER)
    assert (corrected["counted"], corrected["book"]) == (7, 10)  # a correction: book of the scan
    recounted = store.run(set_stocktake_count, take, "A", 7, by=CASHIER, recount=True)
    assert (recounted["counted"], recounted["book"]) == (7, 8)  # the book of now
    store.run(apply_stocktake, take, by=MANAGER)
    assert store.level("A").on_hand == 7  # one missing on the recount, not three
    with closing(store.db.reader()) as conn:
        scans_kept = conn.execute("SELECT count(*) FROM stock_move WHERE reason = 'count_adjust'")
        assert scans_kept.fetchone()[0] == 1
