"""«Заказы» and «Заказ № …» in a real browser against a running gateway with the register
simulator: an order applied while the board is open appears without a reload, with the alert
and the badge until someone opens it; confirm; ship one line with a cash receipt (the register's
archive has it, with the buyer's contact); cancel as a cashier with the manager's PIN and the
goods are available again; a stale screen refuses and reloads; the board and the frame on a
phone. Orders are applied as the cloud's message is: `create_order` through the writer."""

import threading
import time
from contextlib import contextmanager

import uvicorn
from playwright.sync_api import expect

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, MANAGER
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import confirm_order, create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.loopback import free_port, port_accepts
from tests.mqtt_helpers import seed, start_linked, wait_in_sync
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in_on_page

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}


def wait_until(condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def shows(page, where, text):
    page.locator(where).filter(has_text=text).first.wait_for()


def add_dresses(live_shop) -> None:
    """A product whose variants differ by colour and size: what the picker must see."""
    dresses = builders.product(
        "P-DR",
        [
            builders.variant("DR-RED-M", 259900, Цвет="красный", Размер="M"),
            builders.variant("DR-BLUE-S", 259900, Цвет="синий", Размер="S"),
        ],
        name="Платье летнее",
    )
    live_shop.gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(dresses)))
    stock = builders.stock_set(**{"DR-RED-M": 3, "DR-BLUE-S": 1})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))


def arrive(live_shop, order_id, *lines, paid=True, number=None):
    """The cloud's `order.created`, applied as the MQTT handler applies it."""
    data = builders.order(order_id, *lines, paid=paid, number=number or order_id)
    data["lines"] = [
        {**line, "price": price}
        for line, price in zip(data["lines"], [259900, 45000, 129900], strict=False)
    ]
    return live_shop.gateway.run(create_order, data)


def available(live_shop, sku):
    rows = live_shop.gateway.read(
        lambda conn: conn.execute(
            "SELECT on_hand - reserved - safety FROM stock_level WHERE sku = ?", (sku,)
        ).fetchall()
    )
    return rows[0][0]


def card(page, number):
    return page.locator("#cards a.card").filter(has_text=f"№ {number}")


def open_order(page, live_shop, order_id, who=None):
    live_shop.sign_in(page, who, f"/orders/{order_id}")
    page.locator("#order").wait_for()


def test_a_new_order_appears_on_the_open_board_and_alerts_until_it_is_opened(page, live_shop):
    add_dresses(live_shop)
    live_shop.sign_in(page)  # `/`: the tablet's home is the board
    assert page.url.endswith("/orders")
    assert page.inner_text("h1") == "Заказы"
    shows(page, "#empty", "Заказ из интернет-магазина появится здесь сам")
    page.evaluate("window.notReloaded = true")
    page.click("h1")  # a tap: the browser lets the page make sounds from now on
    wait_until(lambda: page.evaluate("desk.audio && desk.audio.state") == "running", "sound on")
    assert page.locator("#sound-on").is_hidden()
    page.evaluate("desk.repeatMs = 400")  # the ~20 s repeat, shortened for the test
    arrive(live_shop, "W-1001", ("DR-RED-M", 1), ("MUG", 2))
    card(page, "W-1001").wait_for(timeout=3000)
    assert page.evaluate("window.notReloaded") is True
    one = card(page, "W-1001")
    for text in ("новый", "ждёт подтверждения", "Анна", "+79001234567", "оплачен онлайн",
                 "Платье летнее (M, красный) × 1", "Кружка × 2", "3\u202f499,00 ₽"):  # fmt: skip
        assert text in one.inner_text(), text
    shows(page, "#message", "Новый заказ W-1001")
    badge = page.locator("#nav-orders [data-orders-unseen]")
    assert badge.inner_text() == "новых: 1"
    assert page.locator("#nav-orders [data-orders-open]").inner_text() == "1"
    assert page.locator('[data-count="new"]').inner_text() == "1"
    wait_until(lambda: page.evaluate("desk.sounded") >= 2, "the alert to sound and repeat")
    live_shop.screenshot(page, "board-new-order")

    one.click()  # opening it is what stops the alert
    page.locator("#order").wait_for()
    assert page.inner_text("h1") == "Заказ № W-1001"
    shows(page, "#history", "Заказ открыт на планшете")
    page.go_back()
    card(page, "W-1001").wait_for()
    page.evaluate("desk.repeatMs = 400")
    wait_until(lambda: badge.is_hidden(), "the badge to go")
    assert "новый" not in card(page, "W-1001").inner_text()
    alerts = page.evaluate("desk.alerts")
    time.sleep(1.5)  # three repeats' worth: none comes for an order someone opened
    assert page.evaluate("desk.alerts") == alerts

    page.fill("#search", "79001234")  # by phone, across every tab
    shows(page, "#search-note", "Найдено во всех вкладках")
    card(page, "W-1001").wait_for()
    page.fill("#search", "нет-такого")
    shows(page, "#empty", "ничего не нашлось")


def test_confirm_then_ship_one_line_with_a_cash_receipt(page, live_shop):
    add_dresses(live_shop)
    arrive(live_shop, "W-2001", ("DR-RED-M", 1), ("MUG", 1), paid=False)
    open_order(page, live_shop, "W-2001")
    lines = page.locator("#lines tbody tr")
    assert "Размер: M, Цвет: красный" in lines.first.inner_text()
    assert "DR-RED-M" in lines.first.inner_text()
    assert "Оплата при получении: 3\u202f049,00 ₽" in page.inner_text("#payment")
    assert "anna@example.ru" in page.inner_text("#buyer")
    confirm = page.locator("#confirm-order")
    box = confirm.bounding_box()
    assert box["y"] + box["height"] <= TABLET["height"], "«Подтвердить» is below the fold"
    live_shop.screenshot(page, "order-new")
    confirm.click()
    shows(page, "dialog#confirm", "Товар проверен на полке")
    page.locator('dialog#confirm [data-answer="yes"]').dblclick()  # a double tap: one confirm
    shows(page, "#message", "Заказ W-2001 подтверждён — можно собирать.")
    shows(page, "#state", "собрать и выдать")
    assert page.locator("#confirm-order").is_hidden()

    page.click("#ship-order")
    dialog = page.locator("#ship-dialog")
    dialog.locator('.ship-line[data-line="2"] input[type=checkbox]').uncheck()  # not the mug
    dialog.locator("#received").fill("3000")
    shows(page, "#ship-will", "Списать 1 шт. со склада и снять резерв; чек на 2\u202f599,00 ₽")
    assert "сдача 401,00 ₽" in page.inner_text("#ship-will")
    assert "anna@example.ru" in page.inner_text("#ship-note")
    live_shop.screenshot(page, "order-ship-dialog")
    page.locator("#ship-do").dblclick()
    shows(page, "#message", "Заказ W-2001: отгружено 1 шт., чек № ")
    shows(page, "#message", "в очереди на печать")
    wait_until(lambda: len(live_shop.register.receipts) == 1, "the receipt")
    [receipt] = live_shop.register.receipts
    assert receipt["buyer_contact"] == "anna@example.ru"
    assert receipt["total"] == 259900 and receipt["change"] == 40100
    assert [item["name"] for item in receipt["items"]] == ["Платье летнее (M, красный)"]
    shows(page, "#state", "частично отгружен")
    shows(page, "#receipts", "напечатан")
    page.locator("#receipts button").filter(has_text="Чек ещё раз").click()
    shows(page, "#message", "Копия чека № ")
    shows(page, "#history", "Отгружено 1 шт., чек №")
    time.sleep(0.3)
    assert len(live_shop.register.receipts) == 1  # the double tap shipped once
    live_shop.screenshot(page, "order-shipped")


def test_a_cashier_cancels_with_the_managers_pin_and_the_goods_are_available_again(page, live_shop):
    add_dresses(live_shop)
    arrive(live_shop, "W-3001", ("DR-BLUE-S", 1), ("MUG", 1))
    assert available(live_shop, "DR-BLUE-S") == 0
    open_order(page, live_shop, "W-3001")  # Анна, a cashier
    page.click("#cancel-order")
    shows(page, "#reason-will", "Снять резерв 2 шт. — товар снова будет доступен")
    page.click("#reason-do")
    shows(page, "#reason-error", "Выберите причину.")
    page.click('[data-reason="no_show"]')
    live_shop.screenshot(page, "order-cancel-reason")
    page.click("#reason-do")
    override = page.locator("#override-screen")
    override.wait_for()  # cancelling is a manager's: Ольга types her PIN on Анна's screen
    pad = override.locator('[data-pad="override"]')
    assert pad.locator("[data-picked]").inner_text() == "Ольга"  # the only manager: chosen
    for digit in MANAGER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()
    shows(page, "#message", "Заказ W-3001 отменён: резерв снят, 2 шт. снова в продаже.")
    shows(page, "#state", "отменён")
    shows(page, "#finished", "Заказ отменён: покупатель не пришёл.")
    assert available(live_shop, "DR-BLUE-S") == 1
    assert page.locator("#cancel-order").is_hidden() and page.locator("#ship-order").is_hidden()
    shows(page, "#history", "Отменён: покупатель не пришёл")
    live_shop.screenshot(page, "order-cancelled")


def test_a_stale_screen_refuses_and_reloads(page, live_shop):
    add_dresses(live_shop)
    arrive(live_shop, "W-4001", ("DR-RED-M", 1), ("MUG", 1))
    open_order(page, live_shop, "W-4001")
    page.click("#ship-order")  # the screen shows the order as it was...
    page.locator("#ship-dialog").wait_for()
    live_shop.gateway.run(confirm_order, "W-4001", by=live_shop.manager)  # ...another tablet
    page.click("#ship-do")
    shows(page, "#message", "Заказ изменился, пока экран был открыт")
    shows(page, "#confirmed-by", "Подтвердил(а) Ольга")  # reloaded: the change is shown
    assert len(live_shop.register.receipts) == 0
    page.click("#ship-order")
    page.click("#ship-do")  # now it ships, against the order as it is
    shows(page, "#message", "Заказ W-4001 отгружен, чек №")


def test_the_release_of_one_lines_reserve_by_a_manager(page, live_shop):
    add_dresses(live_shop)
    arrive(live_shop, "W-5001", ("DR-BLUE-S", 1), ("MUG", 1))
    open_order(page, live_shop, "W-5001", live_shop.manager)
    row = page.locator('#lines tr[data-sku="DR-BLUE-S"]')
    row.get_by_role("button", name="Снять резерв").click()
    shows(page, "#reason-title", "Снять резерв: Платье летнее?")
    page.click('[data-reason="other"]')
    page.click("#reason-do")
    shows(page, "#reason-error", "Напишите причину")
    page.fill("#reason-text", "передумала брать синее")
    page.click("#reason-do")
    shows(page, "#message", "Резерв снят: Платье летнее, 1 шт. снова в продаже.")
    assert available(live_shop, "DR-BLUE-S") == 1
    shows(page, '#lines tr[data-sku="DR-BLUE-S"]', "снято с заказа 1 шт.")
    assert page.locator("#lines").get_by_role("button", name="Снять резерв").count() == 0


def test_the_frame_folds_on_a_phone_and_each_main_action_is_in_view(page, live_shop):
    add_dresses(live_shop)
    arrive(live_shop, "W-6001", ("DR-RED-M", 1))
    for size, tag in ((PHONE, "phone"), (TABLET, "tablet")):
        page.set_viewport_size(size)
        live_shop.sign_in(page, path="/orders")
        card(page, "W-6001").wait_for()
        in_view(page, card(page, "W-6001"), size, "the new order's card")
        live_shop.screenshot(page, f"{tag}-orders")
        page.goto(live_shop.url + "/orders/W-6001")
        in_view(page, page.locator("#confirm-order"), size, "«Подтвердить»")
        live_shop.screenshot(page, f"{tag}-order")
        page.goto(live_shop.url + "/sale")
        in_view(page, page.locator("#code"), size, "the sale's code field")
        live_shop.screenshot(page, f"{tag}-sale")
        page.goto(live_shop.url + "/shift")
        page.locator("#open, #close").first.wait_for()
        in_view(page, page.locator("#open, #close").first, size, "the shift's open/close")
        live_shop.screenshot(page, f"{tag}-shift")
    page.set_viewport_size(PHONE)
    page.goto(live_shop.url + "/orders")
    header = page.locator("#frame").bounding_box()
    assert header["height"] <= 130, f"the frame takes {header['height']}px of a phone"
    assert page.locator("#nav-links").is_hidden()
    menu = page.locator("#nav-menu")
    assert "Заказы" in menu.inner_text()
    arrive(live_shop, "W-6002", ("MUG", 1))  # a new order: its badge on the folded menu
    expect(menu.locator("[data-orders-unseen]")).to_have_text("1")
    assert page.locator(".dev-word").first.is_hidden()  # devices: short names and icons
    page.click("#devices")  # words on a tap
    assert page.locator(".dev-word").first.is_visible()
    menu.click()
    page.get_by_role("link", name="Смена").click()
    page.wait_for_url("**/shift")
    assert "Смена" in page.inner_text("#nav-menu")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a phone"


def in_view(page, element, size, what):
    # The board redraws itself live: a card shown a moment ago may be between two drawings.
    element.wait_for()
    box = element.bounding_box()
    for _ in range(50):
        if box is not None:
            break
        page.wait_for_timeout(100)
        box = element.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["y"] + box["height"] <= size["height"], f"{what} is below the fold at {size}"
    assert box["x"] + box["width"] <= size["width"], f"{what} is off the side at {size}"


# --- the real cloud: the back-office simulator over a real Mosquitto -----------------------------
@contextmanager
def served(gateway):
    """The gateway's web app on a free loopback port (as `storegw run` serves it)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(gateway.web_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_until(lambda: port_accepts(port), "the web server")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_cloud_order_appears_on_the_open_board_and_a_cancel_gives_the_cloud_its_stock(
    page, broker, tmp_path
):
    gateway, cloud = start_linked(tmp_path / "g.db", broker.url)
    try:
        seed(cloud, CUP=2)
        wait_in_sync(cloud, tmp_path / "g.db")
        assert cloud.available["CUP"] == 2
        add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
        add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
        with served(gateway) as url:
            sign_in_on_page(page, url, "Ольга", MANAGER_PIN, "/orders")
            page.evaluate("window.notReloaded = true")
            cloud.send("order.created", builders.order("W-900", ("CUP", 2)))
            card(page, "W-900").wait_for(timeout=5000)  # the cloud's order, on the open board
            assert page.evaluate("window.notReloaded") is True
            expect(page.locator("#nav-orders [data-orders-unseen]")).to_have_text("новых: 1")
            assert cloud.wait_for(lambda c: c.available.get("CUP") == 0, 10)
            card(page, "W-900").click()
            page.locator("#order").wait_for()
            page.click("#cancel-order")
            page.click('[data-reason="no_goods"]')
            page.click("#reason-do")
            shows(page, "#message", "Заказ W-900 отменён: резерв снят, 2 шт. снова в продаже.")
            # The web shop can sell the two cups again: the stock.changed the cloud receives.
            assert cloud.wait_for(lambda c: c.available.get("CUP") == 2, 10), cloud.available
            assert cloud.orders["W-900"] == "cancelled"
            changes = [e for e in cloud.events() if e["type"] == "stock.changed"]
            last = [i for i in changes[-1]["data"]["items"] if i["sku"] == "CUP"]
            assert last and last[0]["available"] == 2
    finally:
        cloud.stop()
        gateway.stop()
