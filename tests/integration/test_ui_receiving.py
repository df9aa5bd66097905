"""«Приёмка» in a real browser against a running gateway: a delivery typed by the USB scanner
simulator shows up with running counts (a box adds its pack), an unknown label is linked to an
item from the page and learned, posting asks once, adds the stock and prints the receiving
report; a scan mangled by a Russian keyboard layout is shown in red and changes nothing; a posted
delivery says which waiting web orders it filled, with links to them."""

from playwright.sync_api import expect

from gateway.services.orders import create_order
from tests import builders
from tests.browser import MUG, SHIRT_BOX, SHIRT_M
from tests.scan_pages import item_of as lookup
from tests.scan_pages import scanner_ready, wait_until

STRANGER = "2900000000018"  # the shop's own label: the catalog does not know it
# A Честный ЗНАК-like code with Latin letters: a Russian layout turns them into Cyrillic.
MARKED_SHIRT = "0104601234567893215abc"


def start_receiving(page, live_shop, supplier_ref: str = "", who=None) -> None:
    """`who` signs in on the PIN pad (Анна, the cashier, by default) and starts a receiving."""
    scanner_ready(live_shop)
    live_shop.sign_in(page, who, "/receiving")
    expect(page.locator("#drafts-empty")).to_be_visible()
    page.fill("#supplier-ref", supplier_ref)
    page.click("#start")
    expect(page.locator("h1")).to_have_text("Приёмка R-1")
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")
    expect(page.locator("#code")).to_be_focused()


def count_of(page, line: str):
    return page.locator(f'.row[data-line="{line}"] .count')


def test_a_delivery_scanned_linked_posted_and_printed(page, live_shop):
    # Linking an unknown label to an item is a manager's job.
    start_receiving(page, live_shop, supplier_ref="ТН-77", who=live_shop.manager)
    expect(page.locator("#doc-meta")).to_contain_text("накладная ТН-77")
    before = {"TS-M": lookup(page, live_shop, SHIRT_M), "MUG": lookup(page, live_shop, MUG)}

    # The storekeeper scans the delivery with the USB scanner: one shirt scanned twice by
    # accident (DOMAIN 33: the running count and the feed show it), a box of six, a mug and a
    # label the catalog does not know.
    for code in (SHIRT_M, SHIRT_M, SHIRT_BOX, MUG, STRANGER):
        live_shop.scanner.scan(code)
    expect(count_of(page, "TS-M")).to_have_text("8")
    expect(count_of(page, "MUG")).to_have_text("1")
    unknown = page.locator(f'.row.unknown[data-code="{STRANGER}"]')
    expect(unknown).to_contain_text(STRANGER)
    expect(unknown.locator(".count")).to_have_text("1")
    expect(unknown).to_have_class("row unknown last")  # the last scan is highlighted
    feed = page.locator("#feed")
    expect(feed).to_contain_text("+6 Футболка базовая (TS-M) → 8 шт.")
    expect(feed.locator("li", has_text="+1 Футболка базовая (TS-M)")).to_have_count(2)
    expect(page.locator("#summary")).to_contain_text("всего 9 шт. по 2 позициям")
    expect(page.locator("#unknown-box")).to_contain_text("Неизвестные коды")

    # A code typed into the field counts like a scan, on the line it belongs to.
    page.fill("#code", SHIRT_M)
    page.press("#code", "Enter")
    expect(count_of(page, "TS-M")).to_have_text("9")
    expect(page.locator('.row.last[data-line="TS-M"]')).to_contain_text("+1 последний скан")
    # ... and «−» takes the accidental double scan back.
    page.locator('.row[data-line="TS-M"] button.step', has_text="−").click()
    expect(count_of(page, "TS-M")).to_have_text("8")
    expect(page.locator('.row.last[data-line="TS-M"]')).to_contain_text("−1 вручную")
    live_shop.screenshot(page, "receiving-scanned")
    page.screenshot(path=str(live_shop.shots / "receiving-scanned-tablet.png"))  # the fold

    # The unknown label is a mug: «Привязать», then the mug's own barcode on the USB scanner
    # finds it (the scanner looks items up while the dialog is open).
    unknown.get_by_role("button", name="Привязать").click()
    expect(page.locator("#link")).to_be_visible()
    expect(page.locator("#link-learn")).to_be_checked()
    expect(page.locator("#scanner-state")).to_contain_text("ищет товар")
    live_shop.scanner.scan(MUG)
    expect(page.locator("#link-found")).to_contain_text("Кружка (MUG)")
    live_shop.screenshot(page, "receiving-link")
    page.click("#link-do")
    expect(page.locator("#link")).to_be_hidden()
    expect(page.locator("#message")).to_contain_text(f"Код {STRANGER} привязан: Кружка (MUG)")
    expect(page.locator("#message")).to_contain_text("Код запомнен")
    expect(count_of(page, "MUG")).to_have_text("2")
    expect(page.locator("#unknown-box")).to_be_hidden()
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")
    assert lookup(page, live_shop, STRANGER)["sku"] == "MUG"  # learned

    # «Провести» asks once, saying what will happen; «Вернуться» changes nothing.
    page.click("#post")
    ask = page.locator("dialog.ask[open]")
    expect(ask).to_contain_text("Добавить на склад 10 шт. по 2 позициям?")
    live_shop.screenshot(page, "receiving-confirm")
    ask.get_by_role("button", name="Вернуться").click()
    expect(ask).to_have_count(0)
    assert lookup(page, live_shop, SHIRT_M)["on_hand"] == before["TS-M"]["on_hand"]
    page.click("#post")
    page.locator("dialog.ask[open]").get_by_role("button", name="Провести").dblclick()

    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#message")).to_contain_text(
        "Приёмка R-1 проведена: на склад добавлено 10 шт. по 2 позициям."
    )
    expect(page.locator("#done-title")).to_contain_text("проведена")
    assert lookup(page, live_shop, SHIRT_M)["on_hand"] == before["TS-M"]["on_hand"] + 8
    assert lookup(page, live_shop, MUG)["on_hand"] == before["MUG"]["on_hand"] + 2

    [report] = live_shop.printer.wait_for_documents(1)
    assert "R-1" in report.text and "TS-M" in report.text and "Ольга" in report.text
    expect(page.locator("#print-state")).to_contain_text(
        "Отчёт о приёмке напечатан", timeout=15_000
    )
    live_shop.screenshot(page, "receiving-posted")
    # The scanner is free again: the next scan is only a lookup, not a second receiving.
    status = page.request.get(f"{live_shop.url}/api/scanner").json()
    assert status["target"] is None
    assert len(live_shop.printer.documents) == 1  # posted once, printed once


def test_a_wrong_layout_scan_is_red_and_changes_nothing(page, live_shop):
    # Posting with an unknown code left on the document is a manager's decision.
    start_receiving(page, live_shop, who=live_shop.manager)
    live_shop.scanner.scan(MARKED_SHIRT, layout="ru")
    refused = page.locator("#feed li.scan-bad")
    expect(refused).to_contain_text("русской раскладке")
    expect(page.locator("#message")).to_have_class("bad")
    expect(page.locator("#message")).to_contain_text("переключите раскладку на английскую")
    # A misread check digit typed into the field: refused in red too, in Russian.
    page.fill("#code", "4601234567890")
    page.press("#code", "Enter")
    expect(page.locator("#message")).to_contain_text("Неверная контрольная цифра")
    expect(refused).to_have_count(2)
    live_shop.screenshot(page, "receiving-refused")
    view = page.request.get(f"{live_shop.url}/api/receivings/R-1").json()
    assert view["lines"] == [] and view["unknown"] == []
    expect(page.locator("#lines")).to_contain_text("Здесь появятся отсканированные товары")

    # An unknown code left on the document: posting says it will not reach the stock.
    live_shop.scanner.scan(SHIRT_M)
    live_shop.scanner.scan(STRANGER)
    expect(page.locator(f'.row.unknown[data-code="{STRANGER}"]')).to_be_visible()
    expect(count_of(page, "TS-M")).to_have_text("1")
    page.click("#post")
    ask = page.locator("dialog.ask[open]")
    expect(ask).to_contain_text("Добавить на склад 1 шт. по 1 позиции?")
    expect(ask).to_contain_text("1 неизвестный код не попадёт на склад — провести?")
    ask.get_by_role("button", name="Провести").click()
    expect(page.locator("#done-text")).to_contain_text(
        f"Неизвестные коды не попали на склад: {STRANGER}"
    )
    assert lookup(page, live_shop, SHIRT_M)["on_hand"] == 11


def test_cancelling_a_receiving_asks_once_and_adds_nothing(page, live_shop):
    start_receiving(page, live_shop)
    page.fill("#code", MUG)
    page.press("#code", "Enter")
    expect(count_of(page, "MUG")).to_have_text("1")
    page.reload()  # the address keeps the open document
    expect(page.locator("h1")).to_have_text("Приёмка R-1")
    expect(count_of(page, "MUG")).to_have_text("1")
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")
    # Leaving the screen lets the scanner go (a keepalive request as the page hides) ...
    page.goto(live_shop.url + "/")
    scanner = f"{live_shop.url}/api/scanner"
    wait_until(lambda: page.request.get(scanner).json()["target"] is None, "the scanner let go")
    page.go_back()  # ... and coming back takes it again.
    expect(page.locator("h1")).to_have_text("Приёмка R-1")
    expect(page.locator("#scanner-state")).to_contain_text("Сканер: в этот документ")
    page.click("#void")
    ask = page.locator("dialog.ask[open]")
    expect(ask).to_contain_text("Отменить приёмку R-1?")
    expect(ask).to_contain_text("(1 шт.) не попадёт на склад")
    ask.get_by_role("button", name="Отменить приёмку").click()
    expect(page.locator("#message")).to_contain_text("Приёмка R-1 отменена")
    expect(page.locator("#choose")).to_be_visible()
    assert lookup(page, live_shop, MUG)["on_hand"] == 5
    page.goto(live_shop.url + "/receiving?lang=en")
    expect(page.locator("h1")).to_have_text("Receiving")
    expect(page.locator("#start")).to_have_text("Start receiving")


def test_a_posted_delivery_says_which_waiting_orders_it_filled(page, live_shop):
    # Two web orders wait for mugs: 5 on the shelf, 7 + 3 wanted (W-5 is 2 short, W-6 all 3).
    live_shop.gateway.run(create_order, builders.order("W-5", ("MUG", 7)))
    live_shop.gateway.run(create_order, builders.order("W-6", ("MUG", 3)))
    start_receiving(page, live_shop)
    page.fill("#code", MUG)
    page.press("#code", "Enter")
    expect(count_of(page, "MUG")).to_have_text("1")
    page.locator('.row[data-line="MUG"] button.step', has_text="+").click()
    page.locator('.row[data-line="MUG"] button.step', has_text="+").click()
    expect(count_of(page, "MUG")).to_have_text("3")
    page.click("#post")
    page.locator("dialog.ask[open]").get_by_role("button", name="Провести").click()

    # First come, first served: W-5 gets its 2 and is whole, W-6 gets the last one.
    expect(page.locator("#message")).to_contain_text("Заказ W-5 теперь собран полностью.")
    done = page.locator("#done-text")
    expect(done).to_contain_text("Заказ W-5 теперь собран полностью")
    expect(done).to_contain_text("Заказ W-6 получил часть товара, но ещё ждёт остальное.")
    expect(done.locator('a[data-order="W-5"]')).to_have_attribute("href", "/orders/W-5")
    expect(done.locator('a[data-order="W-6"]')).to_have_attribute("href", "/orders/W-6")
    live_shop.screenshot(page, "receiving-filled-orders")
    statuses = live_shop.gateway.run(
        lambda uow: (uow.orders.get("W-5").status, uow.orders.get("W-6").status)
    )
    assert statuses == ("reserved", "short")


def test_a_report_behind_an_offline_printer_says_it_waits_not_that_it_prints(page, live_shop):
    start_receiving(page, live_shop)
    live_shop.printer.offline = True
    wait_until(lambda: live_shop.gateway.status()["devices"]["printer"] == "offline", "offline")
    live_shop.scanner.scan(MUG)
    expect(count_of(page, "MUG")).to_have_text("1")
    page.click("#post")
    page.locator("dialog.ask[open]").get_by_role("button", name="Провести").click()
    expect(page.locator("#message")).to_contain_text("поставлен в очередь печати")
    state = page.locator("#print-state")
    expect(state).to_contain_text("ждёт печати")
    expect(state).not_to_contain_text("печатается")
    expect(state).to_contain_text("ждёт принтер", timeout=15_000)  # after a while: look at it
    live_shop.screenshot(page, "receiving-report-waits")
    live_shop.printer.offline = False
    expect(state).to_contain_text("Отчёт о приёмке напечатан", timeout=20_000)
