"""The manager's-PIN pad over a page's own dialog, with the managers of now (QA): it opens
above a confirmation dialog (a modal <dialog> makes the rest of the page inert, so a pad behind
it could not be tapped on a tablet without Esc), the dialog beneath stays and its action goes
on after the PIN; the pad lists who is a manager now, not at the page's load, and the lock
screen who may sign in now; and after «Сменить кассира» the menu offers what the person who
signed in may open."""

from playwright.sync_api import expect

from gateway.domain.staff import CASHIER, MANAGER, TERMINAL
from gateway.services.staff import change_staff, disable_staff
from tests.integration.test_ui_receiving import STRANGER, count_of, start_receiving
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person


def type_pin(pad, pin: str) -> None:
    for digit in pin:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()


def active(live_shop, staff_id: int) -> bool:
    with live_shop.gateway.reader() as conn:
        return bool(
            conn.execute("SELECT active FROM staff WHERE id = ?", (staff_id,)).fetchone()[0]
        )


def test_the_pad_opens_above_the_dialog_with_the_managers_of_now(page, live_shop):
    run = live_shop.gateway.run
    olga = live_shop.manager
    vera = add_person(run, "Вера", MANAGER, "4680")
    petr = add_person(run, "Пётр", CASHIER, "1357")
    run(disable_staff, petr.id, by=TERMINAL)
    live_shop.sign_in(page, olga, "/staff")
    row = page.locator("#people .row", has_text="Пётр")
    expect(row).to_contain_text("вход отключён")
    # Another tablet makes Ольга a cashier while this page stays open.
    run(change_staff, olga.id, by=TERMINAL, role=CASHIER)

    row.get_by_role("button", name="Включить").click()
    ask = page.locator("#ask")
    expect(ask).to_contain_text("Включить: Пётр?")
    page.click("#ask-yes")
    override = page.locator("#override-screen")
    expect(override).to_be_visible()
    pad = override.locator('[data-pad="override"]')
    # The gateway's managers now: Вера (chosen, the only one), not Ольга.
    expect(pad.locator(".person")).to_have_count(1)
    expect(pad.locator("[data-picked]")).to_have_text("Вера")
    live_shop.screenshot(page, "override-over-dialog")

    override.get_by_role("button", name="Отмена").click()  # a «no»: the question stays
    expect(override).to_be_hidden()
    expect(ask).to_be_visible()
    assert not active(live_shop, petr.id)

    page.click("#ask-yes")
    expect(override).to_be_visible()
    type_pin(pad, "4680")  # tapped: above the dialog, not behind it
    expect(override).to_be_hidden()
    expect(ask).to_be_hidden()  # the confirmed action went on with Вера's PIN
    assert active(live_shop, petr.id)
    assert vera.id != olga.id


def test_a_cashiers_link_in_receiving_gets_the_managers_pin_above_its_dialog(page, live_shop):
    start_receiving(page, live_shop)  # Анна, a cashier: linking a code needs a manager
    live_shop.scanner.scan(STRANGER)
    unknown = page.locator(f'.row.unknown[data-code="{STRANGER}"]')
    unknown.get_by_role("button", name="Привязать").click()
    page.locator("#link-item").press_sequentially("p-mug")
    expect(page.locator("#link-found")).to_contain_text("будет привязан Кружка (MUG)")
    page.click("#link-do")
    override = page.locator("#override-screen")
    expect(override).to_be_visible()
    expect(override.locator("[data-override-why]")).to_contain_text("привязка штрихкода")
    assert page.evaluate("document.getElementById('override-screen').matches(':modal')")
    type_pin(override.locator('[data-pad="override"]'), MANAGER_PIN)
    expect(override).to_be_hidden()
    expect(page.locator("#message")).to_contain_text(f"Код {STRANGER} привязан: Кружка (MUG)")
    expect(count_of(page, "MUG")).to_have_text("1")
    expect(page.locator("#staff")).to_have_text("Анна")


def test_the_menu_follows_who_signs_in_on_the_lock_screen(page, live_shop):
    live_shop.sign_in(page, live_shop.manager, "/orders")
    staff_link = page.locator("#nav-links a", has_text="Сотрудники")
    audit_link = page.locator("#nav-links a", has_text="Журнал")
    expect(staff_link).to_be_visible()
    expect(audit_link).to_be_visible()

    lock = page.locator("#lock-screen")
    for name, pin, manager in (("Анна", CASHIER_PIN, False), ("Ольга", MANAGER_PIN, True)):
        page.click("#switch")  # «Сменить кассира»
        expect(lock).to_be_visible()
        lock.locator(".person", has_text=name).click()
        type_pin(lock, pin)
        expect(lock).to_be_hidden()
        expect(page.locator("#staff")).to_have_text(name)
        for link in (staff_link, audit_link):
            (expect(link).to_be_visible if manager else expect(link).to_be_hidden)()
        expect(page.locator("#staff-role")).to_have_text("управляющий" if manager else "кассир")
    assert page.url.endswith("/orders")  # the same page: nothing was reloaded


def test_the_lock_screen_lists_the_people_of_now(page, live_shop):
    """Hired and shut out on another tablet while this page stayed open: «Сменить кассира»
    shows the new name and not the shut-out one, and the new person signs in from it."""
    run = live_shop.gateway.run
    petr = add_person(run, "Пётр", CASHIER, "1357")
    live_shop.sign_in(page, live_shop.manager, "/orders")
    add_person(run, "Вера", CASHIER, "4680")
    run(disable_staff, petr.id, by=TERMINAL)
    page.click("#switch")
    pad = page.locator("#lock-screen").locator('[data-pad="lock"]')
    expect(pad.locator(".person", has_text="Вера")).to_be_visible()
    expect(pad.locator(".person", has_text="Пётр")).to_have_count(0)
    pad.locator(".person", has_text="Вера").click()
    type_pin(pad, "4680")
    expect(page.locator("#lock-screen")).to_be_hidden()
    expect(page.locator("#staff")).to_have_text("Вера")


def test_a_refusal_for_the_ended_session_does_not_lock_the_next_person_out(page, live_shop):
    """A read sent while the tablet was locked and answered (401: that session ended) after the
    next person signed in is about the ended session: it must not bring the lock screen back
    over the new person's work. The gateway answers the read at once; the answer reaches the
    page after the sign-in (a slow network)."""
    live_shop.sign_in(page, live_shop.manager, "/orders")
    held = []
    page.route("**/api/me*", lambda route: held.append((route, route.fetch())))
    lock = page.locator("#lock-screen")
    with page.expect_response("**/api/lock"):  # the manager's session has ended
        page.click("#switch")  # «Сменить кассира»
    expect(lock).to_be_visible()
    page.evaluate("() => { window.staleRead = storegw.send('/api/me'); }")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the read was never sent"
    lock.locator(".person", has_text="Анна").click()
    type_pin(lock, CASHIER_PIN)
    expect(lock).to_be_hidden()
    expect(page.locator("#staff")).to_have_text("Анна")
    for route, answer in held:
        assert answer.status == 401  # the gateway's own answer, made while the tablet was locked
        route.fulfill(response=answer)  # ... and delivered late
    page.unroute("**/api/me*")
    assert page.evaluate("async () => (await window.staleRead).status") == 401
    page.wait_for_timeout(300)
    expect(lock).to_be_hidden()
    expect(page.locator("#staff")).to_have_text("Анна")
