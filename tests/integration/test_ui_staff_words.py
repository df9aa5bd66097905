"""«Сотрудники» and «Журнал» after QA: taking your own manager's rights warns «это вы» as
disabling yourself does; the journal says a role change from what to what, and names a refused
manager's PIN and a PIN typed during a lockout as such; an INN with wrong check digits is
refused on the form."""

import httpx
from playwright.sync_api import expect

from gateway.domain.staff import MANAGER
from gateway.services.staff import pin_refused
from tests.signin import add_person, sign_in_on_page


def test_taking_your_own_rights_warns_and_the_journal_says_from_what_to_what(page, live_shop):
    olga, anna = live_shop.manager, live_shop.cashier
    add_person(live_shop.gateway.run, "Вера", MANAGER, "4680")
    live_shop.sign_in(page, olga, "/staff")
    row = page.locator("#people .row").filter(has=page.locator(".name", has_text="Ольга"))
    row.get_by_role("button", name="Убрать права управляющего").click()
    expect(page.locator("#ask-what")).to_contain_text("Это вы")
    with page.expect_navigation():  # drawn afresh: the screen is for a manager
        page.click("#ask-yes")
    expect(page.locator("#manager-only")).to_contain_text("Этот экран — для управляющего")

    wrong = {"staff_id": anna.id, "pin": "0000"}
    codes = [httpx.post(f"{live_shop.url}/api/signin", json=wrong).status_code for _ in range(4)]
    assert codes == [401, 401, 429, 429]  # the fourth is refused unchecked
    live_shop.gateway.run(
        pin_refused, olga.id, client="127.0.0.1", asked_by=anna,
        detail="not a manager; manager's approval for POST /api/fiscal/cash-out",
    )  # fmt: skip
    sign_in_on_page(page, live_shop.url, "Вера", "4680", "/audit")
    changed = page.locator('#audit tr[data-kind="staff_changed"]').first
    expect(changed).to_contain_text("Ольга — роль: управляющий → кассир")
    refused = page.locator('#audit tr[data-kind="pin_refused"]')
    expect(refused.nth(0)).to_contain_text(
        "PIN управляющего не принят не управляющий, для действия: Анна"
    )
    expect(refused.nth(0).locator("td").nth(2)).to_have_text("Ольга")  # whose PIN it was
    expect(refused.nth(1)).to_contain_text("PIN не проверялся: вход заблокирован ещё на")
    expect(refused.nth(1).locator("td").nth(2)).to_have_text("Анна")
    # A plain wrong PIN drawn after a refused approval keeps its own word.
    expect(refused.last.locator(".badge")).to_have_text("Неверный PIN")


def test_an_inn_with_wrong_check_digits_is_refused_on_the_form(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/staff")
    form = page.locator("#add-form")
    form.locator('[name="name"]').fill("Вера")
    form.locator('[name="pin"]').fill("3579")
    form.locator('[name="pin2"]').fill("3579")
    form.locator('[name="inn"]').fill("123456789012")
    form.locator('button[type="submit"]').click()
    expect(page.locator("#message")).to_contain_text("В ИНН ошибка: контрольные цифры не сходятся")
    form.locator('[name="inn"]').fill("500100732259")
    form.locator('button[type="submit"]').click()
    expect(page.locator("#message")).to_contain_text("Вера (кассир) теперь в списке")
