"""«Приёмка» in a real browser, outside QA's findings: «Привязать» takes a product's article (one
variant: that one; several: the dialog lists them by their characteristics) and shows the item
before it is linked; the pack field takes « 3 »; text that cannot be a barcode is refused with
what to do; switching the language keeps the open receiving open."""

from playwright.sync_api import expect

from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from tests import builders
from tests.integration.test_ui_receiving import STRANGER, count_of, start_receiving


def add_shirts(live_shop) -> None:
    """Футболка, article A0002: three variants (модификации) by colour and size."""
    shirts = builders.product(
        "P-A2",
        [
            builders.variant("A0002-RED-XS", 129900, Цвет="красный", Размер="XS"),
            builders.variant("A0002-RED-M", 129900, Цвет="красный", Размер="M"),
            builders.variant("A0002-BLUE-XS", 129900, Цвет="синий", Размер="XS"),
        ],
        ["Цвет", "Размер"],
        name="Футболка",
        article="A0002",
    )
    live_shop.gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(shirts)))


def test_a_typed_article_shows_its_variants_and_the_item_before_linking(page, live_shop):
    add_shirts(live_shop)
    start_receiving(page, live_shop, who=live_shop.manager)
    for _ in range(2):
        live_shop.scanner.scan(STRANGER)
    unknown = page.locator(f'.row.unknown[data-code="{STRANGER}"]')
    expect(unknown.locator(".count")).to_have_text("2")
    unknown.get_by_role("button", name="Привязать").click()
    expect(page.locator("#link")).to_contain_text("артикул товара или модификации")

    # Typed, not yet confirmed: the dialog lists the variants by their characteristics.
    page.locator("#link-item").press_sequentially("A0002")
    found = page.locator("#link-found")
    expect(found).to_contain_text("У товара «Футболка» несколько модификаций")
    expect(found.locator("button.choice")).to_have_count(3)
    page.click("#link-do")  # nothing chosen yet: nothing is linked
    expect(page.locator("#link-warn")).to_contain_text("Выберите, какой это товар")
    found.get_by_role("button", name="красный, M · A0002-RED-M").click()
    expect(found).to_contain_text("будет привязан Футболка (красный, M) (A0002-RED-M)")
    live_shop.screenshot(page, "receiving-link-variants")

    page.fill("#link-pack", " 3 ")  # spaces around a number are not a mistake
    page.click("#link-do")
    expect(page.locator("#link")).to_be_hidden()
    expect(page.locator("#message")).to_contain_text(f"Код {STRANGER} привязан")
    expect(count_of(page, "A0002-RED-M")).to_have_text("6")


def test_an_article_of_one_variant_is_shown_as_you_type_and_linked(page, live_shop):
    start_receiving(page, live_shop, who=live_shop.manager)
    live_shop.scanner.scan(STRANGER)
    page.locator(f'.row.unknown[data-code="{STRANGER}"]').get_by_role(
        "button", name="Привязать"
    ).click()
    page.locator("#link-item").press_sequentially("p-mug")  # the mug's article, in any case
    expect(page.locator("#link-found")).to_contain_text("будет привязан Кружка (MUG)")
    page.click("#link-do")
    expect(page.locator("#message")).to_contain_text(f"Код {STRANGER} привязан: Кружка (MUG)")
    expect(count_of(page, "MUG")).to_have_text("1")


def test_typed_text_that_cannot_be_a_barcode_is_refused_and_kept_nowhere(page, live_shop):
    start_receiving(page, live_shop)
    for typed, said in (("abc", "не меньше 4 знаков"), ("AB 12", "пробел")):
        page.fill("#code", typed)
        page.press("#code", "Enter")
        expect(page.locator("#message")).to_contain_text(said)
        expect(page.locator("#feed li.scan-bad").first).to_contain_text(said)
    view = page.request.get(f"{live_shop.url}/api/receivings/R-1").json()
    assert (view["lines"], view["unknown"]) == ([], [])
    expect(page.locator("#unknown-box")).to_be_hidden()


def test_switching_the_language_keeps_the_open_receiving_open(page, live_shop):
    start_receiving(page, live_shop)
    live_shop.scanner.scan(STRANGER)
    expect(page.locator(f'.row.unknown[data-code="{STRANGER}"]')).to_be_visible()
    page.click("a.lang")
    expect(page.locator("h1")).to_have_text("Receiving R-1")
    expect(page.locator("#scanner-state")).to_contain_text("Scanner: into this document")
    page.click("a.lang")
    expect(page.locator("h1")).to_have_text("Приёмка R-1")
