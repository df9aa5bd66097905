"""«Смена» in a real browser against a running gateway with the register simulator: open the
shift, X report, cash in and out typed as roubles, close the shift (asked once) with its totals;
the register's state in words when the paper runs out, and the queued receipt printed once the
paper is back; «Повторить» for a refused receipt and «Возврат» for a printed one; English."""

import re
import time

from gateway.services.fiscal import receipt_failed
from tests.browser import MUG


def open_shift_screen(page, live_shop, lang="ru", who=None):
    """Someone signs in on the PIN pad (Анна, the cashier, unless `who`) and lands on «Смена»."""
    live_shop.sign_in(page, who, "/shift" + ("?lang=en" if lang == "en" else ""))


def shows(page, where, text, timeout=10_000):
    page.locator(where).filter(has_text=text).wait_for(timeout=timeout)


def answer(page, title, yes=True):
    """The one question an irreversible action asks: check it says what will happen."""
    dialog = page.locator("#confirm")
    dialog.wait_for()
    assert title in dialog.inner_text()
    text = dialog.inner_text()
    dialog.locator('[data-answer="yes"]' if yes else '[data-answer="no"]').click()
    dialog.wait_for(state="hidden")
    return text


def sell_a_mug(page, payment="cash"):
    """A sale by whoever is signed in on the page (its session and CSRF token)."""
    body = {"items": [{"sku": "MUG", "qty": 1}], "payment": payment}
    answer = page.evaluate("body => storegw.send('/api/sales', body)", body)
    assert answer["ok"], answer
    return answer["data"]


def test_open_x_report_cash_in_and_out_then_close_with_the_totals(page, live_shop):
    open_shift_screen(page, live_shop, who=live_shop.manager)  # cash out and close: a manager's
    shows(page, "#device", "Касса готова печатать чеки")
    shows(page, "#shift-line", "Смена закрыта")
    assert not page.locator("#cash-move").is_visible()  # cash moves need an open shift
    live_shop.screenshot(page, "shift-closed")
    page.click("#open")
    shows(page, "#message", "Смена № 1 открыта.")
    shows(page, "#shift-line", "Смена № 1 открыта")
    page.click("#x-report")
    shows(page, "#message", "X-отчёт напечатан.")

    page.fill("#amount", "1 000,00")
    page.click("#cash-in")
    text = answer(page, "Внести 1\u202f000,00 ₽ в кассу?")
    assert "наличных в кассе станет 1\u202f000,00 ₽" in text
    shows(page, "#message", "Внесено 1\u202f000,00 ₽. Наличных в кассе: 1\u202f000,00 ₽.")
    assert live_shop.register.cash_in_drawer == 100000

    assert sell_a_mug(page)["receipt_id"] == 1
    shows(page, '#receipts tr[data-receipt="1"]', "напечатан")
    page.fill("#amount", "200,5")
    page.click("#cash-out")
    answer(page, "Выплатить 200,50 ₽ из кассы?")
    shows(page, "#drawer", "1\u202f249,50 ₽")
    assert live_shop.register.cash_in_drawer == 100000 + 45000 - 20050
    shows(page, '#totals [data-row="sales"]', "450,00 ₽")
    live_shop.screenshot(page, "shift-open")

    page.click("#close")  # asks once, with the drawer counted (issue 10)
    dialog = page.locator("#close-dialog")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "Закрыть смену № 1?" in text and "Будет напечатан отчёт о закрытии смены" in text
    assert "Продажи: 1 на 450,00 ₽" in text
    assert page.inner_text("#close-expected") == "1 249,50 ₽"
    page.click("#close-yes")  # nothing typed: nothing sent, it says what to do
    shows(page, "#close-verdict", "Пересчитайте наличные и введите сумму")
    page.fill("#counted", "1 249,50")
    shows(page, "#close-verdict", "Сошлось до копейки.")
    page.click("#close-yes")
    dialog.wait_for(state="hidden")
    shows(page, "#message", "Смена № 1 закрыта, отчёт о закрытии смены напечатан.")
    shows(page, "#closed-count", "Пересчитано 1 249,50 ₽: сошлось с учётом.")
    shows(page, "#shift-line", "Смена закрыта")
    assert page.inner_text("#totals-title") == "Итоги закрытой смены № 1"
    sales = page.locator('#totals [data-row="sales"]')
    assert sales.locator(".n").inner_text() == "1"
    assert sales.locator(".sum").inner_text() == "450,00 ₽"
    assert sales.locator(".split").inner_text() == "нал. 450,00 ₽ · карта 0,00 ₽"
    assert "1\u202f000,00 ₽" in page.inner_text('#totals [data-row="cash_in"]')
    assert "200,50 ₽" in page.inner_text('#totals [data-row="cash_out"]')
    live_shop.screenshot(page, "shift-closed-totals")
    kinds = [doc["type"] for doc in live_shop.register.archive]
    assert kinds.count("receipt") == 1
    assert live_shop.register.mode != 2  # not in an open shift any more


def test_paper_out_is_said_in_words_and_the_receipt_prints_once_paper_is_loaded(page, live_shop):
    live_shop.register.remove_paper()
    live_shop.sign_in(page, path="/sale")
    page.fill("#code", MUG)
    page.press("#code", "Enter")
    shows(page, "#lines", "Кружка")
    page.click("#sell")
    shows(page, "#message", "Чек № 1 ждёт печати: Нет бумаги — вставьте рулон.")

    page.goto(live_shop.url + "/shift")  # still signed in
    shows(page, "#device", "Нет бумаги — вставьте рулон")
    assert "нет бумаги" in page.inner_text("#device .badge")
    shows(page, '#receipts tr[data-receipt="1"]', "в очереди")
    live_shop.screenshot(page, "shift-paper-out")
    assert live_shop.register.receipts == []

    live_shop.register.load_paper()
    shows(page, '#receipts tr[data-receipt="1"]', "напечатан")
    shows(page, "#device", "Касса готова печатать чеки")
    assert len(live_shop.register.receipts) == 1


def test_a_refused_receipt_is_retried_and_a_printed_one_refunded(page, live_shop):
    live_shop.register.remove_paper()  # keeps the job queued while it is marked refused
    open_shift_screen(page, live_shop, who=live_shop.manager)  # a refund is a manager's
    assert sell_a_mug(page)["receipt_id"] == 1
    why = "Неверная ставка НДС / Wrong VAT rate; code 0x33"
    live_shop.gateway.run(receipt_failed, 1, why)
    live_shop.register.load_paper()
    page.reload()
    row = page.locator('#receipts tr[data-receipt="1"]')
    row.filter(has_text="ошибка").wait_for()
    assert "Неверная ставка НДС" in row.inner_text()
    assert "Wrong" not in row.inner_text()
    live_shop.screenshot(page, "shift-failed")
    row.get_by_role("button", name="Повторить").click()
    shows(page, "#message", "Чек № 1 снова в очереди на печать.")
    row.filter(has_text="напечатан").wait_for()

    row.get_by_role("button", name="Возврат").click()
    dialog = page.locator("#refund-dialog")
    shows(page, "#refund-title", "Возврат по чеку № 1")
    shows(page, "#refund-do", "Вернуть 450,00 ₽")  # all that is left, unless fewer are set
    assert "наличными выдайте 450,00 ₽" in dialog.inner_text()
    assert page.locator("#refund-restock").is_checked()  # back on the shelf
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 2 на 450,00 ₽ в очереди на печать.")
    refund = page.locator('#receipts tr[data-receipt="2"]')
    refund.filter(has_text="напечатан").wait_for()
    assert "возврат" in refund.inner_text()
    shows(page, '#receipts tr[data-receipt="1"]', "возвращён полностью (№ 2)")
    assert row.get_by_role("button").count() == 0  # nothing left to refund
    sell, back = live_shop.register.receipts
    assert (sell["op_type"], back["op_type"], back["total"]) == (1, 2, 45000)
    stock = page.evaluate(f"fetch('/api/lookup?code={MUG}').then(r => r.json())")
    assert stock["items"][0]["on_hand"] == 5


def test_the_shift_screen_in_english_and_on_a_phone(page, live_shop):
    open_shift_screen(page, live_shop, "en")
    assert page.inner_text("h1") == "Shift"
    shows(page, "#device", "The register is ready to print receipts")
    assert page.inner_text("#open") == "Open the shift"
    shows(page, "#no-receipts", "No receipts yet.")
    for part in ("#register", "#totals-box", "#no-receipts"):
        assert not re.search(r"[\u0400-\u04ff]", page.inner_text(part)), part
    page.click("#open")
    shows(page, "#message", "Shift no. 1 is open.")
    live_shop.screenshot(page, "shift-en")

    page.goto(live_shop.url + "/shift")
    page.set_viewport_size({"width": 390, "height": 844})
    shows(page, "#shift-line", "Смена № 1 открыта")
    time.sleep(0.2)
    live_shop.screenshot(page, "shift-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the shift screen is {width}px wide on a 390px phone"
    for target in page.locator("#register button:visible").all():
        box = target.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, target.inner_text()
