"""The staff pages' shared frame in a real browser: navigation, the status bar with each device's
state in words, who is signed in (kept across a reload), Russian first and English on request."""

from tests.browser import SHIRT_M


def test_the_frame_shows_every_device_and_who_is_signed_in(page, live_shop):
    live_shop.sign_in(page, path="/devices")
    bar = page.locator("#bar")
    for text in ("Облако", "Касса", "Принтер", "Сканер", "работает"):  # short: one line
        assert text in bar.inner_text()
    assert page.locator("#bar .device").nth(1).get_attribute("title") == (
        "Фискальный регистратор: работает"
    )
    page.click("#devices")  # a tap: the full names
    for text in ("Фискальный регистратор", "Принтер чеков", "Сканер штрихкодов"):
        assert text in bar.inner_text()
    assert page.inner_text("#staff") == "Анна"
    page.reload()  # the session keeps her signed in
    assert page.inner_text("#staff") == "Анна"
    assert page.inner_text("#staff-role") == "кассир"
    assert page.evaluate("storegw.staff()") == "Анна"
    links = [" ".join(a.inner_text().split()) for a in page.locator("#nav-links a").all()]
    assert links[:3] == ["Заказы 0", "Продажа", "Смена"]  # with the open orders' count
    assert page.locator("#nav-links a.here").inner_text() == "Устройства и связь"
    live_shop.screenshot(page, "status")
    page.goto(live_shop.url + "/devices?lang=en")
    page.click("#devices")
    assert "Fiscal register" in page.locator("#bar").inner_text()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(live_shop.url + "/?lang=en")  # home: the order board, in the language asked
    assert page.url.endswith("/orders?lang=en")
    assert page.inner_text("h1") == "Orders"


def test_the_shared_script_and_styles_are_served_by_the_gateway_itself(page, live_shop):
    live_shop.sign_in(page)
    assert page.evaluate("typeof storegw.call") == "function"
    assert page.evaluate("storegw.money(129900)") == "1\u202f299,00 ₽"
    answer = page.evaluate(f"fetch('/api/lookup?code={SHIRT_M}').then(r => r.json())")
    assert answer["items"][0]["sku"] == "TS-M"
