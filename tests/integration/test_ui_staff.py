"""«Сотрудники» and «Журнал» in a real browser against a running gateway: the manager adds a
cashier who then signs in on the PIN pad; a change is asked once and says what will happen; an
API token is shown once and works; the audit shows the sign-ins and a wrong PIN, by filter; a
cashier is told the screens are for a manager; tablet and phone sizes, English."""

import httpx

from tests.signin import CASHIER_PIN, sign_in_on_page

PHONE = {"width": 390, "height": 844}


def shows(page, where, text, timeout=10_000):
    page.locator(where).filter(has_text=text).first.wait_for(timeout=timeout)


def row_of(page, name):
    return page.locator("#people .row").filter(has=page.locator(".name", has_text=name))


def answer(page, yes=True) -> str:
    """The one question a change asks: returns what it said."""
    dialog = page.locator("#ask")
    dialog.wait_for()
    text = dialog.inner_text()
    page.click("#ask-yes" if yes else "#ask-no")
    return text


def fits(page) -> None:
    """Nothing sticks out sideways, and every visible button of the screen (the shared frame
    aside) is a finger's size."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '.staff-page button, .audit-page :is(button, a.button), dialog[open] button')]
        .filter((b) => b.offsetParent !== null && !b.closest('[hidden], dialog:not([open])'))
        .filter((b) => b.getBoundingClientRect().height < 48)
        .map((b) => b.textContent.trim())"""
    )
    assert small == []


def test_the_manager_adds_a_cashier_who_then_signs_in_on_the_pin_pad(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff")
    shows(page, "#people", "Анна")
    assert "кассир" in row_of(page, "Анна").inner_text()
    olga = row_of(page, "Ольга").inner_text()
    assert "управляющий" in olga and "это вы" in olga and "Единственный управляющий" in olga
    assert "Отключить" not in olga  # the shop keeps its manager
    assert "вход разрешён" in row_of(page, "Анна").inner_text()
    fits(page)
    live_shop.screenshot(page, "staff-tablet")
    page.click("#hint button")  # the first visit's help, dismissed for good
    page.reload()
    shows(page, "#people", "Анна")
    assert page.locator("#hint").is_hidden()

    form = page.locator("#add-form")
    form.locator('[name="name"]').fill("Вера")
    form.locator('[name="pin"]').fill("3579")
    form.locator('[name="pin2"]').fill("3578")
    form.locator('button[type="submit"]').click()
    shows(page, "#message", "PIN не совпадает")
    form.locator('[name="pin2"]').fill("3579")
    form.locator('[name="inn"]').fill("12345")
    form.locator('button[type="submit"]').click()
    shows(page, "#message", "ИНН — 12 цифр")
    form.locator('[name="inn"]').fill("")
    form.locator('button[type="submit"]').click()
    shows(page, "#message", "Вера (кассир) теперь в списке и может войти по своему PIN.")
    shows(page, "#people", "Вера")
    assert "Входов ещё не было" in row_of(page, "Вера").inner_text()
    assert form.locator('[name="name"]').input_value() == ""  # ready for the next one

    sign_in_on_page(page, live_shop.url, "Вера", "3579", "/staff")
    assert page.locator("body").get_attribute("data-staff") == "Вера"
    shows(page, "#manager-only", "Этот экран — для управляющего")
    assert page.locator("#people").count() == 0
    live_shop.screenshot(page, "staff-cashier")
    page.goto(f"{live_shop.url}/audit")
    shows(page, "#manager-only", "Этот экран — для управляющего")


def test_a_cashier_signing_in_over_the_screen_is_told_it_is_for_a_manager(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff")
    shows(page, "#people", "Анна")
    page.click("#switch")  # «Сменить кассира»: the lock screen over the list
    lock = page.locator("#lock-screen")
    lock.wait_for()
    lock.locator(".person", has_text="Анна").click()
    for digit in CASHIER_PIN:
        lock.locator(f'[data-digit="{digit}"]').click()
    with page.expect_navigation():  # drawn afresh for her
        lock.locator("[data-enter]").click()
    shows(page, "#manager-only", "Этот экран — для управляющего")
    assert page.locator("#people").count() == 0


def test_each_change_is_asked_once_and_says_what_will_happen(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff")
    anna = row_of(page, "Анна")
    anna.locator("button", has_text="Отключить").click()
    said = answer(page, yes=False)
    assert "Анна больше не сможет войти; открытые сеансы закончатся сразу." in said
    assert "вход разрешён" in anna.inner_text()  # «Отмена» changed nothing

    anna.locator("button", has_text="Сменить PIN").click()
    page.locator('#ask [name="pin"]').fill("4826")
    page.locator('#ask [name="pin2"]').fill("4827")
    page.click("#ask-yes")
    shows(page, "#ask-error", "PIN не совпадает")
    page.locator('#ask [name="pin2"]').fill("4826")
    page.click("#ask-yes")
    shows(page, "#message", "Анна: PIN сменён, открытые сеансы закончены.")

    anna.locator("button", has_text="ИНН").click()
    inn = page.locator('#ask [name="inn"]')
    assert inn.input_value() == "500100732259"
    inn.fill("")  # empty removes it
    page.click("#ask-yes")
    shows(page, "#message", "Анна: ИНН сохранён.")
    assert "ИНН 5001" not in anna.inner_text()

    anna.locator("button", has_text="Дать права управляющего").click()
    assert "Анна сможет всё" in answer(page)
    shows(page, "#message", "Анна: права управляющего выданы.")
    shows(row_of(page, "Ольга"), ".ops", "Отключить")  # no longer the only manager

    anna.locator("button", has_text="Отключить").click()
    answer(page)
    shows(page, "#message", "Анна: вход отключён, открытые сеансы закончены.")
    assert "вход отключён" in anna.inner_text()
    assert anna.locator("button").all_inner_texts() == ["Включить"]
    live_shop.screenshot(page, "staff-after-changes")

    page.set_viewport_size(PHONE)
    anna.locator("button", has_text="Включить").click()
    live_shop.screenshot(page, "staff-phone-dialog")
    assert "снова сможет входить" in answer(page)
    shows(anna, ".badge", "вход разрешён")
    fits(page)
    live_shop.screenshot(page, "staff-phone")


def test_a_token_is_shown_once_works_and_is_revoked(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff")
    shows(page, "#no-tokens", "Токенов нет")
    page.locator('#token-form [name="name"]').fill("Обмен с 1С")
    page.click("#token-form button[type=submit]")
    shows(page, "#message", "Токен «Обмен с 1С» создан — скопируйте его сейчас.")
    token = page.input_value("#new-token-value")
    assert token.startswith("sgw_")
    assert page.inner_text("#new-token-header") == f"Authorization: Bearer {token}"
    shows(page, "#tokens", "Обмен с 1С")
    live_shop.screenshot(page, "staff-token")
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{live_shop.url}/api/me", headers=headers).json()
    assert (me["name"], me["role"]) == ("Обмен с 1С", "cashier")

    page.click("#hide-token")
    assert token not in page.content()
    page.reload()
    shows(page, "#tokens", "Обмен с 1С")
    assert token not in page.content()  # shown once

    page.locator("#tokens .row", has_text="Обмен с 1С").locator("button").click()
    assert "сразу потеряют доступ" in answer(page)
    shows(page, "#message", "Токен «Обмен с 1С» отозван")
    shows(page, "#tokens", "отозван")
    assert httpx.get(f"{live_shop.url}/api/me", headers=headers).status_code == 401


def test_the_audit_shows_sign_ins_and_a_wrong_pin_by_filter(page, live_shop):
    wrong = {"staff_id": live_shop.cashier.id, "pin": "0000"}
    assert httpx.post(f"{live_shop.url}/api/signin", json=wrong).status_code == 401
    live_shop.sign_in(page, live_shop.cashier, "/sale")
    page.click("#switch")  # «Сменить кассира»
    page.locator("#lock-screen").wait_for()
    live_shop.sign_in(page, live_shop.manager, "/staff")
    page.click("a.button:has-text('Журнал')")
    page.wait_for_url("**/audit")
    shows(page, "#audit", "Неверный PIN")
    rows = page.locator("#audit tbody tr")
    kinds = [rows.nth(i).get_attribute("data-kind") for i in range(rows.count())]
    assert kinds[:4] == ["sign_in", "lock", "sign_in", "pin_refused"]
    assert "Ольга" in rows.nth(0).inner_text() and "127.0.0.1" in rows.nth(0).inner_text()
    assert "Анна" in rows.nth(3).inner_text()
    assert page.get_attribute('[data-group=""]', "aria-pressed") == "true"
    fits(page)
    live_shop.screenshot(page, "audit-tablet")

    page.click('[data-group="refusals"]')
    page.wait_for_function("document.querySelectorAll('#audit tbody tr').length === 1")
    assert "Анна" in page.inner_text("#audit tbody tr")
    assert "group=refusals" in page.url
    page.click('[data-group="money"]')
    shows(page, "#no-audit", "Здесь появятся возвраты")
    assert page.locator("#audit").is_hidden()
    for path, body in (("/api/fiscal/open-shift", {}), ("/api/fiscal/cash-in", {"amount": 100000})):
        assert page.evaluate("([p, b]) => storegw.send(p, b).then((a) => a.ok)", [path, body])
    page.click('[data-group="money"]')  # now rather than at the next refresh
    cash_in = page.locator('#audit tr[data-kind="cash_in"]')
    cash_in.wait_for()
    cells = cash_in.locator("td").all_inner_texts()
    assert cells[1:5] == ["Внесение смена № 1", "Ольга", "", "1\u202f000,00 ₽"]

    page.set_viewport_size(PHONE)
    page.goto(f"{live_shop.url}/audit?group=sign_ins")
    shows(page, "#audit", "Вход")
    assert page.get_attribute('[data-group="sign_ins"]', "aria-pressed") == "true"
    fits(page)
    live_shop.screenshot(page, "audit-phone")


def test_the_screens_speak_english(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff?lang=en")
    shows(page, "#people", "may sign in")
    assert "Add a person" in page.inner_text("body")
    row_of(page, "Анна").locator("button", has_text="Disable").click()
    assert "Анна will no longer be able to sign in" in answer(page, yes=False)
    page.goto(f"{live_shop.url}/audit?lang=en")
    shows(page, "#audit", "Sign-in")
    live_shop.screenshot(page, "audit-english")
