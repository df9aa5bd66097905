"""«Чек коррекции» on «Смена» in a real browser against a running gateway with the register
simulator (issue 11): a manager records a sale made while the register was down (the goods found
by name, the date, the reason), sees what will be printed and confirms; mistakes are said in the
dialog; a cashier fixes a wrong receipt with a manager's PIN (its reverse, then the right one);
the dialog in English."""

import time
from datetime import date, timedelta

from tests.browser import MUG
from tests.integration.test_ui_shift import open_shift_screen, sell_a_mug, shows
from tests.signin import MANAGER_PIN

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def corrections(live_shop, count, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [doc for doc in live_shop.register.archive if doc["type"] == "correction"]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {count} corrections: {live_shop.register.archive}")


def test_a_manager_records_a_sale_made_while_the_register_was_down(page, live_shop):
    open_shift_screen(page, live_shop, who=live_shop.manager)
    page.click("#correction")
    dialog = page.locator("#correction-dialog")
    dialog.wait_for()
    assert dialog.locator("#corr-manager-hint").is_hidden()  # a manager needs nobody's PIN
    live_shop.screenshot(page, "correction-choose")
    dialog.get_by_role("button", name="Продажа без чека (касса не работала)").click()
    assert page.input_value("#corr-date") == date.today().isoformat()

    page.click("#corr-check")  # nothing filled: said in the dialog, nothing sent
    shows(page, "#corr-error", "Добавьте товары")
    page.fill("#corr-code", "Кружка")
    page.press("#corr-code", "Enter")
    line = dialog.locator('#corr-lines tr[data-sku="MUG"]')
    line.wait_for()
    line.get_by_role("button", name="Добавить одну").click()
    assert line.locator("output").inner_text() == "2"
    shows(page, "#corr-total", "900,00 ₽")
    page.fill("#corr-date", (date.today() + timedelta(days=2)).isoformat())
    page.click("#corr-check")
    shows(page, "#corr-error", "Напишите причину коррекции.")
    page.fill("#corr-reason", "Касса не работала, продажа записана в тетрадь")
    page.click("#corr-check")  # the gateway refuses the date: said in the dialog
    shows(page, "#corr-error", "ещё не наступила")
    page.fill("#corr-date", YESTERDAY)
    page.check('input[name="corr-basis"][value="order"]')
    page.fill("#corr-number", "15-07/2026")
    live_shop.screenshot(page, "correction-form")
    page.click("#corr-check")

    preview = dialog.locator("#corr-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "Чек коррекции прихода — 900,00 ₽" in text
    assert "Товар P-MUG × 2 — 900,00 ₽" in text or "Кружка × 2 — 900,00 ₽" in text
    assert "Оплата: наличные 900,00 ₽" in text
    day = ".".join(reversed(YESTERDAY.split("-")))
    assert f"Основание: предписание № 15-07/2026, дата расчёта {day}" in text
    assert "Причина: Касса не работала, продажа записана в тетрадь" in text
    assert "Остатки на складе не изменятся." in text
    assert live_shop.register.archive == []  # nothing printed before the manager confirms
    live_shop.screenshot(page, "correction-preview")
    page.click("#corr-yes")
    shows(page, "#message", "Чек коррекции № 1 на 900,00 ₽ в очереди на печать.")
    assert dialog.is_hidden()
    live_shop.screenshot(page, "correction-queued")
    [doc] = corrections(live_shop, 1)
    assert (doc["doc_type"], doc["op_type"], doc["total"]) == (31, 1, 90000)
    assert (doc["correction"]["1173"], doc["correction"]["1179"]) == (1, "15-07/2026")
    assert doc["correction"]["date"] == YESTERDAY
    stock = page.evaluate(f"fetch('/api/lookup?code={MUG}').then(r => r.json())")
    assert stock["items"][0]["on_hand"] == 5  # «Товар уже списан?» — yes, by default
    # «Журнал» says who made it, how much and why.
    page.goto(f"{live_shop.url}/audit?group=money")
    row = page.locator("#audit tr", has_text="Чек коррекции")
    row.wait_for()
    assert "Касса не работала, продажа записана в тетрадь" in row.inner_text()
    assert "чек № 1" in row.inner_text()


def test_a_cashier_fixes_a_wrong_receipt_with_a_managers_pin(page, live_shop):
    open_shift_screen(page, live_shop)  # Анна, a cashier
    wrong = sell_a_mug(page, payment="card")["receipt_id"]
    shows(page, f'#receipts tr[data-receipt="{wrong}"]', "напечатан")
    page.click("#correction")
    dialog = page.locator("#correction-dialog")
    shows(page, "#corr-manager-hint", "понадобится его PIN")
    dialog.get_by_role("button", name="Исправить ошибочный чек").click()
    offered = dialog.locator(f'#corr-receipts [data-receipt="{wrong}"]')
    offered.wait_for()
    assert "450,00 ₽" in offered.inner_text()
    offered.click()
    shows(page, "#corr-picked", f"Чек № {wrong} от")
    line = dialog.locator('#corr-lines tr[data-sku="MUG"]')
    assert line.locator("output").inner_text() == "1"  # the right receipt starts as the wrong one
    assert dialog.locator('[data-pay="card"]').get_attribute("aria-pressed") == "true"
    line.locator("input.price").fill("400")
    line.locator("input.price").press("Tab")
    shows(page, "#corr-total", "400,00 ₽")
    page.fill("#corr-reason", "Пробили не ту цену")
    live_shop.screenshot(page, "correction-wrong-receipt")
    page.click("#corr-check")
    preview = dialog.locator("#corr-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "Чек коррекции возврата прихода — 450,00 ₽" in text
    assert f"Отменяет чек № {wrong}" in text and f"Вместо чека № {wrong}" in text
    assert "Чек коррекции прихода — 400,00 ₽" in text and "Оплата: карта 400,00 ₽" in text
    page.click("#corr-yes")
    override = page.locator("#override-screen")
    override.wait_for()  # a correction is a manager's: Ольга types her PIN on Анна's screen
    assert "чек коррекции" in override.inner_text()
    pad = override.locator('[data-pad="override"]')
    for digit in MANAGER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()
    shows(page, "#message", f"Чеки коррекции № {wrong + 1} и № {wrong + 2} в очереди на печать.")
    reverse, right = corrections(live_shop, 2)
    assert (reverse["op_type"], reverse["total"], right["op_type"], right["total"]) == (
        2,
        45000,
        1,
        40000,
    )
    shows(page, f'#receipts tr[data-receipt="{wrong}"]', f"№ {wrong + 1}")  # no «Возврат» left


def test_the_dialog_in_english(page, live_shop):
    open_shift_screen(page, live_shop, lang="en", who=live_shop.manager)
    page.get_by_role("button", name="Correction receipt").click()
    dialog = page.locator("#correction-dialog")
    dialog.get_by_role("button", name="Fix a wrong receipt").click()
    shows(page, "#corr-receipts", "No printed sale receipts.")
    page.click("#corr-check")
    shows(page, "#corr-error", "Choose the wrong receipt.")
    dialog.get_by_role("button", name="Cancel").last.click()
    assert dialog.is_hidden()
