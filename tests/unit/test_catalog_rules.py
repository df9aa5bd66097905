"""`parse_catalog_upsert` alone (no database): the characteristic rules of MQTT-CONTRACT.md
(`catalog.upsert`) and the validation of every field. A broken product is rejected whole, naming
the product and the rule; the other products of the message still parse."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.domain.catalog import CHARACTERISTICS_MISMATCH, Variant, parse_catalog_upsert
from gateway.domain.errors import InvalidInput
from tests.builders import catalog, product, simple_product, variant

MISMATCH = CHARACTERISTICS_MISMATCH


def tshirt(product_id: str = "P-100", prefix: str = "TS") -> dict:
    return product(
        product_id,
        [
            variant(f"{prefix}-RED-M", **{"Цвет": "красный", "Размер": "M"}),
            variant(f"{prefix}-RED-L", **{"Цвет": "красный", "Размер": "L"}),
        ],
        ["Цвет", "Размер"],
    )


def parse(*products: dict, full: bool = False):
    return parse_catalog_upsert(catalog(*products, full=full))


def rejected_alone(item: dict) -> tuple[str, str]:
    """Parse `item` next to a good product: `item` is rejected, the good one is kept."""
    upsert = parse(item, simple_product("GOOD-1"))
    assert [p.id for p in upsert.products] == ["P-GOOD-1"]
    assert len(upsert.rejected) == 1
    return upsert.rejected[0].reason, upsert.rejected[0].detail


def test_the_contract_example_parses():
    upsert = parse(tshirt())
    assert upsert.rejected == []
    (parsed,) = upsert.products
    assert parsed.characteristics == ("Цвет", "Размер")
    assert [v.sku for v in parsed.variants] == ["TS-RED-M", "TS-RED-L"]
    assert parsed.variants[0].characteristics == {"Цвет": "красный", "Размер": "M"}
    assert parsed.variant_name(parsed.variants[0]) == "Товар P-100 (красный, M)"


def test_a_simple_product_has_one_variant_with_empty_characteristics():
    upsert = parse(simple_product("SIMPLE-1"))
    assert upsert.rejected == []
    (parsed,) = upsert.products
    assert parsed.characteristics == ()
    assert parsed.variants[0].characteristics == {}
    assert parsed.variants[0].char_key == ""
    assert parsed.variant_name(parsed.variants[0]) == parsed.name


def test_char_key_is_canonical_sorted_by_name_whatever_the_order_given():
    one = Variant("A", {"Цвет": "красный", "Размер": "M"}, 1)
    two = Variant("B", {"Размер": "M", "Цвет": "красный"}, 1)
    assert one.char_key == two.char_key == "Размер=M|Цвет=красный"


def test_values_are_trimmed_before_comparison():
    item = product("P-1", [variant("A", Размер=" M "), variant("B", Размер="M")])
    reason, detail = rejected_alone(item)
    assert reason == MISMATCH
    assert "A and B have the same characteristics" in detail


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"Цвет": "красный"}, "'Размер' is missing or empty"),
        ({"Цвет": "красный", "Размер": ""}, "'Размер' is missing or empty"),
        ({"Цвет": "красный", "Размер": "   "}, "'Размер' is missing or empty"),
        ({"Цвет": "красный", "Размер": None}, "'Размер' is missing or empty"),
        ({"Цвет": "красный", "Размер": "M", "Рост": "170"}, "'Рост' is not declared"),
    ],
    ids=["missing", "empty", "whitespace", "null", "undeclared"],
)
def test_a_variant_must_match_the_declared_characteristics(values, needle):
    item = tshirt()
    item["variants"][1]["characteristics"] = values
    reason, detail = rejected_alone(item)
    assert reason == MISMATCH
    assert detail.startswith("product P-100, variant TS-RED-L:")
    assert needle in detail


def test_a_simple_product_giving_a_value_is_rejected():
    item = product("P-1", [variant("A", Цвет="красный")], characteristics=[])
    reason, detail = rejected_alone(item)
    assert (reason, "'Цвет' is not declared" in detail) == (MISMATCH, True)


def test_two_variants_with_the_same_combination_are_rejected():
    item = tshirt()
    item["variants"][1]["characteristics"] = {"Размер": "M", "Цвет": "красный"}
    reason, detail = rejected_alone(item)
    assert reason == MISMATCH
    assert "product P-100" in detail
    assert "TS-RED-M and TS-RED-L have the same characteristics" in detail


def test_a_characteristic_declared_twice_is_rejected():
    item = tshirt()
    item["characteristics"] = ["Цвет", "Размер", "Цвет"]
    reason, detail = rejected_alone(item)
    assert (reason, detail) == (MISMATCH, "product P-100: a characteristic is declared twice")


def test_a_sku_listed_twice_in_one_product_is_rejected():
    item = tshirt()
    item["variants"][1]["sku"] = "TS-RED-M"
    reason, detail = rejected_alone(item)
    assert reason == "invalid"
    assert detail == "product P-100: sku TS-RED-M is listed twice"


def test_a_sku_in_two_products_of_one_message_rejects_both():
    first = tshirt("P-1", prefix="TS")
    second = product("P-2", [variant("TS-RED-M", Размер="S"), variant("OTHER", Размер="M")])
    upsert = parse(first, second, simple_product("GOOD-1"))
    assert [p.id for p in upsert.products] == ["P-GOOD-1"]
    by_id = {r.product_id: r for r in upsert.rejected}
    assert set(by_id) == {"P-1", "P-2"}
    assert all(r.reason == MISMATCH for r in upsert.rejected)
    assert "sku TS-RED-M also belongs to product P-2" in by_id["P-1"].detail
    assert "sku TS-RED-M also belongs to product P-1" in by_id["P-2"].detail


def _set(item: dict, path: tuple, value) -> dict:
    item = copy.deepcopy(item)
    target = item
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return item


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("vat",), "vat18", "vat must be one of"),
        (("vat",), None, "vat must be one of"),
        (("vat",), "vat20", "'vat20' is valid only for corrections of pre-2026 sales"),
        (("vat",), "vat120", "'vat120' is valid only for corrections of pre-2026 sales"),
        (("variants",), [], "has no variants"),
        (("variants",), None, "variants must be a list"),
        (("variants", 0, "price"), 129.9, "price must be an integer"),
        (("variants", 0, "price"), -1, "price must be at least 0"),
        (("variants", 0, "price"), True, "price must be an integer"),
        (("variants", 0, "price"), "129900", "price must be an integer"),
        (("variants", 0, "barcodes"), [{"code": "4601234567893", "pack": 0}], "must be at least 1"),
        (("variants", 0, "barcodes"), "4601234567893", "barcodes must be a list"),
        (("variants", 0, "barcodes"), [{"pack": 2}], "barcode code must be a string"),
        (("name",), "  ", "name must not be empty"),
        (("marked",), "no", "marked must be true or false"),
    ],
)
def test_bad_fields_reject_the_product_and_say_why(path, value, needle):
    reason, detail = rejected_alone(_set(tshirt(), path, value))
    assert reason == "invalid"
    assert "P-100" in detail
    assert needle in detail


@pytest.mark.parametrize("vat", ["none", "vat0", "vat5", "vat10", "vat22", "vat105", "vat122"])
def test_current_vat_rates_are_accepted(vat):
    assert parse(_set(tshirt(), ("vat",), vat)).rejected == []


def test_a_product_that_is_not_an_object_is_rejected_by_position():
    upsert = parse_catalog_upsert({"products": [simple_product("GOOD-1"), "P-100"]})
    assert [p.id for p in upsert.products] == ["P-GOOD-1"]
    (rejection,) = upsert.rejected
    assert rejection.product_id is None
    assert rejection.reason == "invalid"
    assert rejection.detail == "product #1 must be an object"


def test_barcodes_keep_their_pack():
    item = simple_product("SIMPLE-1")
    item["variants"][0]["barcodes"] = [
        {"code": "4601234567893"},
        {"code": "14601234567890", "pack": 6},
    ]
    (parsed,) = parse(item).products
    assert [(b.code, b.pack) for b in parsed.variants[0].barcodes] == [
        ("4601234567893", 1),
        ("14601234567890", 6),
    ]


@pytest.mark.parametrize(
    "body",
    [{}, {"products": None}, {"products": {}}, {"full": "yes", "products": []}, [], None],
    ids=["products-missing", "null", "object", "full-not-bool", "list", "none"],
)
def test_a_broken_envelope_raises(body):
    with pytest.raises(InvalidInput):
        parse_catalog_upsert(body)


def test_different_values_are_never_taken_for_a_duplicate():
    item = product(
        "P-1",
        [variant("A", a="x|b=y", b="z"), variant("B", a="x", b="y|b=z")],
        ["a", "b"],
    )
    upsert = parse(item)
    assert upsert.rejected == []


def test_names_with_surrounding_spaces_match_themselves():
    item = product("P-1", [variant("A", **{" Цвет ": "красный"})], [" Цвет "])
    assert parse(item).rejected == []


# --- property: products built from valid parts parse; one broken product is rejected alone ---

WORDS = st.text(alphabet="abcxyzАБВгдё0123456789-", min_size=1, max_size=6)
PRICES = st.integers(0, 10**7)


def raw_variant(sku: str, characteristics: dict, price: int = 100) -> dict:
    return {"sku": sku, "characteristics": dict(characteristics), "price": price, "barcodes": []}


@st.composite
def products(draw, index: int) -> dict:
    names = draw(st.lists(WORDS, max_size=3, unique=True))
    if names:
        combos = st.tuples(*[WORDS for _ in names])
        values = draw(st.lists(combos, min_size=1, max_size=5, unique=True))
    else:
        values = [()]  # a simple product: exactly one variant, no characteristics
    variants = [
        raw_variant(f"S{index}-{n}", dict(zip(names, combo, strict=True)), draw(PRICES))
        for n, combo in enumerate(values)
    ]
    return product(f"P{index}", variants, names)


@st.composite
def catalogs(draw) -> list[dict]:
    count = draw(st.integers(1, 4))
    return [draw(products(i)) for i in range(count)]


@settings(max_examples=150, deadline=None)
@given(items=catalogs())
def test_products_from_valid_parts_always_parse(items):
    upsert = parse(*items)
    assert upsert.rejected == []
    assert [p.id for p in upsert.products] == [item["id"] for item in items]
    for parsed, item in zip(upsert.products, items, strict=True):
        expected = [
            "|".join(f"{k}={v}" for k, v in sorted(raw["characteristics"].items()))
            for raw in item["variants"]
        ]
        assert [v.char_key for v in parsed.variants] == expected


def _break(item: dict, how: str, data) -> None:
    variants = item["variants"]
    victim = data.draw(st.sampled_from(variants))
    if how == "drop":
        name = data.draw(st.sampled_from(item["characteristics"]))
        del victim["characteristics"][name]
    elif how == "undeclared":
        victim["characteristics"]["Undeclared!"] = "x"
    else:  # a new variant copying an existing combination
        variants.append(raw_variant("DUP-" + victim["sku"], victim["characteristics"]))


@settings(max_examples=150, deadline=None)
@given(items=catalogs(), data=st.data())
def test_breaking_one_variant_rejects_exactly_that_product(items, data):
    good = parse(*items).products
    broken = data.draw(st.integers(0, len(items) - 1))
    hows = ["undeclared", "duplicate"] + (["drop"] if items[broken]["characteristics"] else [])
    how = data.draw(st.sampled_from(hows))
    mutated = copy.deepcopy(items)
    _break(mutated[broken], how, data)

    upsert = parse(*mutated)

    assert [(r.product_id, r.reason) for r in upsert.rejected] == [(f"P{broken}", MISMATCH)]
    assert f"product P{broken}" in upsert.rejected[0].detail
    assert upsert.products == [p for i, p in enumerate(good) if i != broken]
