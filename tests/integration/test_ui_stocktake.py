"""«Инвентаризация» in a real browser against a running gateway: a count scanned with the USB
scanner simulator finds a shortage, the report before applying says what on hand becomes and
what reserve is taken from orders (DOMAIN 31), applying asks once and changes on hand."""

from playwright.sync_api import expect

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services import stocktake
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order, ship_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.browser import MUG, SHIRT_BOX, SHIRT_M
from tests.scan_pages import item_of as stock
from tests.scan_pages import scanner_ready


def row(page, sku: str):
    return page.locator(f'#lines tr[data-sku="{sku}"]')


def test_a_count_finds_a_shortage_that_takes_reserve_and_applies_once(page, live_shop):
    # A web order holds 4 of the 5 mugs on the book; the shelf has only 2.
    live_shop.gateway.run(create_order, builders.order("W-7", ("MUG", 4)))
    scanner_ready(live_shop)
    live_shop.sign_in(page, live_shop.manager, "/stocktake")  # applying it is a manager's job
    expect(page.locator("#start-form")).to_be_visible()
    expect(page.locator("#start-form")).to_contain_text("Остаток не изменится")
    expect(page.locator("#start-form")).to_contain_text("Остаток станет 0")
    live_shop.screenshot(page, "stocktake-start")
    page.click("#start")
    expect(page.locator("h1")).to_have_text("Инвентаризация INV-1")
    expect(page.locator("#take-meta")).to_contain_text("неотсканированное останется как есть")
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")

    for code in (MUG, MUG, SHIRT_BOX, SHIRT_M, SHIRT_M, SHIRT_M, SHIRT_M):
        live_shop.scanner.scan(code)
    mug = row(page, "MUG")
    expect(mug.locator(".count")).to_have_text("2")
    expect(row(page, "TS-M").locator(".count")).to_have_text("10")
    expect(row(page, "TS-M")).to_contain_text("совпадает")
    expect(mug).to_contain_text("−3 недостача")
    expect(mug.locator(".badge.bad")).to_have_count(3)  # red: the shortage eats reserve...
    expect(mug.locator(".reserve-orders li")).to_have_text(["Заказ № W-7 — 2 шт. оплачен на сайте"])
    expect(mug).to_contain_text("с заказов снимется резерв 2 шт.")
    expect(mug.locator(".will-be")).to_have_text("2")
    expect(page.locator("#summary")).to_contain_text("недостача 3 шт.")
    expect(page.locator("#summary")).to_contain_text("с заказов снимется резерв: 2 шт.")

    # Shoes have no readable barcode today: counted by hand. A typo is refused in words.
    page.fill("#manual-sku", "SH-43")
    page.fill("#manual-qty", "2")
    page.click("#manual-do")
    expect(page.locator("#message")).to_contain_text("Нет такого артикула: SH-43")
    page.fill("#manual-sku", "SH-42")
    page.click("#manual-do")
    expect(row(page, "SH-42").locator(".count")).to_have_text("2")
    expect(page.locator("#message")).to_contain_text("Кеды (SH-42): посчитано 2 (по учёту 2)")
    live_shop.screenshot(page, "stocktake-counting")
    page.screenshot(path=str(live_shop.shots / "stocktake-counting-tablet.png"))
    assert stock(page, live_shop, MUG)["on_hand"] == 5  # nothing changes before «Применить»

    page.click("#apply")
    ask = page.locator("dialog.ask[open]")
    expect(ask).to_contain_text("Изменить остатки по 1 позиции: недостача 3 шт.?")
    expect(ask).to_contain_text("С заказов будет снят резерв: 2 шт.")
    live_shop.screenshot(page, "stocktake-confirm")
    ask.get_by_role("button", name="Применить").dblclick()

    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#message")).to_contain_text(
        "Инвентаризация INV-1 применена: остатки изменены по 1 позиции."
    )
    result = page.locator('#done-lines tr[data-sku="MUG"]')
    expect(result).to_contain_text("−3")
    expect(result.locator(".count")).to_have_text("2")
    expect(page.locator("#done-text")).to_contain_text("С заказов снят резерв: 2 шт.")
    live_shop.screenshot(page, "stocktake-applied")
    mugs = stock(page, live_shop, MUG)
    assert (mugs["on_hand"], mugs["reserved"]) == (2, 2)
    assert stock(page, live_shop, SHIRT_M)["on_hand"] == 10
    assert live_shop.gateway.run(lambda uow: uow.orders.get("W-7").status) == "short"
    report = page.request.get(f"{live_shop.url}/api/stocktakes/INV-1").json()
    assert report["status"] == "applied" and report["items"] == [
        {"sku": "MUG", "delta": -3, "on_hand": 2}
    ]  # applied once, whatever the double tap


def test_a_partial_count_can_be_cancelled_and_the_page_speaks_english(page, live_shop):
    live_shop.sign_in(page, path="/stocktake?lang=en")  # Анна, the cashier: she may cancel it
    expect(page.locator("h1")).to_have_text("Stocktake")
    page.check("input[name=scope][value=skus]")
    page.fill("#skus", "MUG")
    page.check("input[name=uncounted][value=zero]")
    page.click("#start")
    expect(page.locator("#take-meta")).to_contain_text("what is not scanned becomes 0")
    page.goto(live_shop.url + "/stocktake?lang=en")  # the count in progress is continued
    expect(page.locator("h1")).to_have_text("Stocktake INV-1")
    page.fill("#code", SHIRT_M)
    page.press("#code", "Enter")
    expect(page.locator("#message")).to_contain_text("is not part of this stocktake")
    expect(page.locator("#not-counted-summary")).to_contain_text("their stock becomes 0")
    live_shop.screenshot(page, "stocktake-partial-en")
    page.click("#abandon")
    page.locator("dialog.ask[open]").get_by_role("button", name="Cancel the stocktake").click()
    expect(page.locator("#message")).to_contain_text("Stocktake INV-1 cancelled")
    expect(page.locator("#start-form")).to_be_visible()
    assert stock(page, live_shop, MUG)["on_hand"] == 5


def test_a_recount_takes_the_book_of_now(page, live_shop):
    """«Пересчитать» after a sale: the shelf's new count is compared with today's book."""
    live_shop.sign_in(page, live_shop.cashier, "/stocktake")
    page.click("#start")
    page.fill("#code", MUG)
    page.press("#code", "Enter")  # 1 mug counted against a book of 5
    expect(row(page, "MUG").locator(".count")).to_have_text("1")
    live_shop.gateway.run(create_order, builders.order("W-8", ("MUG", 2)))
    live_shop.gateway.run(ship_order, "W-8", by=live_shop.cashier)  # 2 sold meanwhile: book 3
    row(page, "MUG").get_by_role("button", name="Пересчитать").click()
    dialog = page.locator("dialog[open], .dialog:visible").last
    expect(dialog).to_contain_text("По учёту возьмётся сейчас")
    dialog.locator("input").fill("3")
    dialog.get_by_role("button", name="Сохранить").click()
    expect(row(page, "MUG").locator(".count")).to_have_text("3")
    expect(row(page, "MUG")).to_contain_text("совпадает")  # 3 counted against the book of now
    live_shop.screenshot(page, "stocktake-recount")


def test_an_order_that_arrives_while_applying_is_shown_to_confirm_again(page, live_shop):
    """The apply carries the orders the dialog showed: a web order that arrived meanwhile (it
    loses reserve too) makes the gateway refuse with nothing changed, and the page asks again
    with the new list."""
    run = live_shop.gateway.run
    run(create_order, builders.order("W-7", ("MUG", 3), paid=False))  # 5 mugs on the book
    live_shop.sign_in(page, live_shop.manager, "/stocktake")
    page.click("#start")
    expect(page.locator("h1")).to_have_text("Инвентаризация INV-1")
    page.fill("#manual-sku", "MUG")
    page.fill("#manual-qty", "2")
    page.click("#manual-do")
    expect(row(page, "MUG").locator(".count")).to_have_text("2")

    page.click("#apply")
    ask = page.locator("dialog.ask[open]")
    expect(ask.locator(".reserve-orders li")).to_have_text(["Заказ № W-7: Кружка — 1 шт."])
    run(create_order, builders.order("W-9", ("MUG", 2), paid=False))  # the 2 free mugs
    ask.get_by_role("button", name="Применить").click()

    again = page.locator("dialog.ask[open]")
    expect(again.locator(".reserve-changed")).to_contain_text(
        "Пока вы подтверждали, заказы, с которых снимется резерв, изменились"
    )
    expect(again.locator(".reserve-orders li")).to_have_text(
        ["новый Заказ № W-9: Кружка — 2 шт.", "Заказ № W-7: Кружка — 1 шт."]
    )  # the order that arrived is marked
    expect(again.locator(".reserve-changed")).to_contain_text("Новых заказов: 1")
    expect(page.locator("#message")).to_contain_text("проверьте новый список")
    mugs = stock(page, live_shop, MUG)
    assert (mugs["on_hand"], mugs["reserved"]) == (5, 5)  # the refused apply changed nothing
    live_shop.screenshot(page, "stocktake-orders-changed")
    again.get_by_role("button", name="Применить").click()

    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#message")).to_contain_text("Инвентаризация INV-1 применена")
    expect(page.locator("#done-text .reserve-orders li")).to_have_count(2)
    mugs = stock(page, live_shop, MUG)
    assert (mugs["on_hand"], mugs["reserved"]) == (2, 2)
    assert {o: run(lambda uow, o=o: uow.orders.get(o).status) for o in ("W-7", "W-9")} == {
        "W-7": "short",
        "W-9": "short",
    }


def _in_view(page, locator) -> bool:
    """All of the element is inside the window (not scrolled away, not below the fold)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def _ask_stays_readable(page, ask) -> None:
    """The question (and the warning) at the top, the buttons at the bottom, in view; the
    long list scrolls in its own box; the safe answer has the focus."""
    expect(ask.locator(".ask-list li").first).to_be_visible()
    assert _in_view(page, ask.locator(".ask-text")), "the question is scrolled out of view"
    assert _in_view(page, ask.locator(".ask-warn")), "the warning is scrolled out of view"
    for answer in ("yes", "no"):
        assert _in_view(page, ask.locator(f'button[data-answer="{answer}"]'))
    scroll = ask.locator(".ask-list").evaluate(
        "box => [box.scrollTop, box.scrollHeight > box.clientHeight,"
        " box.closest('dialog').scrollTop]"
    )
    assert scroll == [0, True, 0]  # the list overflows its own box, nothing is scrolled
    assert page.evaluate("document.activeElement.dataset.answer") == "no"


def test_a_long_list_of_orders_keeps_the_question_and_marks_what_is_new(page, live_shop):
    """QA: 12 skus counted at 0 take reserve from 156 web orders. The dialog opened scrolled to
    its end (the question out of view), and asking again did not show which orders were new."""
    run = live_shop.gateway.run
    skus = [f"LONG-{n:02d}" for n in range(1, 13)]
    run(
        apply_catalog,
        parse_catalog_upsert(
            builders.catalog(
                *(
                    builders.product(f"P-{sku}", [builders.variant(sku)], [], name=f"Товар {sku}")
                    for sku in skus
                )
            )
        ),
    )
    run(
        apply_stock_change, parse_stock_change("set", builders.stock_set(**dict.fromkeys(skus, 40)))
    )
    for n in range(156):  # 13 orders of 3 for each sku: 39 of the 40 reserved
        run(create_order, builders.order(f"W-{1000 + n}", (skus[n % 12], 3), paid=n % 5 == 0))
    take = run(stocktake.start_stocktake, by=live_shop.manager, skus=skus)["take_id"]
    for sku in skus:
        run(stocktake.set_stocktake_count, take, sku, 0, by=live_shop.manager)

    live_shop.sign_in(page, live_shop.manager, "/stocktake")
    expect(page.locator("h1")).to_have_text(f"Инвентаризация {take}")
    page.click("#apply")
    ask = page.locator("dialog.ask[open]")
    expect(ask.locator(".ask-text")).to_have_text(
        "Изменить остатки по 12 позициям: недостача 480 шт.?"
    )
    expect(ask.locator(".ask-warn")).to_contain_text("156 заказов станут «не хватает»:")
    expect(ask.locator(".ask-list li")).to_have_count(156)
    _ask_stays_readable(page, ask)
    page.screenshot(path=str(live_shop.shots / "stocktake-long-confirm-tablet.png"))

    # One more order takes the last free piece meanwhile: it loses its reserve too.
    run(create_order, builders.order("W-2000", ("LONG-05", 1), paid=False))
    ask.get_by_role("button", name="Применить").click()
    again = page.locator("dialog.ask[open]")
    expect(again.locator(".reserve-changed")).to_contain_text(
        "Пока вы подтверждали, заказы, с которых снимется резерв, изменились: проверьте новый"
        " список. Новых заказов: 1 — они отмечены и стоят первыми."
    )
    expect(again.locator(".ask-list li")).to_have_count(157)
    fresh = again.locator(".ask-list li.fresh")
    expect(fresh).to_have_count(1)
    expect(fresh).to_have_text("новый Заказ № W-2000: Товар LONG-05 — 1 шт.")
    expect(again.locator(".ask-list li").first).to_have_class("fresh new")
    _ask_stays_readable(page, again)
    page.screenshot(path=str(live_shop.shots / "stocktake-long-again-tablet.png"))

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the same, narrower
    _ask_stays_readable(page, again)
    assert _in_view(page, again.locator(".reserve-changed"))
    page.screenshot(path=str(live_shop.shots / "stocktake-long-again-phone.png"))
    page.keyboard.press("Escape")  # the safe answer: nothing changes
    expect(page.locator("dialog.ask[open]")).to_have_count(0)
    report = page.request.get(f"{live_shop.url}/api/stocktakes/{take}").json()
    assert report["status"] == "counting"


def test_a_field_tapped_while_the_document_opens_keeps_what_is_typed(page, live_shop):
    """Opening points the scanner at the document (a round trip); the page must not take the
    focus back to the code field after it, or the sku typed meanwhile lands in the wrong field."""
    held = []
    page.route("**/api/scanner/target", lambda route: held.append(route))
    live_shop.sign_in(page, live_shop.manager, "/stocktake")
    page.click("#start")
    expect(page.locator("h1")).to_have_text("Инвентаризация INV-1")
    while not held:
        page.wait_for_timeout(50)
    page.click("#manual-sku")  # the clerk taps the field while the scanner is being pointed
    held.pop().continue_()
    page.unroute("**/api/scanner/target")
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")
    page.keyboard.type("MUG")
    page.fill("#manual-qty", "2")
    page.click("#manual-do")
    expect(row(page, "MUG").locator(".count")).to_have_text("2")
    expect(page.locator("#code")).to_have_value("")
