"""Refunds in a real browser against a running gateway with the register simulator: an older
receipt found on «Смена» (by «Показать ещё» and by its number), part of it refunded piece by
piece with the manager's PIN, then the rest; a refund started from a shipped order's screen and
the order saying what went back; a prepayment on the site not offered for a refund at the desk;
«Чек ещё раз» tapped twice printing one copy."""

import time

from gateway.domain.stock import parse_stock_change
from gateway.services.orders import create_order
from gateway.services.payments import order_paid
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.integration.test_ui_orders import shows
from tests.signin import MANAGER_PIN


def stock(live_shop, **levels):
    live_shop.gateway.run(
        apply_stock_change, parse_stock_change("set", builders.stock_set(**levels))
    )


def post(page, path, body):
    answer = page.evaluate("([path, body]) => storegw.send(path, body)", [path, body])
    assert answer["ok"], answer
    return answer["data"]


def printed(live_shop, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(live_shop.register.receipts) >= count:
            return live_shop.register.receipts
        time.sleep(0.05)
    raise AssertionError(f"{len(live_shop.register.receipts)} receipts printed, not {count}")


def manager_pin(page):
    override = page.locator("#override-screen")
    override.wait_for()
    pad = override.locator('[data-pad="override"]')
    for digit in MANAGER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()


def test_an_older_receipt_is_found_refunded_in_part_and_then_the_rest(page, live_shop):
    stock(live_shop, MUG=50)
    live_shop.sign_in(page, None, "/shift")  # Анна, a cashier: refunds need Ольга's PIN
    sale = {"items": [{"sku": "MUG", "qty": 3}], "payment": "cash"}
    assert post(page, "/api/sales", sale)["receipt_id"] == 1
    for _ in range(16):  # web orders and sales push it off the first page
        post(page, "/api/sales", {"items": [{"sku": "MUG", "qty": 1}], "payment": "card"})
    printed(live_shop, 17)
    shows(page, '#receipts tr[data-receipt="17"]', "напечатан")
    old = page.locator('#receipts tr[data-receipt="1"]')
    assert old.count() == 0
    page.click("#more-receipts")
    shows(page, '#receipts tr[data-receipt="1"]', "Возврат")

    page.fill("#receipt-number", "1")
    page.locator("#receipt-search").get_by_role("button", name="Найти").click()
    page.locator('#receipts tr[data-receipt="17"]').wait_for(state="detached")
    old.get_by_role("button", name="Возврат").click()
    dialog = page.locator("#refund-dialog")
    shows(page, "#refund-lines", "продано 3, уже возвращено 0, можно вернуть 3")
    plus = dialog.get_by_role("button", name="Кружка: +")
    assert plus.is_disabled()  # never more than sold
    for _ in range(2):
        dialog.get_by_role("button", name="Кружка: −").click()
    shows(page, "#refund-do", "Вернуть 450,00 ₽")
    assert "наличными выдайте 450,00 ₽" in dialog.inner_text()
    live_shop.screenshot(page, "refund-part")
    page.click("#refund-do")
    manager_pin(page)
    shows(page, "#message", "Чек возврата № 18 на 450,00 ₽ в очереди на печать.")
    shows(page, '#receipts tr[data-receipt="1"]', "возвращено 450,00 ₽ (№ 18)")
    live_shop.screenshot(page, "refund-part-done")

    old.get_by_role("button", name="Вернуть остаток").click()
    shows(page, "#refund-lines", "продано 3, уже возвращено 1, можно вернуть 2")
    assert plus.is_disabled()
    shows(page, "#refund-do", "Вернуть 900,00 ₽")
    page.click("#refund-do")
    manager_pin(page)
    shows(page, "#message", "Чек возврата № 19 на 900,00 ₽ в очереди на печать.")
    shows(page, '#receipts tr[data-receipt="1"]', "возвращён полностью (№ 18, 19)")
    assert old.get_by_role("button").count() == 0
    backs = [r for r in printed(live_shop, 19) if r["op_type"] == 2]
    assert sorted(r["total"] for r in backs) == [45000, 90000]
    live_shop.screenshot(page, "refund-rest-done")


def test_a_refund_from_the_order_screen_shows_on_the_order(page, live_shop):
    live_shop.gateway.run(create_order, builders.order("W-6", ("MUG", 2), paid=False))
    live_shop.sign_in(page, live_shop.manager, "/orders/W-6")
    shipped = post(page, "/api/orders/W-6/ship", {"receipt": {"payment": "cash"}})
    receipt_id = shipped["receipt_id"]
    printed(live_shop, 1)
    page.reload()
    row = page.locator(f'#receipts [data-receipt="{receipt_id}"]')
    row.get_by_role("link", name="Вернуть").click()
    page.wait_for_url(f"**/shift?refund={receipt_id}")
    shows(page, "#refund-lines", "продано 2, уже возвращено 0, можно вернуть 2")
    live_shop.screenshot(page, "refund-from-order")
    page.click("#refund-do")
    shows(page, "#message", "в очереди на печать")
    printed(live_shop, 2)

    page.goto(f"{live_shop.url}/orders/W-6")
    page.locator("#order").wait_for()
    shows(page, "#finished", "Заказ выдан, затем покупатель всё вернул: возвращено 200,00 ₽.")
    payment = page.locator("#payment")
    assert payment.inner_text() == "Покупателю возвращено 200,00 ₽ — денег не брать."
    assert "при получении" not in page.locator("#order").inner_text()
    assert "выдан полностью" not in page.locator("#order").inner_text()
    shows(page, "#state", "отгружен · возврат")
    shows(page, "#history", f"Возврат по чеку № {receipt_id}: Кружка — 2 шт.; 200 ₽ наличными")
    assert "Ольга" in page.locator("#history li").last.inner_text()
    assert row.get_by_role("link", name="Вернуть").count() == 0
    shows(page, f'#receipts [data-receipt="{receipt_id}"]', "возвращён полностью")
    live_shop.screenshot(page, "order-refunded")


def test_a_prepayment_on_the_site_is_not_offered_for_a_refund_here(page, live_shop):
    live_shop.gateway.run(create_order, builders.order("W-9", ("MUG", 1), paid=False))
    paid = {"order_id": "W-9", "payment_id": "pay-9", "amount": 10000,
            "method": "card_online", "paid_at": "2026-11-27T10:15:00Z"}  # fmt: skip
    receipt_id = live_shop.gateway.run(order_paid, paid)["receipt_id"]
    printed(live_shop, 1)
    live_shop.sign_in(page, live_shop.manager, "/shift")
    row = page.locator(f'#receipts tr[data-receipt="{receipt_id}"]')
    shows(page, f'#receipts tr[data-receipt="{receipt_id}"]', "возврат — на сайте")
    assert row.get_by_role("button").count() == 0
    live_shop.screenshot(page, "refund-site")
    page.goto(f"{live_shop.url}/orders/W-9")
    shows(
        page,
        f'#receipts [data-receipt="{receipt_id}"]',
        "оплачен на сайте — возврат делают на сайте",
    )
    assert page.locator(f'#receipts [data-receipt="{receipt_id}"] a').count() == 0


def test_a_double_tap_on_receipt_again_prints_one_copy(page, live_shop):
    live_shop.gateway.run(create_order, builders.order("W-7", ("MUG", 1), paid=False))
    live_shop.sign_in(page, None, "/orders/W-7")
    receipt_id = post(page, "/api/orders/W-7/ship", {"receipt": {"payment": "cash"}})["receipt_id"]
    printed(live_shop, 1)
    page.reload()
    again = page.locator(f'#receipts [data-receipt="{receipt_id}"]').get_by_role(
        "button", name="Чек ещё раз"
    )
    again.dblclick()
    shows(page, "#message", f"Копия чека № {receipt_id} отправлена на печать.")
    time.sleep(1)  # a second copy, if any, would be out by now
    copies = [p for p in live_shop.register.printed if "КОПИЯ" in p]
    assert len(copies) == 1
    history = page.evaluate("storegw.send('/api/orders/W-7').then(a => a.data.history)")
    assert [e["what"] for e in history].count("receipt_copy") == 1
