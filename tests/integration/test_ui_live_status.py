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


# --- the tablet loses the gateway ---------------------------------------------------------------
# A frozen gateway or a tablet off the shop's Wi-Fi: the bar must not go on saying «работает».
LOST = "#bar-lost"


def lose_the_gateway(page) -> list:
    """Every /api/bar from now on fails as a network error does (the tablet's Wi-Fi gone)."""
    failed: list = []

    def fail(route):
        failed.append(route.request.url)
        route.abort("internetdisconnected")

    page.route("**/api/bar*", fail)
    return failed


def no_device_claims_to_work(page) -> None:
    assert page.locator("#devices .badge.ok").count() == 0
    words = page.locator("#devices .dev-word").all_inner_texts()
    assert words and not any("работает" in each or "на связи" in each for each in words), words


def test_the_bar_says_the_gateway_does_not_answer_and_comes_back_by_itself(page, live_shop):
    live_shop.sign_in(page, path="/stock")
    assert device(page, "Принтер").inner_text() == "работает"
    assert page.locator(LOST).is_hidden()
    failed = lose_the_gateway(page)
    page.locator(LOST).filter(has_text="Нет связи со шлюзом").wait_for(timeout=20_000)
    assert len(failed) >= 2  # one lost answer is not enough to say so
    no_device_claims_to_work(page)
    assert device(page, "Принтер").inner_text() == "неизвестно"
    live_shop.screenshot(page, "bar-gateway-lost")
    page.set_viewport_size({"width": 390, "height": 800})  # a phone: the short bar says it too
    assert page.locator(LOST).is_visible()
    live_shop.screenshot(page, "bar-gateway-lost-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.unroute("**/api/bar*")
    page.locator(LOST).wait_for(state="hidden", timeout=15_000)
    device(page, "Принтер").filter(has_text="работает").wait_for()
    assert page.locator("#devices .badge.ok").count() >= 1


def test_one_lost_answer_does_not_flash_the_warning(page, live_shop):
    live_shop.sign_in(page, path="/stock")
    page.evaluate(
        """() => { window.lostShown = false;
        new MutationObserver(() => {
          const lost = document.getElementById("bar-lost");
          if (lost && !lost.hidden) window.lostShown = true;
        }).observe(document.getElementById("bar"),
                   {subtree: true, attributes: true, childList: true});
        }"""
    )
    failed: list = []

    def once(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/api/bar*", once)
    with page.expect_request("**/api/bar*", timeout=15_000):
        pass  # the first ask fails
    page.wait_for_timeout(12_000)  # the next asks are answered
    assert failed
    assert page.evaluate("window.lostShown") is False
    assert device(page, "Принтер").inner_text() == "работает"


def test_a_gateway_that_never_answers_is_said_in_english_too(page, live_shop):
    """A frozen gateway: the request hangs (no error at all); the bar gives up on it."""
    live_shop.sign_in(page, path="/stock?lang=en")
    hung: list = []
    page.route("**/api/bar*", lambda route: hung.append(route))  # never answered
    page.locator(LOST).filter(has_text="No connection to the gateway").wait_for(timeout=25_000)
    assert device(page, "Printer").inner_text() == "unknown"
    assert page.locator("#devices .badge.ok").count() == 0
    live_shop.screenshot(page, "bar-gateway-lost-en")
    page.unroute("**/api/bar*")
    page.locator(LOST).wait_for(state="hidden", timeout=15_000)
    device(page, "Printer").filter(has_text="working").wait_for()


def test_a_gateway_that_answers_with_errors_is_not_called_a_wifi_problem(page, live_shop):
    """The web server answers 500 (the database broken, say): the Wi-Fi is fine, so the bar
    must not send the staff to check it; «Остатки» stops claiming the scanner shows items."""
    live_shop.sign_in(page, path="/stock")
    scanner = page.locator("#scanner-state")
    scanner.filter(has_text="Сканер: покажет товар здесь").wait_for()
    fail = lambda route: route.fulfill(status=500, body="Internal Server Error")  # noqa: E731
    page.route("**/api/bar*", fail)
    page.route("**/api/scanner", fail)
    page.locator(LOST).filter(has_text="Шлюз отвечает ошибкой").wait_for(timeout=20_000)
    assert "Wi-Fi" not in page.locator(LOST).inner_text()
    assert "storegw doctor" in page.locator(LOST).get_attribute("title")
    no_device_claims_to_work(page)
    scanner.filter(has_text="Сканер: неизвестно").wait_for()
    assert scanner.locator(".badge.ok").count() == 0
    live_shop.screenshot(page, "bar-gateway-errors")
    page.unroute("**/api/bar*")
    page.unroute("**/api/scanner")
    page.locator(LOST).wait_for(state="hidden", timeout=15_000)
    scanner.filter(has_text="Сканер: покажет товар здесь").wait_for()
