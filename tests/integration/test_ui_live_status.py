"""What the staff see about the printer without reloading the page: the status bar follows the
devices (nav.js asks /api/bar every few seconds as a background read, the idle lock's clock
untouched; «Устройства и связь», which reloads itself, does not ask), and the order screen says
a pick slip waits for the printer until it is printed, in the bar's and the devices page's
words («ждёт печати», «напечатан»)."""

import time

from gateway.services.orders import create_order
from tests import builders


def device(page, short):
    """The bar's word for one device, named by its short name."""
    return page.locator("#bar .device").filter(has_text=short).locator(".dev-word")


def watch_bar_requests(page) -> list[dict]:
    asked: list[dict] = []
    page.on(
        "request",
        lambda request: asked.append(request.headers) if "/api/bar" in request.url else None,
    )
    return asked


def test_the_bar_follows_the_printer_without_a_reload(page, live_shop):
    asked = watch_bar_requests(page)
    live_shop.sign_in(page, path="/stock")
    printer = device(page, "Принтер")
    assert printer.inner_text() == "работает"
    page.evaluate("window.notReloaded = true")
    live_shop.printer.offline = True
    printer.filter(has_text="нет связи").wait_for(timeout=15_000)
    live_shop.screenshot(page, "bar-printer-offline")
    live_shop.printer.offline = False
    printer.filter(has_text="работает").wait_for(timeout=15_000)
    assert page.evaluate("window.notReloaded") is True  # the same page, not a reload
    assert asked, "the bar never asked"
    assert all(headers.get("x-storegw-background") == "1" for headers in asked)  # nobody's touch


def test_the_bar_says_what_waits_for_an_offline_printer_in_english_too(page, live_shop):
    live_shop.sign_in(page, path="/stock?lang=en")
    live_shop.printer.paper_out = True
    device(page, "Printer").filter(has_text="paper out").wait_for(timeout=15_000)


def test_the_devices_page_reloads_itself_and_does_not_ask_for_the_bar(page, live_shop):
    asked = watch_bar_requests(page)
    live_shop.sign_in(page, path="/devices")
    time.sleep(7)  # longer than the bar's interval
    assert asked == []


def test_a_pick_slip_waits_for_an_offline_printer_and_then_says_it_printed(page, live_shop):
    live_shop.gateway.run(create_order, builders.order("W-3001", ("MUG", 1), number="3001"))
    live_shop.printer.offline = True
    deadline = time.monotonic() + 10
    while live_shop.gateway.status()["devices"]["printer"] != "offline":
        assert time.monotonic() < deadline, "the printer never read offline"
        time.sleep(0.05)
    live_shop.sign_in(page, path="/orders/W-3001")
    page.locator("#order").wait_for()
    page.click("#pick-slip")
    message = page.locator("#message")
    message.filter(has_text="Сборочный лист заказа 3001 ждёт печати").wait_for()
    assert "отправлен на принтер" not in message.inner_text()
    assert "wait" in (message.get_attribute("class") or "")
    # Still not printed a while later: it says so, and the bar counts it in the same words.
    message.filter(has_text="ждёт печати: принтер его не печатает").wait_for(timeout=15_000)
    device(page, "Принтер").filter(has_text="нет связи · ждут печати: 1").wait_for()
    live_shop.screenshot(page, "order-slip-waits")
    live_shop.printer.offline = False
    live_shop.printer.wait_for_documents(1, timeout=10)
    message.filter(has_text="Сборочный лист заказа 3001 напечатан").wait_for(timeout=15_000)
    live_shop.screenshot(page, "order-slip-printed")


def test_a_pick_slip_on_a_working_printer_says_it_printed(page, live_shop):
    live_shop.gateway.run(create_order, builders.order("W-3002", ("MUG", 1), number="3002"))
    live_shop.sign_in(page, path="/orders/W-3002")
    page.locator("#order").wait_for()
    page.click("#pick-slip")
    page.locator("#message").filter(has_text="Сборочный лист заказа 3002 напечатан").wait_for()
