"""The marking check before a sale (разрешительный режим) in a real browser against a running
gateway with the register simulator: on «Продажа» a code the simulated Честный ЗНАК refuses is
said with its reason, in red, and is not added -- scanned as the item or into the marking-code
dialog --; a code checked without an answer in time is added and marked «проверено без связи»;
the order's ship dialog refuses a sold code the same way; and the gateway checks the codes again
when the sale is sent, so a code refused meanwhile leaves the sale."""

import time

from gateway.domain.stock import parse_stock_change
from gateway.services.orders import confirm_order, create_order
from gateway.services.stock import apply_stock_change
from simulators.scanner.codes import marking_code
from tests import browser, builders

SHOES = browser.SHOES
CODES = [marking_code("0" + SHOES, f"5shoe{n}", short="dGVz") for n in range(1, 5)]
VALID, SOLD, FORGED, SILENT = CODES


def scan(page, code, field="#code"):
    page.fill(field, code)
    page.press(field, "Enter")


def shows(page, where, text):
    page.locator(where).filter(has_text=text).first.wait_for()


def line(page, sku):
    return page.locator(f'#lines tr[data-sku="{sku}"]')


def wait_until(condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def answers(live_shop) -> None:
    register = live_shop.register
    register.set_marking_answer("sold", SOLD)
    register.set_marking_answer("refused", FORGED)
    register.set_marking_answer("no_answer", SILENT)
    stock = builders.stock_set(**{"SH-42": 4})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))


def test_a_refused_code_shows_its_reason_and_is_not_added_to_the_sale(page, live_shop):
    answers(live_shop)
    live_shop.sign_in(page, path="/sale")
    scan(page, SOLD)  # the DataMatrix on the box: it would name the item and be its code
    shows(page, "#message", "Код уже продан — товар продавать нельзя")
    assert "bad" in page.get_attribute("#message", "class")
    shows(page, "#refused-codes li", "Код уже продан")
    assert page.locator("#lines").is_hidden()  # nothing was added
    live_shop.screenshot(page, "marking-refused")

    scan(page, VALID)
    shows(page, "#message", "Кеды: 1 шт. в чеке.")
    line(page, "SH-42").get_by_role("button", name="Добавить одну").click()
    dialog = page.locator("#marking")
    dialog.wait_for()
    scan(page, FORGED, "#marking-code")
    shows(page, "#marking-error", "Код не прошёл проверку Честного ЗНАКА")
    assert dialog.is_visible() and "коды: 1 из 2" in line(page, "SH-42").inner_text()
    assert page.locator("#refused-codes li").count() == 2
    scan(page, SILENT, "#marking-code")  # Честный ЗНАК is silent: the offline rule
    dialog.wait_for(state="hidden")
    shows(page, "#message", "Код проверен без связи (автономный режим).")
    assert "проверено без связи (автономный режим)" in line(page, "SH-42").inner_text()
    assert "коды: 2 из 2" in line(page, "SH-42").inner_text()
    live_shop.screenshot(page, "marking-offline")
    page.click("#pay-card")
    page.click("#sell")
    shows(page, "#message", "Чек № 1 напечатан")
    assert page.locator("#refused-codes").is_hidden()  # a new sale starts clean
    [receipt] = live_shop.register.receipts
    assert receipt["marking_codes"] == [VALID, SILENT]
    assert [item["2106"] for item in receipt["items"]] == [0x0F, 0x10]


def test_a_refused_code_in_english(page, live_shop):
    answers(live_shop)
    live_shop.sign_in(page, path="/sale?lang=en")
    scan(page, FORGED)
    shows(page, "#message", "not added: the code failed the Chestny ZNAK check")
    assert page.locator("#lines").is_hidden()


def test_the_ship_dialog_refuses_a_sold_code_with_its_reason(page, live_shop):
    answers(live_shop)
    data = builders.order("W-3001", ("SH-42", 1), paid=False)
    live_shop.gateway.run(create_order, data)
    live_shop.gateway.run(confirm_order, "W-3001", by=live_shop.manager)
    live_shop.sign_in(page, path="/orders/W-3001")
    page.locator("#order").wait_for()
    page.click("#ship-order")
    page.locator("#pay-card").click()
    page.click("#ship-do")
    page.locator("#marking").wait_for()
    scan(page, SOLD, "#marking-code")
    shows(page, "#marking-error", "Код уже продан — товар продавать нельзя")
    assert page.locator("#marking").is_visible()
    live_shop.screenshot(page, "marking-ship-refused")
    scan(page, VALID, "#marking-code")
    shows(page, "#message", "Заказ W-3001 отгружен, чек № 1")
    wait_until(lambda: len(live_shop.register.receipts) == 1, "the receipt")
    [receipt] = live_shop.register.receipts
    assert receipt["marking_codes"] == [VALID] and receipt["items"][0]["2106"] == 0x0F


def test_the_gateway_checks_again_when_selling_and_a_refused_code_leaves_the_sale(page, live_shop):
    """The page's answer is not trusted: by the time «Пробить чек» is tapped Честный ЗНАК says
    the code was sold (and the gateway's memory of the scan's answer is gone): nothing is sold,
    the code leaves the line, and the line asks for another unit's code."""
    answers(live_shop)
    live_shop.sign_in(page, path="/sale")
    scan(page, VALID)
    shows(page, "#message", "Кеды: 1 шт. в чеке.")
    live_shop.register.set_marking_answer("sold", VALID)
    live_shop.gateway.marking.forget([VALID])  # a few minutes later
    page.click("#pay-card")
    page.click("#sell")
    shows(page, "#message", "Код уже продан — товар продавать нельзя")
    shows(page, "#refused-codes li", "Код уже продан")
    assert "коды: 0 из 1" in line(page, "SH-42").inner_text()
    time.sleep(0.3)
    assert live_shop.register.receipts == []
