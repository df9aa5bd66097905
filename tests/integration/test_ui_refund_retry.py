"""The refund dialog on «Смена» when a refund does not go through at once, in a real browser
against a running gateway with the register simulator: a refusal keeps what the person chose
(pieces, scanned codes, «на склад») and says what is wrong on the line it concerns, so they fix
it and send again; a lost answer keeps the choice and its retry key -- an unchanged retry refunds
once, a changed one is a new refund, sent only once the gateway says whether the lost one went
through (never refunded twice by mistake)."""

from simulators.scanner.codes import marking_code
from tests import browser
from tests.integration.test_ui_orders import shows
from tests.integration.test_ui_refunds import post, printed
from tests.refund_dialog import refund_receipts, scan, sell_and_open_its_refund

CODES = [marking_code("0" + browser.SHOES, f"5again{n}", short="dGVz") for n in range(4)]
THREE_MUGS = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
REFUND_REQUESTS = "**/api/receipts/*/refund"


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

    page.route(REFUND_REQUESTS, handle)
    return sent


def record(page):
    """The refund requests sent from now on (they go through)."""
    sent = []

    def handle(route):
        if route.request.method == "POST":
            sent.append(route.request.post_data_json)
        route.continue_()

    page.route(REFUND_REQUESTS, handle)
    return sent


def open_the_refund_of_three_mugs(page, live_shop, who):
    """Five mugs on the shelf, three sold for cash with `who` signed in on «Смена» (None: Анна,
    a cashier), and the refund dialog of their receipt open, all three to give back."""
    sell_and_open_its_refund(page, live_shop, THREE_MUGS, on_hand={"MUG": 5}, who=who)
    shows(page, "#refund-lines", "можно вернуть")
    return page.locator("#refund-dialog")


def fewer(dialog, name, times=1):
    """«`name`: −» tapped `times` times: that many fewer pieces of `name` to give back."""
    for _ in range(times):
        dialog.get_by_role("button", name=f"{name}: −").click()


def refund_with_the_answer_lost(page, live_shop, *, landed):
    """«Вернуть» tapped while the refund's answer is lost (`landed`: the gateway refunded all the
    same, and the register printed the refund, receipt № 2; else the request never got there):
    the dialog says a retry will not go through twice. Then answers come again; the requests
    sent meanwhile are returned."""
    sent = lose_answers(page, landed)
    page.click("#refund-do")
    shows(page, "#refund-error", "не пройдёт дважды")
    if landed:
        printed(live_shop, 2)
    page.unroute(REFUND_REQUESTS)
    return sent


def send_and_expect_one_refund_of_two_mugs(page, live_shop):
    """«Вернуть» tapped: refund № 2, of two mugs, is queued and the register printed just it."""
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 2 на 900,00 ₽ в очереди на печать.")
    assert [r["total"] for r in refund_receipts(live_shop, 2)] == [90000]


def count(page, sku):
    return page.locator(f'#refund-lines tr[data-sku="{sku}"] output').inner_text()


def test_a_refused_refund_keeps_the_codes_and_says_which_line_is_wrong(page, live_shop):
    items = [{"sku": "SH-42", "qty": 4, "marking_codes": CODES}, {"sku": "MUG", "qty": 1}]
    sale = {"items": items, "payment": "card"}
    receipt_id, _ = sell_and_open_its_refund(
        page, live_shop, sale, on_hand={"SH-42": 4, "MUG": 5}, who=live_shop.manager
    )
    shows(page, "#refund-lines", "можно вернуть")
    dialog = page.locator("#refund-dialog")
    shoes = page.locator('#refund-lines tr[data-sku="SH-42"]')
    fewer(dialog, "Кеды", times=2)  # two pairs of four come back
    fewer(dialog, "Кружка")
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
    # Анна, a cashier: refunds need Ольга's PIN.
    fewer(open_the_refund_of_three_mugs(page, live_shop, None), "Кружка")
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
    dialog = open_the_refund_of_three_mugs(page, live_shop, live_shop.manager)
    fewer(dialog, "Кружка", times=2)
    sent = refund_with_the_answer_lost(page, live_shop, landed=True)  # one mug goes back
    assert count(page, "MUG") == "1"  # the choice is kept for the retry

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
    fewer(open_the_refund_of_three_mugs(page, live_shop, live_shop.manager), "Кружка")
    sent = refund_with_the_answer_lost(page, live_shop, landed=True)
    again = record(page)
    # The same request again: the gateway answers the first's result.
    send_and_expect_one_refund_of_two_mugs(page, live_shop)
    page.wait_for_timeout(500)
    assert len(refund_receipts(live_shop, 2)) == 1
    assert again == sent  # the same request under the same key


def test_a_request_lost_on_its_way_then_changed_refunds_the_new_content(page, live_shop):
    dialog = open_the_refund_of_three_mugs(page, live_shop, live_shop.manager)
    fewer(dialog, "Кружка", times=2)
    sent = refund_with_the_answer_lost(page, live_shop, landed=False)  # never reached it
    again = record(page)
    dialog.get_by_role("button", name="Кружка: +").click()
    send_and_expect_one_refund_of_two_mugs(page, live_shop)
    assert again[0]["items"] == [{"sku": "MUG", "qty": 2}]
    assert again[0]["idem_key"] != sent[0]["idem_key"]  # a changed request: a new key
