"""The MQTT payload models (gateway/domain/payloads*.py): they accept every example of the
contract, they cover exactly the types the code routes, and each kind of bad input is refused
by the catalog's parse functions with one line naming the place and the problem, with today's
reasons (the other messages: test_payloads_refusals.py, the envelope: test_payloads_envelope.py)."""

import copy

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidInput
from gateway.domain.messages import INBOUND_TYPES, OUTBOUND_TOPICS
from gateway.domain.orders import parse_order_cancelled, parse_order_created, parse_order_updated
from gateway.domain.payloads import ENVELOPES, INBOUND_PAYLOADS, OUTBOUND_PAYLOADS
from gateway.domain.stock import parse_stock_change
from tests import builders
from tests.asyncapi_contract import follow, load_document, suffix_of


def examples() -> list[tuple[str, dict]]:
    doc = load_document()
    found = []
    for channel in doc["channels"].values():
        for entry in channel["messages"].values():
            _, message = follow(doc, entry)
            found += [(suffix_of(channel), e["payload"]) for e in message["examples"]]
    return found


@pytest.mark.parametrize(("suffix", "message"), examples())
def test_the_models_accept_every_example_of_the_document(suffix, message):
    payloads = INBOUND_PAYLOADS if suffix.startswith("in/") else OUTBOUND_PAYLOADS
    [payload] = [p for p in payloads if p.type == message["type"]]
    payload.envelope.model_validate(message)
    payload.data.model_validate(message["data"])


def test_the_models_cover_exactly_the_types_the_code_routes():
    assert {p.type for p in INBOUND_PAYLOADS} == INBOUND_TYPES
    outbound = {p.type for p in OUTBOUND_PAYLOADS}
    assert set(OUTBOUND_TOPICS) <= outbound
    assert {p.envelope for p in (*INBOUND_PAYLOADS, *OUTBOUND_PAYLOADS)} == set(ENVELOPES)
    names = [p.schema_name for p in (*INBOUND_PAYLOADS, *OUTBOUND_PAYLOADS)]
    assert len(set(names)) == len(names)


def test_what_the_models_read_is_trimmed_and_defaulted():
    order = parse_order_created(
        {"order_id": " W-1 ", "lines": [{"sku": " A ", "qty": 2}], "customer": {"name": "  "}}
    )
    assert (order.order_id, order.number, order.channel, order.paid) == ("W-1", "W-1", "web", False)
    assert [(n.line_id, n.sku, n.qty, n.price) for n in order.lines] == [("1", "A", 2, 0)]
    assert order.customer.name is None
    change = parse_stock_change("adjust", {"items": [{"sku": "A", "delta": -2, "extra": 1}]})
    assert (change.reason, change.items[0].delta) == ("adjust", -2)
    assert parse_order_cancelled({"order_id": "W-1"}) == ("W-1", "cloud")
    new, version = parse_order_updated({**builders.order("W-1", ("A", 1)), "version": 3})
    assert (new.order_id, version) == ("W-1", 3)


def _product(**changes) -> dict:
    item = builders.product(
        "P-1", [builders.variant("S-1", 100, [{"code": "460", "pack": 1}], Цвет="red")], ["Цвет"]
    )
    item = copy.deepcopy(item)
    variant = item["variants"][0]
    for key, value in changes.items():
        target = variant if key in ("sku", "price", "barcodes", "min_stock", "values") else item
        target["characteristics" if key == "values" else key] = value
    return item


@pytest.mark.parametrize(
    ("item", "reason", "detail"),
    [
        (_product(id=None), "invalid", "product #0: id must be a string"),
        (_product(id="x" * 65), "invalid", f"product {'x' * 65}: id is longer than 64 characters"),
        (_product(name=" "), "invalid", "product P-1: name must not be empty"),
        (
            _product(vat="vat20"),
            "invalid",
            "product P-1: vat 'vat20' is valid only for corrections of pre-2026 sales",
        ),
        (
            _product(vat=7),
            "invalid",
            "product P-1: vat must be one of none, vat0, vat5, vat7,"
            " vat10, vat22, vat105, vat107, vat110, vat122, got 7",
        ),
        (_product(marked=1), "invalid", "product P-1: marked must be true or false"),
        (
            _product(characteristics=[2]),
            "invalid",
            "product P-1: characteristic name must be a string",
        ),
        (
            _product(variants=[]),
            "invalid",
            "product P-1: has no variants (a simple product has exactly one)",
        ),
        (_product(variants=["S-1"]), "invalid", "product P-1: variant must be an object"),
        (_product(sku=""), "invalid", "product P-1: variant sku must not be empty"),
        (_product(price=1.0), "invalid", "product P-1, variant S-1: price must be an integer"),
        (
            _product(price=10**12 + 1),
            "invalid",
            "product P-1, variant S-1: price must be at most 1000000000000, got 1000000000001",
        ),
        (
            _product(barcodes=[{"code": "460", "pack": 0}]),
            "invalid",
            "product P-1, variant S-1: barcode 460 pack must be at least 1, got 0",
        ),
        (
            _product(barcodes=[{"pack": 2}]),
            "invalid",
            "product P-1, variant S-1: barcode code must be a string",
        ),
        (
            _product(min_stock=True),
            "invalid",
            "product P-1, variant S-1: min_stock must be an integer",
        ),
        (
            _product(values={"Цвет": " "}),
            "characteristics_mismatch",
            "product P-1, variant S-1: characteristic 'Цвет' is missing or empty",
        ),
        (
            _product(values={"Цвет": "red", "Size": 2}),
            "characteristics_mismatch",
            "product P-1, variant S-1: characteristic 'Size' is not declared by the product",
        ),
        (
            _product(values={"Цвет": "red", "Size": "M"}),
            "characteristics_mismatch",
            "product P-1, variant S-1: characteristic 'Size' is not declared by the product",
        ),
    ],
)
def test_a_bad_product_is_rejected_alone_with_one_line(item, reason, detail):
    upsert = parse_catalog_upsert({"products": [item, builders.simple_product("GOOD")]})
    assert [p.id for p in upsert.products] == ["P-GOOD"]
    [rejection] = upsert.rejected
    assert (rejection.reason, rejection.detail) == (reason, detail)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ([], "data must be an object"),
        ({}, "data.products must be a list"),
        ({"full": "yes", "products": []}, "data.full must be true or false"),
    ],
)
def test_a_broken_catalog_message_is_refused_whole(body, detail):
    with pytest.raises(InvalidInput, match=f"^{detail}$"):
        parse_catalog_upsert(body)
