"""«Сводка» and the count at the close in a real browser (chromium) against a running gateway
with the register simulator: Анна and Ольга both sell, the summary on a phone (390×844) shows
each cashier's figures; Ольга closes the shift counting less than the books say and sees the
shortage in words before she confirms, and the summary keeps it."""

PHONE = {"width": 390, "height": 844}


def shows(page, where, text, timeout=10_000):
    page.locator(where).filter(has_text=text).wait_for(timeout=timeout)


def sell(page, sku: str, payment) -> int:
    """A sale by whoever is signed in on the page (its session and CSRF token)."""
    body = {"items": [{"sku": sku, "qty": 1}], "payment": payment}
    answer = page.evaluate("body => storegw.send('/api/sales', body)", body)
    assert answer["ok"], answer
    return answer["data"]["receipt_id"]


def printed(page, live_shop, receipt_id: int) -> None:
    page.goto(live_shop.url + "/shift")
    shows(page, f'#receipts tr[data-receipt="{receipt_id}"]', "напечатан")


def test_the_summary_after_anna_and_olga_sold_and_the_close_with_a_shortage(browser, live_shop):
    # Анна sells a mug in cash and a shirt by card on the tablet.
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    anna = tablet.new_page()
    live_shop.sign_in(anna, live_shop.cashier, "/shift")
    anna.click("#open")
    shows(anna, "#shift-line", "Смена № 1 открыта")
    sell(anna, "MUG", {"cash": 50000})  # 450 ₽, 50 ₽ change
    last = sell(anna, "TS-M", "card")  # 1 299 ₽
    printed(anna, live_shop, last)
    tablet.close()

    # Ольга, the owner, on her phone: sells a mug too, then looks at the summary.
    phone = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    live_shop.sign_in(page, live_shop.manager, "/summary")
    last = sell(page, "MUG", "cash")
    printed(page, live_shop, last)
    page.goto(live_shop.url + "/summary")
    shows(page, "#summary-shift", "Смена № 1 открыта")
    shows(page, "#summary-shift", "открыл(а): Анна")
    assert page.inner_text("#drawer") == "900,00 ₽"  # two mugs in cash
    anna_row = page.locator('#cashiers-today tr[data-cashier="Анна"]')
    olga_row = page.locator('#cashiers-today tr[data-cashier="Ольга"]')
    # receipts, revenue, refunds, net of refunds, the average sale receipt
    anna_figures = ["2", "1\u202f749,00 ₽", "—", "1\u202f749,00 ₽", "874,50 ₽"]
    assert anna_row.locator("td").all_inner_texts() == anna_figures
    olga_figures = ["1", "450,00 ₽", "—", "450,00 ₽", "450,00 ₽"]
    assert olga_row.locator("td").all_inner_texts() == olga_figures
    figures = page.locator("#sales-today .figures tbody .now").all_inner_texts()
    assert figures[:4] == ["3", "2\u202f199,00 ₽", "900,00 ₽", "1\u202f299,00 ₽"]  # cash, card
    shows(page, "#summary-orders", "Ждут подтверждения")
    shows(page, "#low-stock", "Ничего не заканчивается")  # an empty list says what comes there
    shows(page, "#summary-health", "Устройства: ")
    # The phone's first screen shows the shift and the drawer without scrolling.
    drawer = page.locator("#drawer").bounding_box()
    assert drawer is not None and drawer["y"] + drawer["height"] <= PHONE["height"]
    live_shop.screenshot(page, "summary-phone")

    # Ольга closes the shift: 900 ₽ by the books, she counts 890 ₽.
    page.goto(live_shop.url + "/shift")
    page.click("#close")
    page.locator("#close-dialog").wait_for()
    assert page.inner_text("#close-expected") == "900,00 ₽"
    page.fill("#counted", "890")
    shows(page, "#close-verdict", "Недостача 10,00 ₽")
    assert page.inner_text("#close-difference") == "−10,00 ₽"
    assert "bad" in page.get_attribute("#close-verdict", "class")  # red, with the word
    live_shop.screenshot(page, "shift-close-count-phone")
    page.click("#close-yes")
    shows(page, "#message", "Смена № 1 закрыта")
    shows(page, "#closed-count", "недостача 10,00 ₽ записана")

    page.goto(live_shop.url + "/summary")
    shows(page, "#summary-shift", "Смена закрыта")
    shows(page, "#last-close", "По учёту 900,00 ₽, пересчитано 890,00 ₽.")
    shows(page, "#count-verdict", "Недостача 10,00 ₽")
    live_shop.screenshot(page, "summary-after-close-phone")
    page.goto(live_shop.url + "/summary?lang=en")
    shows(page, "#count-verdict", "Short by 10,00 ₽")
    shows(page, "#cashiers-today", "Average")
    phone.close()
    assert errors == []


def test_the_language_link_keeps_the_day_shown(page, live_shop):
    """«English» on «Сводка» for 01.12 shows 01.12 in English, not today (the link keeps the
    rest of the address on every page)."""
    live_shop.sign_in(page, live_shop.manager, "/summary?day=2026-12-01")
    page.click("a.lang")
    page.wait_for_url("**lang=en**")
    assert "day=2026-12-01" in page.url
    assert page.locator("#summary-day").inner_text() == "Summary for 01/12"
