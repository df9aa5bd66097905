"""Outside QA's findings on «Привязать» and the code field of «Приёмка», through the HTTP API: a
product's article links its only variant (several: staff choose, the API lists them by their
characteristics), and text that cannot be a barcode (Cyrillic, a space inside, fewer than 4
characters) is refused with what to do and never stored -- not on the document, not in the
catalog."""

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from tests import builders
from tests.signin import desk_clients, start_gateway

STRANGER = "2900000000018"  # a shop's own label the catalog does not know
MUG = "4600000000015"
SHORT, SPACED = "777", "MG 7"  # the mug's own codes in the catalog, not retail barcodes


@pytest.fixture
def api(tmp_path):
    """Ольга's client (a manager links codes) on a catalog with a one-variant product (A0001)
    and a product of three variants (A0002)."""
    gateway = start_gateway(tmp_path, "shop-link")
    codes = [{"code": code} for code in (MUG, SHORT, SPACED)]
    mug = builders.product("P-1", [builders.variant("A0001-WHITE", 45000, codes)], [])
    shirts = builders.product(
        "P-2",
        [
            builders.variant(f"A0002-{color}-{size}", 129900, Цвет=name, Размер=size)
            for color, name in (("RED", "красный"), ("BLUE", "синий"))
            for size in ("XS", "M")
            if (color, size) != ("BLUE", "M")
        ],
        ["Цвет", "Размер"],
        name="Футболка",
    )
    mug["article"], shirts["article"] = "A0001", "A0002"
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(mug, shirts)))
    try:
        yield desk_clients(gateway).manager
    finally:
        gateway.stop()


def receiving_with(api, *codes: str) -> str:
    doc = api.post("/api/receivings", json={}).json()["doc_id"]
    for code in codes:
        assert api.post(f"/api/receivings/{doc}/scan", json={"code": code}).status_code == 200
    return doc


def link(api, doc: str, code: str, sku: str, learn: bool = True):
    body = {"code": code, "sku": sku, "learn": learn}
    return api.post(f"/api/receivings/{doc}/resolve", json=body)


def test_a_products_article_with_one_variant_links_that_variant(api):
    doc = receiving_with(api, STRANGER, STRANGER)
    answer = link(api, doc, STRANGER, "A0001")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["sku"], answer.json()["qty"]) == ("A0001-WHITE", 2)
    assert api.get(f"/api/lookup?code={STRANGER}").json()["items"][0]["sku"] == "A0001-WHITE"


def test_a_products_article_with_several_variants_asks_which_one(api):
    doc = receiving_with(api, STRANGER)
    refused = link(api, doc, STRANGER, "A0002")
    assert refused.status_code == 422
    assert refused.json()["error"] == "choose_variant"
    assert api.get(f"/api/receivings/{doc}").json()["unknown"] == [{"code": STRANGER, "scans": 1}]
    # The dialog lists them, by their characteristics, before anything is linked.
    found = api.get("/api/receivings/link-items", params={"text": "a0002"}).json()
    assert found["by"] == "article"
    assert [(item["sku"], item["values"]) for item in found["items"]] == [
        ("A0002-RED-XS", "красный, XS"),
        ("A0002-RED-M", "красный, M"),
        ("A0002-BLUE-XS", "синий, XS"),
    ]
    assert link(api, doc, STRANGER, "A0002-BLUE-XS").json()["sku"] == "A0002-BLUE-XS"


def test_the_dialog_finds_a_variants_sku_or_a_known_barcode_and_says_nothing_of_the_rest(api):
    by_sku = api.get("/api/receivings/link-items", params={"text": " A0002-RED-M "}).json()
    assert by_sku["by"] == "sku"
    assert [item["name"] for item in by_sku["items"]] == ["Футболка (красный, M)"]
    by_code = api.get("/api/receivings/link-items", params={"text": MUG}).json()
    assert (by_code["by"], by_code["items"][0]["sku"]) == ("barcode", "A0001-WHITE")
    nothing = api.get("/api/receivings/link-items", params={"text": "B9"}).json()
    assert nothing == {"by": None, "items": []}
    assert link(api, receiving_with(api, STRANGER), STRANGER, "B9").status_code == 404


@pytest.mark.parametrize(
    ("typed", "reason", "said"),
    [
        ("abc", "code_too_short", "не меньше 4 знаков"),
        ("12", "code_too_short", "не меньше 4 знаков"),
        ("AB 1234", "space_in_code", "пробел"),
        ("фисв", "keyboard_layout", "русской раскладке"),  # the scanner parser says it first
    ],
)
def test_text_that_cannot_be_a_barcode_is_refused_and_not_kept(api, typed, reason, said):
    doc = receiving_with(api)
    api.post("/api/scanner/target", json={"kind": "receiving", "id": doc})
    for path in (f"/api/receivings/{doc}/scan", "/api/scanner/scan"):
        refused = api.post(path, json={"code": typed})
        body = refused.json()
        if path == "/api/scanner/scan":  # the scanner's way: an entry of its history
            assert (body["ok"], body.get("reason")) == (False, reason), body
            assert said in body["message"]
        else:
            assert refused.status_code == 422, body
            assert (body["error"], said in body["detail"]) == (reason, True), body
    view = api.get(f"/api/receivings/{doc}").json()
    assert (view["lines"], view["unknown"]) == ([], [])


def test_a_short_or_spaced_code_the_catalog_holds_is_counted_on_the_screen_and_by_the_scanner(
    api,
):
    doc = receiving_with(api)
    api.post("/api/scanner/target", json={"kind": "receiving", "id": doc})
    for code in (SHORT, SPACED):
        typed = api.post(f"/api/receivings/{doc}/scan", json={"code": code})
        assert (typed.status_code, typed.json()["outcome"]) == (200, "counted"), typed.text
        scanned = api.post("/api/scanner/scan", json={"code": code}).json()
        assert (scanned["ok"], scanned["result"]["sku"]) == (True, "A0001-WHITE"), scanned
    view = api.get(f"/api/receivings/{doc}").json()
    assert ([(line["sku"], line["qty"]) for line in view["lines"]], view["unknown"]) == (
        [("A0001-WHITE", 4)],
        [],
    )


def test_internal_labels_of_four_letters_and_digits_are_kept(api):
    doc = receiving_with(api, "AB12", "0042", "SHOP-000127")
    unknown = api.get(f"/api/receivings/{doc}").json()["unknown"]
    assert [u["code"] for u in unknown] == ["AB12", "0042", "SHOP-000127"]
    assert link(api, doc, "AB12", "A0001").status_code == 200
