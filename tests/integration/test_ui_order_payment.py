"""«Заказ № …» in a real browser: what was paid on the site (contract 1.1 `order.paid`), its
prepayment receipt, a refund of part of it, and what is left to take at pickup. Payments are
applied as the cloud's messages are: the payment services through the writer."""

import time

from playwright.sync_api import expect

from gateway.services.orders import create_order
from gateway.services.payments import order_paid, order_refunded
from tests import builders
from tests.integration.test_ui_orders import shows


def test_the_order_screen_shows_the_payment_on_the_site_and_what_is_left(page, live_shop):
    gateway = live_shop.gateway
    order = builders.order("W-77", ("MUG", 2), paid=False)
    order["lines"][0]["price"] = 45000  # 900 ₽
    gateway.run(create_order, order)
    paid = {"order_id": "W-77", "payment_id": "pay-77", "amount": 30000,
            "method": "sbp", "paid_at": "2026-11-27T10:15:00Z"}  # fmt: skip
    receipt_id = gateway.run(order_paid, paid)["receipt_id"]

    live_shop.sign_in(page, None, "/orders/W-77")
    page.locator("#order").wait_for()
    box = page.locator("#online-payment")
    box.filter(has_text="Оплачено на сайте: 300,00 ₽").wait_for()
    assert f"Предоплата 300,00 ₽ через СБП: Чек № {receipt_id}" in box.inner_text()
    payment = page.locator("#payment")
    assert payment.inner_text() == "Осталось оплатить при получении: 600,00 ₽"
    receipts = page.locator("#receipts").inner_text()
    assert "предоплата на сайте" in receipts

    back = {"order_id": "W-77", "payment_id": "pay-77", "amount": 10000,
            "refunded_at": "2026-11-28T09:00:00Z"}  # fmt: skip
    refund_id = gateway.run(order_refunded, back)["receipt_id"]
    page.reload()
    box.filter(has_text="Оплачено на сайте: 200,00 ₽").wait_for()
    assert f"Возврат 100,00 ₽: Чек № {refund_id}" in box.inner_text()
    assert payment.inner_text() == "Осталось оплатить при получении: 700,00 ₽"
    history = page.locator("#history").inner_text()
    assert "Оплачено на сайте: 300 ₽ через СБП" in history and "Возврат на сайте: 100 ₽" in history
    live_shop.screenshot(page, "order-paid-on-the-site")

    page.goto(f"{live_shop.url}/shift")  # the site's money is never called «карта» there
    paid_row = page.locator(f'#receipts tr[data-receipt="{receipt_id}"]')
    paid_row.filter(has_text="на сайте · СБП").wait_for()
    assert "карта" not in page.locator(f'#receipts tr[data-receipt="{refund_id}"]').inner_text()
    # The totals' card is the terminal's: the site's money is a part of its own.
    sales = page.locator('#totals [data-row="sales"] .split')
    expect(sales).to_have_text("нал. 0,00 ₽ · карта 0,00 ₽ · на сайте 300,00 ₽")
    refunds = page.locator('#totals [data-row="refunds"] .split')
    expect(refunds).to_have_text("нал. 0,00 ₽ · карта 0,00 ₽ · на сайте 100,00 ₽")


def test_the_ship_dialog_takes_only_what_the_site_did_not_prepay(page, live_shop):
    gateway = live_shop.gateway
    order = builders.order("W-78", ("MUG", 2), paid=False)
    order["lines"][0]["price"] = 45000  # 900 ₽, of which 300 ₽ paid on the site
    gateway.run(create_order, order)
    paid = {"order_id": "W-78", "payment_id": "pay-78", "amount": 30000,
            "method": "card_online", "paid_at": "2026-11-27T10:15:00Z"}  # fmt: skip
    gateway.run(order_paid, paid)
    live_shop.sign_in(page, None, "/orders/W-78")
    page.click("#confirm-order")
    page.locator('dialog#confirm [data-answer="yes"]').click()
    shows(page, "#state", "собрать и выдать")
    page.click("#ship-order")
    shows(page, "#ship-will", "чек на 900,00 ₽ (300,00 ₽ — предоплата с сайта, к оплате 600,00 ₽)")
    assert page.locator("#received").is_hidden()  # the rest is taken exact: no change to count
    live_shop.screenshot(page, "order-ship-prepaid")
    page.click("#ship-do")
    shows(page, "#message", "в очереди на печать")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        handover = [r for r in live_shop.register.receipts if r.get("prepaid")]
        if handover:
            break
        time.sleep(0.1)
    [receipt] = handover
    assert (receipt["total"], receipt["prepaid"], receipt["change"]) == (90000, 30000, 0)
    assert {p["kind"]: p["sum"] for p in receipt["payments"]} == {
        "cash": 60000,
        "prepayment": 30000,
    }
    # «Смена»: the parts of the sales add up to their total (900 ₽ handed over + 300 ₽ paid
    # on the site before).
    page.goto(f"{live_shop.url}/shift")
    sales = page.locator('#totals [data-row="sales"]')
    expect(sales.locator(".sum")).to_have_text("1 200,00 ₽")
    expect(sales.locator(".split")).to_have_text(
        "нал. 600,00 ₽ · карта 0,00 ₽ · на сайте 300,00 ₽ · зачёт предоплаты 300,00 ₽"
    )
