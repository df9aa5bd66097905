"""Receiving (приёмка) against a real database: DOMAIN.md 29, 33, 34 and `receiving.posted`."""

import sqlite3
from contextlib import closing

import pytest

from gateway.adapters.sqlite.receiving_repo import receiving_view as view_on_connection
from gateway.adapters.sqlite.writer import Writer
from gateway.domain.errors import DomainError, InvalidInput, InvalidTransition, NotFound
from gateway.services.orders import create_order
from gateway.services.receiving import (
    post_receiving,
    receiving_drafts,
    receiving_view,
    resolve_unknown_code,
    scan_into_receiving,
    set_receiving_qty,
    start_receiving,
    void_receiving,
)
from tests import builders
from tests.builders import CASHIER, MANAGER, order

GS = "\x1d"
TEA_UNIT, TEA_BOX = "4601234567893", "14601234567890"  # a box of 12
MILK = "4607000000019"
SHARED = "2900000000017"  # the same barcode on two skus (MoySklad allows it)
UNKNOWN = "2000000000015"
MARKED_TEA = f"0104601234567893215Abc{GS}93dGVz"  # Честный ЗНАК code of one unit of TEA


def simple(sku: str, *barcodes: tuple[str, int], **fields) -> dict:
    codes = [{"code": code, "pack": pack} for code, pack in barcodes]
    return builders.product(f"P-{sku}", [builders.variant(sku, barcodes=codes)], [], **fields)


@pytest.fixture
def store(shop):
    shop.load_catalog(
        simple("TEA", (TEA_UNIT, 1), (TEA_BOX, 12)),
        simple("MILK", (MILK, 1), (SHARED, 1)),
        simple("KEFIR", (SHARED, 1)),
    )
    shop.stock(TEA=0, MILK=0, KEFIR=0)
    return shop


def start(shop, **kwargs) -> str:
    return shop.run(start_receiving, by=MANAGER, **kwargs)["doc_id"]


def scan(shop, doc_id, code, **kwargs) -> dict:
    return shop.run(scan_into_receiving, doc_id, code, by=MANAGER, **kwargs)


def table(shop, name: str) -> list[tuple]:
    with closing(shop.db.reader()) as conn:
        return [tuple(row) for row in conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2")]


# --- scanning -----------------------------------------------------------------------------------


def test_each_scan_adds_its_pack_and_the_screen_sees_a_running_count(store):
    """Edge 29 (a pack barcode = N units) and 33 (a double scan is visible as a running qty)."""
    doc = start(store, supplier_ref="УПД 118")
    first = scan(store, doc, TEA_UNIT)
    assert first | {"outcome": "counted", "accepted": True, "sku": "TEA", "added": 1} == first
    assert first["qty"] == 1
    assert scan(store, doc, TEA_UNIT)["qty"] == 2  # scanned twice by accident: qty shows 2
    box = scan(store, doc, TEA_BOX)
    assert (box["pack"], box["added"], box["qty"]) == (12, 12, 14)
    assert scan(store, doc, TEA_BOX, qty=2)["qty"] == 38  # «2 коробки» typed on the tablet
    assert store.level("TEA").on_hand == 0  # nothing is stock until posted
    assert store.events("receiving.posted") == []


def test_a_double_scan_is_taken_back_or_the_line_removed(store):
    doc = start(store)
    scan(store, doc, TEA_UNIT)
    scan(store, doc, TEA_UNIT)
    scan(store, doc, MILK)
    assert store.run(set_receiving_qty, doc, "TEA", 1, by=MANAGER)["qty"] == 1
    store.run(set_receiving_qty, doc, "MILK", 0, by=MANAGER)
    view = store.run(receiving_view, doc)
    assert [(line["sku"], line["qty"]) for line in view["lines"]] == [("TEA", 1)]


def test_goods_without_a_barcode_are_typed_in_by_sku(store):
    doc = start(store)
    store.run(set_receiving_qty, doc, "KEFIR", 4, by=MANAGER)
    assert (
        store.run(receiving_view, doc)["lines"][0] | {"sku": "KEFIR", "qty": 4}
        == (store.run(receiving_view, doc)["lines"][0])
    )
    with pytest.raises(NotFound):
        store.run(set_receiving_qty, doc, "NO-SUCH-SKU", 1, by=MANAGER)


def test_a_barcode_on_two_skus_asks_instead_of_guessing(store):
    """Edge 29: duplicate barcode on two items → the tablet must ask."""
    doc = start(store)
    asked = scan(store, doc, SHARED)
    assert (asked["outcome"], asked["accepted"], asked["added"]) == ("ambiguous", False, 0)
    assert [c["sku"] for c in asked["candidates"]] == ["KEFIR", "MILK"]
    assert store.run(receiving_view, doc)["lines"] == []
    chosen = scan(store, doc, SHARED, sku="KEFIR")
    assert (chosen["outcome"], chosen["sku"], chosen["qty"]) == ("counted", "KEFIR", 1)
    with pytest.raises(InvalidInput, match="not a barcode of TEA"):
        scan(store, doc, SHARED, sku="TEA")


def test_a_barcode_that_moved_to_another_variant_counts_for_the_live_one(store):
    """Edge 29: the old product is archived but still holds the barcode."""
    store.load_catalog(simple("OLD-TEA", ("4601111111118", 1)))
    store.load_catalog(simple("OLD-TEA", ("4601111111118", 1), archived=True))
    store.load_catalog(simple("NEW-TEA", ("4601111111118", 1)))
    doc = start(store)
    assert scan(store, doc, "4601111111118")["sku"] == "NEW-TEA"


def test_upc_a_and_gtin14_scans_find_the_catalogs_ean13(store):
    """Edge 29: UPC-A vs EAN-13 leading 0, GTIN-14 padding."""
    store.load_catalog(simple("SODA", ("0012345678905", 1)))
    doc = start(store)
    assert scan(store, doc, "012345678905")["sku"] == "SODA"  # UPC-A as the scanner reads it
    assert scan(store, doc, "00012345678905")["sku"] == "SODA"  # GTIN-14
    assert scan(store, doc, "00012345678905")["qty"] == 3


def test_a_marking_code_is_found_by_its_gtin_and_counted_once(store):
    """A Честный ЗНАК code names one physical unit: scanning it twice is a repeat."""
    doc = start(store)
    first = scan(store, doc, MARKED_TEA, gtin="04601234567893", marking=True)
    assert (first["outcome"], first["sku"], first["qty"]) == ("counted", "TEA", 1)
    again = scan(store, doc, MARKED_TEA, gtin="04601234567893", marking=True)
    assert (again["outcome"], again["accepted"], again["qty"]) == ("repeat", False, 1)
    other_unit = MARKED_TEA.replace("Abc", "Xyz")
    assert scan(store, doc, other_unit, gtin="04601234567893", marking=True)["qty"] == 2
    store.run(set_receiving_qty, doc, "TEA", 0, by=MANAGER)  # line removed: units may come back
    assert scan(store, doc, MARKED_TEA, gtin="04601234567893", marking=True)["qty"] == 1


# --- posting ------------------------------------------------------------------------------------


def test_posting_adds_stock_fills_short_orders_and_publishes(store):
    store.run(create_order, order("W-1", ("TEA", 3)))
    store.run(create_order, order("W-2", ("TEA", 20)))
    assert store.order("W-1").status == "short"
    doc = start(store, supplier_ref="УПД 118")
    scan(store, doc, TEA_BOX)
    scan(store, doc, MILK)
    result = store.run(post_receiving, doc, by=MANAGER)
    assert result["status"] == "posted" and result["posted_by"] == "Ольга"
    assert result["lines"] == [{"sku": "TEA", "qty": 12}, {"sku": "MILK", "qty": 1}]
    tea = store.level("TEA")
    assert (tea.on_hand, tea.reserved) == (12, 12)
    assert store.order("W-1").status == "reserved"  # first come, first served
    assert store.order("W-2").lines[0].qty_reserved == 9
    assert store.level("MILK").on_hand == 1

    [posted] = store.events("receiving.posted")
    assert {k: posted[k] for k in ("doc_id", "lines", "unknown_codes", "by")} == {
        "doc_id": doc,
        "lines": [{"sku": "TEA", "qty": 12}, {"sku": "MILK", "qty": 1}],
        "unknown_codes": [],
        "by": "Ольга",
    }
    assert posted["supplier_ref"] == "УПД 118" and posted["sync_id"] == result["sync_id"]
    assert (posted["unknown"], posted["resolved_codes"]) == ([], [])
    after = [e for e in store.events() if e["seq"] > posted["seq"]]
    assert [e["order_id"] for e in after if e["type"] == "order.reserved"] == ["W-1", "W-2"]
    changed = {i["sku"]: i for e in after if e["type"] == "stock.changed" for i in e["items"]}
    assert changed["TEA"] | {"on_hand": 12, "reserved": 12, "available": 0} == changed["TEA"]
    assert changed["MILK"]["on_hand"] == 1


def test_the_ledger_says_receipt_and_names_the_document(store):
    doc = start(store)
    scan(store, doc, TEA_BOX)
    store.run(post_receiving, doc, by=MANAGER)
    with closing(store.db.reader()) as conn:
        rows = conn.execute(
            "SELECT sku, d_on_hand, reason, ref_id, actor FROM stock_move WHERE reason = 'receipt'"
        ).fetchall()
    assert [tuple(r) for r in rows] == [("TEA", 12, "receipt", doc, "Ольга")]


def test_posting_twice_posts_once(store):
    """Edge 33: a receipt posted twice (double tap, retry with a new key) adds stock once."""
    doc = start(store)
    scan(store, doc, TEA_BOX)
    first = store.run(post_receiving, doc, by=MANAGER, idem_key="tab-1")
    assert store.run(post_receiving, doc, by=MANAGER, idem_key="tab-1") == {
        **first,
        "replayed": True,
    }
    again = store.run(post_receiving, doc, by=CASHIER)
    assert again == {**first, "already": True}
    assert store.level("TEA").on_hand == 12
    assert len(store.events("receiving.posted")) == 1


def test_a_posted_receiving_is_frozen_and_cannot_be_voided(store):
    """Edge 33: voiding after its stock was reserved or shipped would go negative: blocked."""
    doc = start(store)
    scan(store, doc, TEA_UNIT)
    store.run(post_receiving, doc, by=MANAGER)
    with pytest.raises(InvalidTransition) as exc:
        store.run(void_receiving, doc, by=MANAGER)
    assert exc.value.reason == "posted" and "stocktake" in exc.value.detail
    for command, args in (
        (scan_into_receiving, (doc, TEA_UNIT)),
        (set_receiving_qty, (doc, "TEA", 5)),
        (resolve_unknown_code, (doc, UNKNOWN, "TEA")),
    ):
        with pytest.raises(InvalidTransition, match="already posted"):
            store.run(command, *args, by=MANAGER)
    assert store.level("TEA").on_hand == 1


def test_the_schema_refuses_changing_a_posted_document(store):
    doc = start(store)
    scan(store, doc, TEA_UNIT)
    store.run(post_receiving, doc, by=MANAGER)
    with closing(sqlite3.connect(store.db.path)) as conn:
        for statement in (
            f"UPDATE receiving_line SET qty = 99 WHERE doc_id = '{doc}'",
            f"DELETE FROM receiving_line WHERE doc_id = '{doc}'",
            f"UPDATE receiving_doc SET status = 'draft' WHERE id = '{doc}'",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(statement)


def test_a_draft_is_voided_without_touching_stock(store):
    doc = start(store)
    scan(store, doc, TEA_BOX)
    assert store.run(void_receiving, doc, by=MANAGER)["status"] == "voided"
    assert store.run(void_receiving, doc, by=MANAGER)["already"] is True
    with pytest.raises(InvalidTransition) as exc:
        store.run(post_receiving, doc, by=MANAGER)
    assert exc.value.reason == "voided"
    assert store.level("TEA").on_hand == 0 and store.events("receiving.posted") == []
    assert store.run(receiving_drafts) == []


def test_an_empty_draft_is_not_posted(store):
    doc = start(store)
    with pytest.raises(InvalidInput) as exc:
        store.run(post_receiving, doc, by=MANAGER)
    assert exc.value.reason == "empty"


def test_unknown_receiving_is_not_found(store):
    with pytest.raises(NotFound):
        store.run(post_receiving, "R-999", by=MANAGER)


# --- unknown codes (DOMAIN.md 34) ---------------------------------------------------------------


def test_an_unknown_code_is_kept_with_its_count_and_posting_asks_first(store):
    doc = start(store)
    scan(store, doc, TEA_UNIT)
    for expected in (1, 2):
        kept = scan(store, doc, UNKNOWN)
        assert (kept["outcome"], kept["accepted"], kept["qty"]) == ("unknown", True, expected)
    assert store.run(receiving_view, doc)["unknown"] == [{"code": UNKNOWN, "scans": 2}]
    with pytest.raises(InvalidTransition) as exc:
        store.run(post_receiving, doc, by=MANAGER)
    assert exc.value.reason == "unresolved_codes" and UNKNOWN in exc.value.detail
    assert store.level("TEA").on_hand == 0

    store.run(post_receiving, doc, by=MANAGER, allow_unresolved=True)
    assert store.level("TEA").on_hand == 1  # the known line went in; nothing for the unknown
    [posted] = store.events("receiving.posted")
    assert posted["lines"] == [{"sku": "TEA", "qty": 1}]
    assert posted["unknown_codes"] == [UNKNOWN]
    assert posted["unknown"] == [{"code": UNKNOWN, "scans": 2}]


def test_an_unknown_code_linked_by_a_manager_is_learned_and_exported(store):
    doc = start(store)
    scan(store, doc, UNKNOWN)
    scan(store, doc, UNKNOWN)
    linked = store.run(resolve_unknown_code, doc, UNKNOWN, "MILK", by=MANAGER, pack=6)
    assert linked | {"sku": "MILK", "pack": 6, "added": 12, "qty": 12, "learned": True} == linked
    again = scan(store, doc, UNKNOWN)  # the catalog knows it now
    assert (again["outcome"], again["sku"], again["qty"]) == ("counted", "MILK", 18)
    view = store.run(receiving_view, doc)
    assert view["unknown"] == [] and view["lines"][0]["qty"] == 18
    store.run(post_receiving, doc, by=MANAGER)
    [posted] = store.events("receiving.posted")
    assert posted["unknown_codes"] == []
    assert posted["resolved_codes"] == [
        {"code": UNKNOWN, "sku": "MILK", "pack": 6, "learned": True}
    ]
    assert store.level("MILK").on_hand == 18
    next_delivery = start(store)
    assert scan(store, next_delivery, UNKNOWN)["added"] == 6


def test_a_code_linked_without_learning_counts_in_this_document_only(store):
    doc = start(store)
    scan(store, doc, UNKNOWN)
    store.run(resolve_unknown_code, doc, UNKNOWN, "KEFIR", by=MANAGER, learn=False)
    assert scan(store, doc, UNKNOWN)["sku"] == "KEFIR"  # this document remembers the link
    assert scan(store, start(store), UNKNOWN)["outcome"] == "unknown"  # the catalog does not
    assert [row for row in table(store, "barcode") if row[0] == UNKNOWN] == []


def test_learning_a_code_the_catalog_gave_to_another_sku_meanwhile_is_refused(store):
    doc = start(store)
    scan(store, doc, UNKNOWN)
    store.load_catalog(simple("KEFIR", (SHARED, 1), (UNKNOWN, 1)))
    with pytest.raises(InvalidInput) as exc:
        store.run(resolve_unknown_code, doc, UNKNOWN, "MILK", by=MANAGER)
    assert exc.value.reason == "barcode_taken"
    store.run(resolve_unknown_code, doc, UNKNOWN, "MILK", by=MANAGER, learn=False)
    assert store.run(receiving_view, doc)["lines"][0]["sku"] == "MILK"


def test_resolving_needs_a_real_code_and_sku(store):
    doc = start(store)
    scan(store, doc, UNKNOWN)
    with pytest.raises(NotFound, match="no unknown code"):
        store.run(resolve_unknown_code, doc, "4600000000000", "MILK", by=MANAGER)
    with pytest.raises(NotFound, match="unknown sku"):
        store.run(resolve_unknown_code, doc, UNKNOWN, "NOPE", by=MANAGER)
    with pytest.raises(InvalidInput):
        store.run(resolve_unknown_code, doc, UNKNOWN, "MILK", by=MANAGER, pack=0)


def test_an_unknown_marking_code_is_one_line_per_product_not_per_unit(store):
    doc = start(store)
    for serial in ("Aaa", "Bbb", "Ccc"):
        code = f"0104600000000012215{serial}{GS}93dGVz"
        scan(store, doc, code, gtin="04600000000012", marking=True)
    assert store.run(receiving_view, doc)["unknown"] == [{"code": "4600000000012", "scans": 3}]
    store.run(resolve_unknown_code, doc, "4600000000012", "KEFIR", by=MANAGER)
    repeat = scan(
        store, doc, "0104600000000012215Aaa\x1d93dGVz", gtin="04600000000012", marking=True
    )
    assert (repeat["outcome"], repeat["qty"]) == ("repeat", 3)


# --- views, refusals, the writer ----------------------------------------------------------------


def test_the_view_has_what_the_printed_report_needs(store):
    doc = start(store, supplier_ref="УПД 118")
    scan(store, doc, TEA_BOX)
    scan(store, doc, UNKNOWN)
    store.run(post_receiving, doc, by=MANAGER, allow_unresolved=True)
    with closing(store.db.reader()) as conn:
        view = view_on_connection(conn, doc)
    assert view == store.run(receiving_view, doc)
    assert view | {"status": "posted", "posted_by": "Ольга", "supplier_ref": "УПД 118"} == view
    assert view["posted_at"] and view["created_by"] == "Ольга"
    assert view["lines"] == [
        {"sku": "TEA", "name": "Товар P-TEA", "qty": 12, "last_code": TEA_BOX, "archived": False}
    ]
    assert view["unknown"] == [{"code": UNKNOWN, "scans": 1}] and view["total_units"] == 12


def test_a_refused_scan_changes_nothing(store):
    doc = start(store)
    scan(store, doc, TEA_UNIT)
    before = table(store, "receiving_line"), store.events()
    for bad in ({"qty": 0}, {"qty": 2_000_000}, {"gtin": "12"}):
        with pytest.raises(InvalidInput):
            scan(store, doc, TEA_BOX, **bad)
    with pytest.raises(InvalidInput, match="one unit"):
        scan(store, doc, MARKED_TEA, gtin="04601234567893", marking=True, qty=2)
    with pytest.raises(InvalidInput, match="link it") as exc:
        scan(store, doc, UNKNOWN, sku="TEA")  # a choice is for a shared barcode, not a guess
    assert exc.value.reason == "unknown_code"
    assert (table(store, "receiving_line"), store.events()) == before


def test_a_scanner_thread_and_a_tablet_call_it_through_the_writer(store):
    writer = Writer(store.db.path).start()  # its own write connection, as in the gateway
    try:
        doc = writer.call(start_receiving, by=MANAGER)["doc_id"]
        writer.call(scan_into_receiving, doc, TEA_BOX, by=CASHIER)
        result = writer.call(post_receiving, doc, by=MANAGER, idem_key="k-1")
        assert writer.call(post_receiving, doc, by=MANAGER, idem_key="k-1")["replayed"] is True
        with pytest.raises(DomainError):
            writer.call(scan_into_receiving, doc, TEA_BOX, by=CASHIER)
    finally:
        writer.stop()
    assert result["lines"] == [{"sku": "TEA", "qty": 12}]
    assert store.level("TEA").on_hand == 12
