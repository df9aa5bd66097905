"""The refund dialog on «Смена» when a refund does not go through at once, in a real browser
against a running gateway with the register simulator: a refusal keeps what the person chose
(pieces, scanned codes, «на склад») and says what is wrong on the line it concerns, so they fix
it and send again; a lost answer keeps the choice and its retry key -- an unchanged retry refunds
once, a changed one is a new refund, sent only once the gateway says whether the lost one went
through (never refunded twice by mistake)."""

from gateway.domain.stock import parse_stock_change
from gateway.services.stock import apply_stock_change
from simulators.scanner.codes import marking_code
from tests import browser, builders
from tests.integration.test_ui_orders import shows
from tests.integration.test_ui_refund_codes import refund_receipts, scan
from tests.integration.test_ui_refunds import post, printed

CODES = [marking_code("0" + browser.SHOES, f"5again{n}", short="dGVz") for n in range(4)]


def on_hand(live_shop, sku):
    return live_shop.gateway.run(lambda uow: uow.stock.level(sku).on_hand)


def lose_answers(page, landed):
    """Refund requests from now on get no answer; `landed`: the gateway got them all the same."""
    sent = []

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.post_data_json)
        if landed:
            route.fetch()  # done by the gateway; the answer is lost on the way back
        route.abort("internetdisconnected")

    page.route("**/api/receipts/*/refund", handle)
    return sent


def record(page):
    """The refund requests sent from now on (they go through)."""
    sent = []

    def handle(route):
        if route.request.method == "POST":
            sent.append(route.request.post_data_json)
        route.continue_()

    page.route("**/api/receipts/*/refund", handle)
    return sent


def open_refund(page, receipt_id):
    row = page.locator(f'#receipts tr[data-receipt="{receipt_id}"]')
    shows(page, f'#receipts tr[data-receipt="{receipt_id}"]', "Возврат")
    row.get_by_role("button", name="Возврат").click()
    shows(page, "#refund-lines", "можно вернуть")


def count(page, sku):
    return page.locator(f'#refund-lines tr[data-sku="{sku}"] output').inner_text()


def test_a_refused_refund_keeps_the_codes_and_says_which_line_is_wrong(page, live_shop):
    stock = builders.stock_set(**{"SH-42": 4, "MUG": 5})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    live_shop.sign_in(page, live_shop.manager, "/shift")
    items = [{"sku": "SH-42", "qty": 4, "marking_codes": CODES}, {"sku": "MUG", "qty": 1}]
    receipt_id = post(page, "/api/sales", {"items": items, "payment": "card"})["receipt_id"]
    printed(live_shop, 1)
    open_refund(page, receipt_id)
    dialog = page.locator("#refund-dialog")
    shoes = page.locator('#refund-lines tr[data-sku="SH-42"]')
    dialog.get_by_role("button", name="Кеды: −").click()
    dialog.get_by_role("button", name="Кеды: −").click()  # two pairs of four come back
    dialog.get_by_role("button", name="Кружка: −").click()
    scan(page, CODES[1])
    scan(page, CODES[2])
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "коды всех штук отсканированы")
    page.uncheck("#refund-restock")  # the pairs are worn: not back on the shelf
    # Meanwhile another tablet refunds one of these pairs.
    other = {"items": [{"sku": "SH-42", "marking_codes": [CODES[2]]}], "restock": False}
    post(page, f"/api/receipts/{receipt_id}/refund", other)

    page.click("#refund-do")
    shows(page, '#refund-lines tr[data-sku="SH-42"] .refusal', "уже возвращён по этому чеку")
    assert dialog.is_visible()
    assert count(page, "SH-42") == "2" and count(page, "MUG") == "0"  # the choice is kept
    assert shoes.locator(f'li[data-code="{CODES[1]}"]').count() == 1  # and the code accepted
    assert shoes.locator(f'li[data-code="{CODES[2]}"]').count() == 0  # gone back meanwhile
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "уже возвращено 1, можно вернуть 3")
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "ждёт код: ещё 1 шт.")
    assert not page.is_checked("#refund-restock")
    live_shop.screenshot(page, "refund-refused-kept")

    scan(page, CODES[3])  # the pair the buyer really brought
    assert shoes.locator(".refusal").count() == 0  # fixed: the refusal is gone
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 3 на 9\u202f980,00 ₽ в очереди на печать.")
    back = refund_receipts(live_shop, 3)[-1]
    assert back["marking_codes"] == [CODES[1], CODES[3]]
    assert on_hand(live_shop, "SH-42") == 0  # not put back, as chosen


def test_a_cancelled_manager_pin_keeps_the_choice(page, live_shop):
    stock = builders.stock_set(**{"MUG": 5})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    live_shop.sign_in(page, None, "/shift")  # Анна, a cashier: refunds need Ольга's PIN
    sale = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
    receipt_id = post(page, "/api/sales", sale)["receipt_id"]
    printed(live_shop, 1)
    open_refund(page, receipt_id)
    page.locator("#refund-dialog").get_by_role("button", name="Кружка: −").click()
    page.uncheck("#refund-restock")
    page.click("#refund-do")
    override = page.locator("#override-screen")
    override.wait_for()
    override.locator("[data-override-cancel]").click()
    page.locator("#refund-dialog").wait_for()
    shows(page, "#refund-do", "Вернуть 900,00 ₽")
    assert count(page, "MUG") == "2"
    assert not page.is_checked("#refund-restock")


def test_a_lost_answer_then_a_changed_refund_is_a_new_refund_never_a_double(page, live_shop):
    stock = builders.stock_set(**{"MUG": 5})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    live_shop.sign_in(page, live_shop.manager, "/shift")
    sale = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
    receipt_id = post(page, "/api/sales", sale)["receipt_id"]
    printed(live_shop, 1)
    open_refund(page, receipt_id)
    dialog = page.locator("#refund-dialog")
    dialog.get_by_role("button", name="Кружка: −").click()
    dialog.get_by_role("button", name="Кружка: −").click()
    sent = lose_answers(page, landed=True)
    page.click("#refund-do")  # one mug goes back, the answer is lost
    shows(page, "#refund-error", "не пройдёт дважды")
    assert count(page, "MUG") == "1"  # the choice is kept for the retry
    printed(live_shop, 2)
    page.unroute("**/api/receipts/*/refund")

    # The buyer brings another mug: the request changes, so it is a new refund -- but the lost
    # one went through: the dialog says so and shows what is left before anything more goes.
    dialog.get_by_role("button", name="Кружка: +").click()
    page.click("#refund-do")
    shows(page, "#refund-error", "прошёл возврат № 2")
    shows(page, '#refund-lines tr[data-sku="MUG"]', "уже возвращено 1, можно вернуть 2")
    assert count(page, "MUG") == "2"
    assert len(refund_receipts(live_shop, 2)) == 1  # nothing more was refunded
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 3 на 900,00 ₽ в очереди на печать.")
    backs = refund_receipts(live_shop, 3)
    assert sorted(r["total"] for r in backs) == [45000, 90000]
    assert len(sent) == 1


def test_a_lost_answer_then_an_unchanged_retry_refunds_once(page, live_shop):
    stock = builders.stock_set(**{"MUG": 5})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    live_shop.sign_in(page, live_shop.manager, "/shift")
    sale = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
    receipt_id = post(page, "/api/sales", sale)["receipt_id"]
    printed(live_shop, 1)
    open_refund(page, receipt_id)
    page.locator("#refund-dialog").get_by_role("button", name="Кружка: −").click()
    sent = lose_answers(page, landed=True)
    page.click("#refund-do")
    shows(page, "#refund-error", "не пройдёт дважды")
    printed(live_shop, 2)
    page.unroute("**/api/receipts/*/refund")
    again = record(page)
    page.click("#refund-do")  # the same request again: the gateway answers the first's result
    shows(page, "#message", "Чек возврата № 2 на 900,00 ₽ в очереди на печать.")
    assert [r["total"] for r in refund_receipts(live_shop, 2)] == [90000]
    page.wait_for_timeout(500)
    assert len(refund_receipts(live_shop, 2)) == 1
    assert again == sent  # the same request under the same key


def test_a_request_lost_on_its_way_then_changed_refunds_the_new_content(page, live_shop):
    stock = builders.stock_set(**{"MUG": 5})
    live_shop.gateway.run(apply_stock_change, parse_stock_change("set", stock))
    live_shop.sign_in(page, live_shop.manager, "/shift")
    sale = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
    receipt_id = post(page, "/api/sales", sale)["receipt_id"]
    printed(live_shop, 1)
    open_refund(page, receipt_id)
    dialog = page.locator("#refund-dialog")
    dialog.get_by_role("button", name="Кружка: −").click()
    dialog.get_by_role("button", name="Кружка: −").click()
    sent = lose_answers(page, landed=False)
    page.click("#refund-do")  # never reached the gateway
    shows(page, "#refund-error", "не пройдёт дважды")
    page.unroute("**/api/receipts/*/refund")
    again = record(page)
    dialog.get_by_role("button", name="Кружка: +").click()
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 2 на 900,00 ₽ в очереди на печать.")
    assert [r["total"] for r in refund_receipts(live_shop, 2)] == [90000]
    assert again[0]["items"] == [{"sku": "MUG", "qty": 2}]
    assert again[0]["idem_key"] != sent[0]["idem_key"]  # a changed request: a new key
