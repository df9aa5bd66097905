"""«Остатки» in a real browser against a running gateway: a barcode scanned with the USB scanner
simulator (no receiving or stocktake holding it) opens the variant with its characteristics,
numbers and history; a manager corrects the stock with a reason and sets the threshold; a
cashier's correction asks for the manager's PIN; tablet and phone screenshots."""

import time

from playwright.sync_api import expect

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from simulators.backoffice.shop import ean13_check_digit
from tests import builders
from tests.signin import MANAGER_PIN

HOODIE_CODE = "460555000001" + ean13_check_digit("460555000001")
PHONE = {"width": 390, "height": 844}


def wait_until(condition, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def add_hoodies(live_shop) -> None:
    """A product with characteristics (the browser shop's own are simple), stock and a web
    order holding two of the blue M."""
    blue_m = builders.variant(
        "HD-BLUE-M", 359000, [{"code": HOODIE_CODE}], Цвет="синий", Размер="M"
    )
    blue_m["min_stock"] = 3
    blue_l = builders.variant("HD-BLUE-L", 359000, Цвет="синий", Размер="L")
    hoodie = builders.product(
        "P-HD", [blue_m, blue_l], ["Цвет", "Размер"], name="Толстовка Север", article="HD-7"
    )
    gateway = live_shop.gateway
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(hoodie)))
    stock = builders.stock_set(**{"HD-BLUE-M": 6, "HD-BLUE-L": 4})
    gateway.run(apply_stock_change, parse_stock_change("set", stock))
    gateway.run(create_order, builders.order("W-31", ("HD-BLUE-M", 2)))


def test_a_scanned_barcode_shows_the_variant_and_a_manager_corrects_it(page, live_shop):
    add_hoodies(live_shop)
    wait_until(lambda: live_shop.gateway.hardware.scanner.status == "ok", "the scanner reader")
    live_shop.sign_in(page, live_shop.manager, "/stock")
    expect(page.locator("#results-empty")).to_contain_text("отсканируйте товар")
    expect(page.locator("#card-empty")).to_be_visible()
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: покажет товар здесь")
    live_shop.screenshot(page, "stock-empty")

    live_shop.scanner.scan(HOODIE_CODE)
    card = page.locator("#card")
    expect(card.locator("#card-title")).to_have_text("Толстовка Север")
    expect(card.locator(".card-chars")).to_contain_text("Цвет: синий")
    expect(card.locator(".card-chars")).to_contain_text("Размер: M")
    tiles = card.locator(".tile-value")
    expect(tiles).to_have_text(["6", "2", "4"])  # на складе, в резерве, доступно
    expect(card.locator(".card-head .badge")).to_have_text("в наличии")
    expect(card.locator("#threshold")).to_contain_text("Порог: 3 шт. · из каталога")
    expect(card).to_contain_text("Заказ № W-31: в резерве 2")
    history = card.locator("#history tbody tr")
    expect(history).to_have_count(1)  # moves of goods; the reserve is shown above, by order
    expect(history.nth(0)).to_contain_text("Остаток из облака")
    expect(page.locator("#results .result")).to_have_count(1)
    button = page.locator("#correct").bounding_box()  # the card's action above the fold
    assert button is not None and button["y"] + button["height"] <= 800, button
    live_shop.screenshot(page, "stock-scanned")

    # Two were damaged: the manager counts 4 on the shelf (6 → 4, available 2: running out).
    page.click("#correct")
    dialog = page.locator("dialog.stock-dialog")
    dialog.locator('input[name="on_hand"]').fill("1")
    expect(dialog.locator(".becomes")).to_contain_text("Нельзя меньше, чем в резерве (2 шт.)")
    dialog.locator('input[name="on_hand"]').fill("4")
    expect(dialog.locator(".becomes")).to_have_text("Станет 4 шт. (−2)")
    dialog.locator("button.primary").click()
    expect(dialog.locator("[role=alert]")).to_have_text("Выберите причину.")
    dialog.locator('input[value="damage"]').check()
    dialog.locator('input[name="note"]').fill("порван рукав")
    live_shop.screenshot(page, "stock-correct-dialog")
    dialog.locator("button.primary").click()
    expect(page.locator("#message")).to_have_text(
        "Толстовка Север (синий, M): на складе теперь 4 шт. (−2)."
    )
    expect(tiles).to_have_text(["4", "2", "2"])
    expect(card.locator(".card-head .badge")).to_have_text("заканчивается")
    expect(history.nth(0)).to_contain_text("Исправление остатка: Порча — порван рукав")
    expect(history.nth(0)).to_contain_text("Ольга")
    expect(history.nth(0)).to_contain_text("−2")
    low = [data for kind, data in live_shop.gateway.read(_events) if kind == "stock.low"]
    assert low and '"HD-BLUE-M"' in low[-1]  # the cloud is told it runs out

    # The threshold: the shop's own, kept apart from the catalog's.
    page.click("#set-min")
    dialog = page.locator("dialog.stock-dialog")
    expect(dialog).to_contain_text("В каталоге: 3")
    dialog.locator('input[name="min_stock"]').fill("1")
    dialog.locator("button.primary").click()
    expect(card.locator("#threshold")).to_contain_text("Порог: 1 шт. · задан в магазине")
    expect(card.locator(".card-head .badge")).to_have_text("в наличии")

    # Typed search: Cyrillic in another case finds both variants.
    page.fill("#q", "ТОЛСТОВКА")
    page.click("#search-form button.primary")
    expect(page.locator("#results .result")).to_have_count(2)
    live_shop.screenshot(page, "stock-tablet")


def _events(conn):
    return [(r[0], r[1]) for r in conn.execute("SELECT type, data_json FROM outbox")]


def test_a_cashiers_correction_asks_for_the_managers_pin(page, live_shop):
    add_hoodies(live_shop)
    live_shop.sign_in(page, live_shop.cashier, "/stock?sku=HD-BLUE-L")
    card = page.locator("#card")
    expect(card.locator("#card-title")).to_have_text("Толстовка Север")
    expect(card).to_contain_text("планшет попросит его PIN")
    page.click("#correct")
    dialog = page.locator("dialog.stock-dialog")
    dialog.locator('input[name="on_hand"]').fill("5")
    dialog.locator('input[value="found"]').check()
    dialog.locator("button.primary").click()
    override = page.locator("#override-screen")
    expect(override).to_be_visible()  # Ольга types her PIN on Анна's screen
    pad = override.locator('[data-pad="override"]')
    expect(pad.locator("[data-picked]")).to_have_text("Ольга")  # the only manager: chosen
    live_shop.screenshot(page, "stock-override")
    for digit in MANAGER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()
    expect(page.locator("#message")).to_contain_text("на складе теперь 5 шт. (+1)")
    expect(card.locator("#history tbody tr").nth(0)).to_contain_text("Анна")


def test_the_phone_shows_the_item_first(browser, live_shop):
    add_hoodies(live_shop)
    context = browser.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        live_shop.sign_in(page, live_shop.manager, "/stock")
        page.fill("#q", "север")
        page.click("#search-form button.primary")
        expect(page.locator("#results .result")).to_have_count(2)
        live_shop.screenshot(page, "stock-phone-results")
        page.locator('#results .result[data-sku="HD-BLUE-M"]').click()
        expect(page.locator("#card .tile-value")).to_have_text(["6", "2", "4"])
        # The item's numbers and the correction button are on the first screen.
        box = page.locator("#correct").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
        live_shop.screenshot(page, "stock-phone-card")
    finally:
        context.close()
    assert errors == []
