"""«Продажа» in a real browser: the sale being made survives a reload and a trip to «Заказы»
(the tab's sessionStorage) and is gone once printed or cleared; a sale whose answer was lost is
sent again under its key after a reload (one receipt); an sku or an article typed into the code
field finds the item as «Остатки» does, and an article of several items asks which."""

import time

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.browser import MUG, SHIRT_M
from tests.integration.test_ui_sale import line, open_sale, scan, shows, wait_until


def test_a_half_made_sale_survives_a_reload_and_a_trip_to_the_orders(page, live_shop):
    open_sale(page, live_shop)
    scan(page, SHIRT_M)
    scan(page, MUG)
    scan(page, MUG)
    line(page, "MUG").locator("output").filter(has_text="2").wait_for()
    page.click("#pay-card")
    page.fill("#contact", "buyer@example.ru")
    page.reload()
    line(page, "MUG").wait_for()
    assert line(page, "MUG").locator("output").inner_text() == "2"
    assert line(page, "TS-M").locator("output").inner_text() == "1"
    assert page.get_attribute("#pay-card", "aria-pressed") == "true"
    assert page.input_value("#contact") == "buyer@example.ru"
    shows(page, "#message", "Незаконченный чек восстановлен: 3 шт.")

    page.click("#nav-orders")  # the new-order badge lures the cashier away
    page.wait_for_url("**/orders")
    page.go_back()
    line(page, "MUG").wait_for()
    assert page.inner_text("#total") == "2\u202f199,00 ₽"
    page.click("#sell")
    shows(page, "#message", "Чек № 1 напечатан")
    page.reload()
    assert page.locator("#empty").is_visible()  # printed: the next buyer's sale is empty
    assert page.locator("#lines tbody tr").count() == 0

    scan(page, MUG)
    line(page, "MUG").wait_for()
    page.click("#clear")
    page.locator("#confirm").get_by_role("button", name="Очистить").click()
    shows(page, "#message", "Чек очищен.")
    page.reload()
    assert page.locator("#empty").is_visible()
    assert len(live_shop.register.receipts) == 1


def test_a_sale_whose_answer_was_lost_is_sent_again_after_a_reload_and_sold_once(page, live_shop):
    open_sale(page, live_shop)
    scan(page, MUG)
    line(page, "MUG").wait_for()
    lost = []

    def lose_the_answer(route):
        lost.append(route.fetch())  # the gateway got it and sold
        route.abort()

    page.route("**/api/sales", lose_the_answer)
    page.click("#sell")
    shows(page, "#message", "не будет пробит дважды")
    page.unroute("**/api/sales")
    page.reload()
    shows(page, "#message", "не будет пробит дважды")  # it may have been sold: said again
    assert line(page, "MUG").get_by_role("button", name="Добавить одну").is_disabled()
    page.click("#sell")
    shows(page, "#message", "Чек № 1 напечатан")
    assert lost and lost[0].status == 200
    time.sleep(0.5)
    assert len(live_shop.register.receipts) == 1


def test_an_sku_or_an_article_typed_into_the_code_field_finds_the_item(page, live_shop):
    dresses = builders.product(
        "A0007",
        [
            builders.variant("A0007-RED-S", 259900, Цвет="красный", Размер="S"),
            builders.variant("A0007-RED-M", 259900, Цвет="красный", Размер="M"),
        ],
        name="Платье летнее",
    )
    live_shop.gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(dresses)))
    stock = builders.stock_set(**{"A0007-RED-S": 2, "A0007-RED-M": 2})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    open_sale(page, live_shop)
    scan(page, "A0007-RED-S")  # an sku
    line(page, "A0007-RED-S").wait_for()
    shows(page, "#message", "1 шт. в чеке")
    scan(page, "P-MUG")  # the article of a product with one variant
    line(page, "MUG").wait_for()
    scan(page, "A0007")  # an article of two variants: which one?
    choose = page.locator("#choose")
    choose.wait_for()
    assert "Код A0007 есть у нескольких товаров" in choose.inner_text()
    assert choose.locator(".choices button").count() == 2
    choose.locator(".choices button", has_text="A0007-RED-M").click()
    line(page, "A0007-RED-M").wait_for()
    scan(page, "A0007-BLUE-XL")
    shows(page, "#message", "Неизвестный код A0007-BLUE-XL")
    page.fill("#received", "10 000")
    page.click("#sell")
    shows(page, "#message", "Чек № 1 напечатан")
    wait_until(lambda: len(live_shop.register.receipts) == 1, "the receipt")
    names = sorted(item["name"] for item in live_shop.register.receipts[0]["items"])
    assert len(names) == 3 and "Кружка" in names
