"""The stock screens and «Устройства и связь» on a tablet: a count typed on «Остатки», «Приёмка» or
«Инвентаризация» is a plain whole number (the one parser every count field uses), and «Устройства
и связь» fits a 390 px phone, a 768 px portrait tablet and a 1280 px one, with and without its
«Проверьте документы»: no sideways scrolling, nothing cut off. Chromium in a real browser against
a running gateway (the counts: `fit_shop`, see tests/browser.py; the devices page: `live_shop`,
with its device simulators). The sales screens are in test_ui_tablet_fit.py."""

from __future__ import annotations

import pytest

from tests.integration.test_ui_devices_paper import three_to_check
from tests.tablet_fit import LANDSCAPE, PORTRAIT, clipped, no_sideways_scroll, tab

WHOLE_NUMBER = "Введите целое число от 0 до 1 000 000."


def test_counts_typed_on_the_tablet_are_plain_whole_numbers(browser, fit_shop):
    context, page, errors = tab(browser, LANDSCAPE)
    fit_shop.sign_in(page, fit_shop.manager, "/stock")
    # The one parser every count field uses (app.js).
    cases = {"100": 100, "0": 0, "007": 7, "1000000": 1000000, "1e2": None, "0x10": None,
             " 5 ": 5, "5 5": None, "5.0": None, "5,0": None, "+5": None, "-1": None, "": None,
             "12abc": None, "1000001": None, "Infinity": None}  # fmt: skip
    got = page.evaluate("(cases) => cases.map((text) => storegw.wholeNumber(text))", list(cases))
    assert dict(zip(cases, got, strict=True)) == cases

    # «Остатки»: the correction refuses «1e2», and nothing changes.
    sku = "A0001-RED-XS"
    page.fill("#q", sku)
    page.press("#q", "Enter")
    page.locator("#results .result").first.click()
    page.click("#correct")
    dialog = page.locator("dialog.stock-dialog")
    for typed in ("1e2", "0x10", "5 5", "5.0"):
        dialog.locator('input[name="on_hand"]').fill(typed)
        dialog.locator('input[value="found"]').check()
        dialog.locator("button.primary").click()
        assert dialog.locator("[role=alert]").inner_text() == WHOLE_NUMBER
    assert page.evaluate(f"storegw.send('/api/stock/{sku}')")["data"]["on_hand"] == 500
    page.keyboard.press("Escape")

    # «Приёмка»: the quantity dialog.
    started = page.evaluate("storegw.send('/api/receivings', {})")["data"]["doc_id"]
    set_qty = f"storegw.send('/api/receivings/{started}/qty', {{line: '{sku}', qty: 2}})"
    assert page.evaluate(set_qty)["ok"]
    page.goto(f"{fit_shop.url}/receiving")
    page.click(f'#drafts button[data-doc="{started}"]')
    row = page.locator(f'#lines .row[data-line="{sku}"]')
    row.locator("button", has_text="Изменить").click()
    ask = page.locator("dialog[open]")
    for typed in ("1e2", "0x10", "5 5", "5.0"):
        ask.locator("input").fill(typed)
        ask.locator("button.primary").click()
        assert ask.locator(".ask-warn").inner_text() == WHOLE_NUMBER
    lines = page.evaluate(f"storegw.send('/api/receivings/{started}')")["data"]["lines"]
    assert [line["qty"] for line in lines] == [2]
    page.keyboard.press("Escape")

    # «Инвентаризация»: the count typed by hand.
    assert page.evaluate(f"storegw.send('/api/stocktakes', {{skus: ['{sku}']}})")["ok"]
    page.goto(f"{fit_shop.url}/stocktake")
    page.locator("#take").wait_for()
    page.wait_for_load_state("networkidle")  # drawn: a later draw would empty the fields
    for typed in ("1e2", "0x10", "5 5", "5.0"):
        page.fill("#manual-sku", sku)
        page.fill("#manual-qty", typed)
        page.click("#manual-do")
        page.locator("#message").filter(has_text="Введите целое число").wait_for()
    take = page.evaluate("storegw.send('/api/stocktakes/current')")["data"]
    report = page.evaluate(f"storegw.send('/api/stocktakes/{take['take_id']}')")["data"]
    assert all(line.get("counted") is None for line in report["lines"])
    context.close()
    assert errors == []


PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}


@pytest.mark.parametrize(
    "viewport", [PHONE, PORTRAIT, TABLET], ids=["390x844", "768x1024", "1280x800"]
)
@pytest.mark.parametrize("paper", [True, False], ids=["documents", "no-documents"])
def test_the_devices_page_fits_a_phone_and_a_tablet(browser, live_shop, viewport, paper):
    """«Устройства и связь» with and without «Проверьте документы» (paper cut off or failed,
    each with «Напечатать ещё раз» / «Вышел»): no sideways scrolling, every device's words and
    test button, each document's name and buttons whole on the screen."""
    if paper:
        three_to_check(live_shop)
    context, page, errors = tab(browser, viewport)
    live_shop.sign_in(page, path="/devices")
    page.locator("tr[data-device='printer']").wait_for()
    assert page.locator("#paper-check li[data-job]").count() == (3 if paper else 0)
    no_sideways_scroll(page)
    readable = ", ".join(
        [f"#devices-table {what}" for what in ("td", ".badge", "p", "button")]
        + [f"#paper-check {what}" for what in ("h3", "p", ".badge", "strong", "button")]
    )
    assert clipped(page, readable) == []
    widths = page.evaluate(
        "[...document.querySelectorAll('#devices-table button, #paper-check button')]"
        ".map((b) => b.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 100, widths  # never squeezed to a column of letters
    name = f"devices-{'paper' if paper else 'plain'}-{viewport['width']}x{viewport['height']}"
    live_shop.screenshot(page, name)
    context.close()
    assert errors == []
