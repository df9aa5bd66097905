"""The tablet lock in a real browser (issue 9, QA's two findings): when the tablet locks, nothing
of the last person's screen stays above the PIN pad -- an open <dialog> (the browser's top
layer) is taken away with it; the same person signing in gets the half-done dialog back as it
was, someone else gets it cancelled and told so. And the idle lock counts touches only: a page
that refreshes itself (a reload, «Устройства и связь») never keeps a tablet signed in."""

import time

from playwright.sync_api import expect

from gateway.domain.staff import CASHIER, MANAGER
from tests.integration.test_ui_signin import own_gateway, path_of, type_pin  # noqa: F401
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in_on_page

ELEVEN_MINUTES = 11 * 60 * 1000  # past the shop's idle_lock (10 min)


def shows(page, where, text):
    expect(page.locator(where)).to_contain_text(text)


def open_the_shift(page, live_shop, who):
    page.clock.install()  # the page's own timers: the idle clock is moved on below
    live_shop.sign_in(page, who, "/shift")
    shows(page, "#device", "Касса готова печатать чеки")
    page.click("#open")
    shows(page, "#message", "Смена № 1 открыта.")


def count_the_cash(page, typed):
    page.click("#close")
    dialog = page.locator("#close-dialog")
    expect(dialog).to_be_visible()
    page.fill("#counted", typed)
    shows(page, "#close-verdict", "")
    return dialog


def nothing_above_the_lock(page, live_shop, name):
    """The PIN pad and nothing else: no dialog open, the page beneath inert."""
    lock = page.locator("#lock-screen")
    expect(lock).to_be_visible()
    assert page.evaluate("document.querySelectorAll('dialog[open]').length") == 0
    expect(page.locator("#close-dialog")).to_be_hidden()
    assert page.evaluate("document.querySelector('h1').closest('[inert]') !== null")
    assert page.evaluate("document.getElementById('frame').inert") is True
    # What is on top in the middle of the screen is the lock screen's.
    on_top = page.evaluate(
        "(() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);"
        " return e.closest('#lock-screen') !== null; })()"
    )
    assert on_top
    page.screenshot(path=str(live_shop.shots / f"{name}.png"))  # what the tablet's screen shows
    return lock


def sign_in_on_the_lock(lock, name, pin):
    pad = lock.locator('[data-pad="lock"]')
    pad.locator(".person", has_text=name).click()  # tappable: nothing covers it
    type_pin(pad, pin)
    expect(lock).to_be_hidden()


def test_the_idle_lock_takes_the_open_dialog_away_and_gives_it_back_to_the_same_person(
    page, live_shop
):
    open_the_shift(page, live_shop, live_shop.manager)
    dialog = count_the_cash(page, "5000")
    expect(page.locator("#close-difference")).not_to_have_text("—")

    page.clock.fast_forward(ELEVEN_MINUTES)  # nobody touches the tablet
    lock = nothing_above_the_lock(page, live_shop, "lock-over-dialog")
    assert "Продажи" not in lock.inner_text()
    assert page.evaluate("storegw.send('/api/me')")["status"] == 401  # the session is over

    sign_in_on_the_lock(lock, "Ольга", MANAGER_PIN)
    expect(dialog).to_be_visible()  # back as it was, the count still typed
    assert page.input_value("#counted") == "5000"
    shows(page, "#message", "Работает: Ольга. Незаконченное окно открыто снова: продолжайте.")
    live_shop.screenshot(page, "lock-dialog-back")
    page.click("#close-yes")  # in the new session
    expect(dialog).to_be_hidden()
    shows(page, "#message", "Смена № 1 закрыта")
    shows(page, "#closed-count", "Пересчитано 5\u202f000,00 ₽")


def test_switching_to_someone_else_cancels_the_last_persons_dialog_and_says_so(page, live_shop):
    open_the_shift(page, live_shop, live_shop.manager)
    page.click("#switch")  # Ольга hands the tablet to Анна
    lock = page.locator("#lock-screen")
    sign_in_on_the_lock(lock, "Анна", CASHIER_PIN)
    dialog = count_the_cash(page, "5000")

    page.clock.fast_forward(ELEVEN_MINUTES)
    lock = nothing_above_the_lock(page, live_shop, "lock-over-cashiers-dialog")
    sign_in_on_the_lock(lock, "Ольга", MANAGER_PIN)
    expect(dialog).to_be_hidden()
    shows(
        page,
        "#message",
        "Работает: Ольга. Окно «Закрыть смену № 1?» закрыто, ничего не сделано: начните заново.",
    )
    live_shop.screenshot(page, "lock-dialog-cancelled")
    shows(page, "#shift-line", "Смена № 1 открыта")  # nothing was done
    page.click("#close")  # starts afresh, nothing of Анна's count
    expect(dialog).to_be_visible()
    assert page.input_value("#counted") == ""


def signed_in(page) -> bool:
    if path_of(page) == "/signin" or page.locator("#lock-screen").is_visible():
        return False
    return page.evaluate("fetch('/api/me', {headers: {'X-Storegw-Background': '1'}})"
                         ".then((answer) => answer.status)") == 200  # fmt: skip


def test_a_page_that_reloads_itself_still_locks_when_nobody_touches_it(page, own_gateway):  # noqa: F811
    shop = own_gateway("idle_lock = 0.05")  # three seconds
    add_person(shop.gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    add_person(shop.gateway.run, "Анна", CASHIER, CASHIER_PIN)
    sign_in_on_page(page, shop.url, "Анна", CASHIER_PIN, "/devices")
    expect(page.locator("#staff")).to_have_text("Анна")

    # Hands on the tablet: taps between the reloads keep it signed in past the three seconds.
    until = time.monotonic() + 6
    while time.monotonic() < until:
        page.locator("h1").click()
        page.reload()
        page.wait_for_timeout(400)
    assert signed_in(page), "a tablet in use was locked"

    # Nobody touches it; the page keeps reloading itself (as «Устройства и связь» did every
    # 10 s, and «Сводка» does every minute): the lock comes all the same.
    until = time.monotonic() + 15
    while signed_in(page):
        assert time.monotonic() < until, "a page that reloads itself never locks"
        page.reload()
        page.wait_for_timeout(700)
    page.wait_for_function(
        "location.pathname === '/signin' || !document.getElementById('lock-screen').hidden"
    )
    shop.screenshot(page, "reloading-page-locked")
