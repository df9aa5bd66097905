"""Receiving and stocktake: the form of a code matters only when the catalog does not know it.
A shop's short internal code («123») or a catalog code with a space is counted like any
barcode; the same text unknown to the catalog cannot be a barcode, so it is refused with its
reason and the draft keeps nothing of it (`refuse_not_a_barcode`). A scanner on the Russian
layout types Cyrillic, which no catalog barcode holds: it is refused with the advice to switch
the layout."""

from contextlib import closing

import pytest

from gateway.domain.errors import InvalidInput
from gateway.services.receiving import receiving_view, scan_into_receiving, start_receiving
from gateway.services.stocktake import scan_into_stocktake, start_stocktake
from tests import builders
from tests.builders import MANAGER

SHORT, SPACED = "123", "AB 12"  # catalog codes that are not retail barcodes
MILK = "4607000000019"


def simple(sku: str, *codes: str) -> dict:
    barcodes = [{"code": code, "pack": 1} for code in codes]
    return builders.product(f"P-{sku}", [builders.variant(sku, barcodes=barcodes)], [])


@pytest.fixture
def store(shop):
    shop.load_catalog(simple("NUTS", SHORT), simple("SOAP", SPACED), simple("MILK", MILK))
    shop.stock(NUTS=0, SOAP=0, MILK=0)
    return shop


def start(shop) -> str:
    return shop.run(start_receiving, by=MANAGER)["doc_id"]


def scan(shop, doc_id, code, **kwargs) -> dict:
    return shop.run(scan_into_receiving, doc_id, code, by=MANAGER, **kwargs)


def draft_tables(shop) -> dict:
    with closing(shop.db.reader()) as conn:
        return {
            name: [tuple(row) for row in conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2")]
            for name in ("receiving_line", "receiving_unknown", "receiving_unit", "barcode")
        }


@pytest.mark.parametrize(("code", "sku"), [(SHORT, "NUTS"), (SPACED, "SOAP")])
def test_a_catalog_code_is_counted_whatever_its_form(store, code, sku):
    doc = start(store)
    first = scan(store, doc, code)
    assert first | {"outcome": "counted", "accepted": True, "sku": sku, "qty": 1} == first
    assert scan(store, doc, f" {code}\r\n", qty=2)["qty"] == 3  # the scanner's suffix trimmed
    view = store.run(receiving_view, doc)
    assert [(line["sku"], line["qty"]) for line in view["lines"]] == [(sku, 3)]
    assert view["unknown"] == []


@pytest.mark.parametrize(
    ("code", "reason", "said"),
    [
        ("124", "code_too_short", "не меньше 4 знаков"),
        ("AB", "code_too_short", "не меньше 4 знаков"),
        ("AB 13", "space_in_code", "пробел"),
        ("ФИС123", "cyrillic_code", "раскладку"),  # «ABC123» typed in the Russian layout
    ],
)
def test_text_the_catalog_does_not_know_and_cannot_be_a_barcode_is_refused(
    store, code, reason, said
):
    doc = start(store)
    scan(store, doc, MILK)
    before = draft_tables(store), store.events()
    for kwargs in ({}, {"qty": 3}, {"sku": "MILK"}):  # a choice of sku does not hide the advice
        with pytest.raises(InvalidInput, match=said) as refused:
            scan(store, doc, code, **kwargs)
        assert refused.value.reason == reason
    assert (draft_tables(store), store.events()) == before


def test_a_refused_code_leaves_the_draft_to_go_on(store):
    doc = start(store)
    with pytest.raises(InvalidInput):
        scan(store, doc, "12")
    assert scan(store, doc, SHORT)["outcome"] == "counted"
    assert scan(store, doc, "AB12")["outcome"] == "unknown"  # 4 letters and digits: a label
    view = store.run(receiving_view, doc)
    assert [(line["sku"], line["qty"]) for line in view["lines"]] == [("NUTS", 1)]
    assert view["unknown"] == [{"code": "AB12", "scans": 1}]


def test_a_stocktake_counts_catalog_codes_whatever_their_form_and_refuses_unknown_text(store):
    take = store.run(start_stocktake, by=MANAGER)["take_id"]
    for code, sku in ((SHORT, "NUTS"), (SPACED, "SOAP")):
        counted = store.run(scan_into_stocktake, take, code, by=MANAGER)
        assert (counted["outcome"], counted["sku"]) == ("counted", sku)
    before = store.events()
    for code, reason in (("124", "code_too_short"), ("AB 13", "space_in_code")):
        with pytest.raises(InvalidInput) as refused:
            store.run(scan_into_stocktake, take, code, by=MANAGER)
        assert refused.value.reason == reason
    assert store.run(scan_into_stocktake, take, "AB12", by=MANAGER)["outcome"] == "unknown"
    assert store.events() == before
