"""Signing in on a shared tablet, in a real browser against a running gateway (issue 9): the first
run sends every staff page to the setup screen, which makes the first manager with the one-time
code from the log; the PIN pad on a tablet and on a phone; «Сменить кассира» locks the screen
without losing a half-built sale; the signed-in cashier is named on the receipt (tags 1021 and
1203) and in the `receipt.fiscalized` event; a cashier's refund asks for a manager's PIN and the
audit names both; a tablet left alone locks itself."""

import json
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import expect

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.staff import CASHIER, MANAGER
from tests.browser import MUG
from tests.loopback import free_port, port_accepts
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in_on_page

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
STAFF_PAGES = ("/", "/orders", "/devices", "/sale", "/shift", "/receiving", "/stocktake", "/staff")


@dataclass
class Served:
    url: str
    gateway: Gateway
    shots: Path

    def screenshot(self, page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def own_gateway(tmp_path):
    """A bare gateway (no devices, no catalog, nobody on its staff) with its web server, for
    what the shared `live_shop` cannot be: a first run, or a `[web]` section of the test's own.
    `start(web="idle_lock = 0.05")` starts it."""
    started = []

    def start(web: str = "") -> Served:
        port = free_port()
        config = tmp_path / "gateway.toml"
        config.write_text(
            f"""
[store]
id = "shop-first"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[web]
listen = "127.0.0.1:{port}"
{web}
""",
            encoding="utf-8",
        )
        gateway = Gateway(load_config(config, env={})).start()
        server = uvicorn.Server(
            uvicorn.Config(gateway.web_app(), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        thread.start()
        started.append((server, thread, gateway))
        deadline = time.monotonic() + 10
        while not port_accepts(port):
            assert time.monotonic() < deadline, "the gateway's web server did not start"
            time.sleep(0.05)
        shots = tmp_path / "screenshots"
        shots.mkdir(exist_ok=True)
        return Served(f"http://127.0.0.1:{port}", gateway, shots)

    yield start
    for server, thread, gateway in started:
        server.should_exit = True
        thread.join(timeout=10)
        gateway.stop()


def path_of(page) -> str:
    return urlsplit(page.url).path


def type_pin(pad, pin: str) -> None:
    """Digits on the pad's buttons, then «Войти»."""
    for digit in pin:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()


def fits(page, overlay: str | None = None) -> None:
    """The whole screen (or the `overlay` over a page: the lock screen, the manager's PIN) is in
    the viewport: nothing to scroll to, either way."""
    size = page.viewport_size
    if overlay:
        width, height = page.locator(overlay).evaluate("box => [box.scrollWidth, box.scrollHeight]")
    else:
        width, height = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
    assert width <= size["width"], f"{width}px wide on a {size['width']}px screen"
    assert height <= size["height"], f"{height}px high on a {size['height']}px screen"


def big_enough(locator) -> None:
    for target in locator.all():
        box = target.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, target.inner_text()


def scan(page, code: str) -> None:
    page.fill("#code", code)
    page.press("#code", "Enter")


def rows(gateway: Gateway, query: str, *args) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(gateway.config.database_path)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(query, args).fetchall()


# --- (a) the first run ------------------------------------------------------------------------
def test_a_first_run_sends_every_page_to_the_setup_screen_which_makes_the_manager(
    page, own_gateway
):
    shop = own_gateway()
    for path in STAFF_PAGES:
        page.goto(shop.url + path)
        assert path_of(page) == "/setup", path
    expect(page.locator("h1")).to_have_text("Первый запуск")
    expect(page.locator("pre code")).to_contain_text("storegw staff add")  # the terminal's way
    shop.screenshot(page, "setup")
    fits(page)  # the form and its button on one tablet screen
    code = shop.gateway.auth.setup_code
    assert code and code.isdigit()

    form = page.locator("#setup")
    form.get_by_label("Имя управляющего").fill("Ольга")
    form.get_by_label("PIN (4–8 цифр)").fill(MANAGER_PIN)
    form.get_by_label("PIN ещё раз").fill("1112")
    form.get_by_label("Одноразовый код").fill(code)
    form.get_by_role("button", name="Создать и войти").click()
    expect(page.locator("#refusal")).to_have_text("PIN не совпадает. Введите его ещё раз.")

    wrong = f"{(int(code) + 1) % 10**8:08d}"
    form.get_by_label("PIN ещё раз").fill(MANAGER_PIN)
    form.get_by_label("Одноразовый код").fill(wrong)
    form.get_by_role("button", name="Создать и войти").click()
    refusal = page.locator("#refusal")
    expect(refusal).to_have_text("Неверный одноразовый код: возьмите его из журнала шлюза.")
    shop.screenshot(page, "setup-wrong-code")
    assert "PIN" not in refusal.inner_text(), "a wrong code is not a wrong PIN"
    assert path_of(page) == "/setup"
    assert shop.gateway.auth.people() == []  # nobody was made

    form.get_by_label("Одноразовый код").fill(code)
    with page.expect_navigation():
        form.get_by_role("button", name="Создать и войти").click()
    page.wait_for_load_state()
    assert path_of(page) == "/orders"  # `/`: the tablet's home screen, the order board
    expect(page.locator("#staff")).to_have_text("Ольга")
    expect(page.locator("#staff-role")).to_have_text("управляющий")
    expect(page.locator("nav")).to_contain_text("Сотрудники")  # the manager adds the others
    shop.screenshot(page, "setup-done")
    [manager] = shop.gateway.auth.people()
    assert (manager["name"], manager["role"]) == ("Ольга", MANAGER)
    page.goto(shop.url + "/setup")  # once: the code is spent and a manager exists
    assert path_of(page) == "/signin"


# --- (b) the PIN pad ----------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "viewport"), [("tablet", TABLET), ("phone", PHONE)])
def test_signing_in_on_the_pin_pad(page, live_shop, size, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_shop.url + "/sale")
    assert path_of(page) == "/signin"  # signed out: the PIN pad, then back to the sale
    pad = page.locator('[data-pad="signin"]')
    expect(page.locator("h1")).to_have_text("Кто вы?")
    expect(pad.locator(".person")).to_have_count(2)
    live_shop.screenshot(page, f"signin-people-{size}")
    fits(page)
    big_enough(pad.locator(".person"))

    pad.locator(".person", has_text="Анна").click()
    expect(pad.locator("[data-picked]")).to_have_text("Анна")
    fits(page)  # the digits, «Войти» and «Другой сотрудник» without scrolling
    big_enough(pad.locator("[data-pin] button"))
    type_pin(pad, "9999")
    expect(pad.locator("[data-refusal]")).to_have_text("неверный PIN")
    assert path_of(page) == "/signin"
    live_shop.screenshot(page, f"signin-wrong-{size}")

    for digit in CASHIER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    expect(pad.locator("[data-dots]")).to_have_text("●" * len(CASHIER_PIN))
    live_shop.screenshot(page, f"signin-pin-{size}")
    with page.expect_navigation():
        pad.locator("[data-enter]").click()
    page.wait_for_load_state()
    assert path_of(page) == "/sale"
    expect(page.locator("#staff")).to_have_text("Анна")
    expect(page.locator("#staff-role")).to_have_text("кассир")
    expect(page.locator("#switch")).to_be_visible()
    live_shop.screenshot(page, f"signed-in-{size}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the sale screen is {width}px wide"


# --- (c) «Сменить кассира» --------------------------------------------------------------------
def test_switching_the_cashier_locks_the_screen_and_keeps_the_half_built_sale(page, live_shop):
    live_shop.sign_in(page, path="/sale")  # Анна
    scan(page, MUG)
    line = page.locator('#lines tr[data-sku="MUG"]')
    expect(line).to_contain_text("Кружка")

    page.click("#switch")
    lock = page.locator("#lock-screen")
    expect(lock).to_be_visible()
    expect(lock.locator("h2")).to_have_text("Планшет заблокирован. Кто работает?")
    live_shop.screenshot(page, "lock-screen")
    fits(page, "#lock-screen")
    # The old session is over: the page cannot act as Анна any more.
    answer = page.evaluate("storegw.send('/api/me')")
    assert answer["status"] == 401, answer

    pad = lock.locator('[data-pad="lock"]')
    pad.locator(".person", has_text="Ольга").click()
    type_pin(pad, MANAGER_PIN)
    expect(lock).to_be_hidden()
    expect(page.locator("#staff")).to_have_text("Ольга")
    expect(page.locator("#staff-role")).to_have_text("управляющий")
    expect(page.locator("#message")).to_contain_text("Работает: Ольга.")
    expect(line).to_contain_text("Кружка")  # the sale waited on the page
    live_shop.screenshot(page, "lock-screen-next-cashier")

    page.click("#sell")  # sold in the new session (its CSRF token), in her name
    expect(page.locator("#message")).to_contain_text("Чек № 1 напечатан")
    [receipt] = live_shop.register.receipts
    assert receipt["tlv"]["1021"] == "Ольга"


# --- (d) the cashier on the receipt and in the event ---------------------------------------------
def test_a_sale_names_the_signed_in_cashier_on_the_receipt_and_in_the_event(page, live_shop):
    anna = live_shop.cashier
    live_shop.sign_in(page, anna, "/sale")
    scan(page, MUG)
    expect(page.locator("#lines")).to_contain_text("Кружка")
    page.click("#sell")
    expect(page.locator("#message")).to_contain_text("Чек № 1 напечатан")

    [receipt] = live_shop.register.receipts
    assert receipt["tlv"]["1021"] == "Анна"  # the cashier's name
    assert receipt["tlv"]["1203"] == "500100732259"  # and her INN
    [event] = [
        json.loads(row["data_json"])
        for row in rows(live_shop.gateway, "SELECT data_json FROM outbox WHERE type = ?",
                        "receipt.fiscalized")
    ]  # fmt: skip
    assert event["cashier"] == {"staff_id": anna.id, "name": "Анна"}


# --- (e) a manager's PIN for a cashier's refund ------------------------------------------------
def refund_receipt_1(page):
    row = page.locator('#receipts tr[data-receipt="1"]')
    row.get_by_role("button", name="Возврат").click()
    expect(page.locator("#refund-title")).to_contain_text("Возврат по чеку № 1")
    page.click("#refund-do")


def test_a_cashiers_refund_asks_for_a_managers_pin_and_the_audit_names_both(page, live_shop):
    anna, olga = live_shop.cashier, live_shop.manager
    live_shop.sign_in(page, anna, "/shift")
    body = {"items": [{"sku": "MUG", "qty": 1}], "payment": "cash"}
    sold = page.evaluate("body => storegw.send('/api/sales', body)", body)
    assert sold["ok"], sold
    row = page.locator('#receipts tr[data-receipt="1"]')
    expect(row).to_contain_text("напечатан")

    # A wrong manager's PIN: said on the dialog, nothing refunded; «Отмена» gives up.
    refund_receipt_1(page)
    override = page.locator("#override-screen")
    expect(override).to_be_visible()
    expect(override.locator("h2")).to_have_text("Нужен PIN управляющего")
    expect(override.locator("[data-override-why]")).to_contain_text("возврат")
    pad = override.locator('[data-pad="override"]')
    expect(pad.locator("[data-picked]")).to_have_text("Ольга")  # the only manager: chosen
    live_shop.screenshot(page, "override")
    fits(page, "#override-screen")
    type_pin(pad, "9999")
    expect(pad.locator("[data-refusal]")).to_have_text("неверный PIN")
    expect(override).to_be_visible()
    expect(override.locator("[data-override-why]")).to_contain_text("возврат")
    live_shop.screenshot(page, "override-wrong-pin")
    override.get_by_role("button", name="Отмена").click()
    expect(override).to_be_hidden()
    expect(page.locator("#message")).to_have_class("bad")
    time.sleep(0.5)  # a refund, if any, would be queued by now
    assert len(live_shop.register.receipts) == 1
    assert rows(live_shop.gateway, "SELECT * FROM audit WHERE kind = 'override'") == []
    expect(row.get_by_role("button", name="Возврат")).to_be_visible()

    # Ольга's PIN: the refund is done, in Анна's name with Ольга's approval. (The refund's
    # dialog came back when the PIN was not given: the same refund is asked again from it.)
    expect(page.locator("#refund-dialog")).to_be_visible()
    page.click("#refund-do")
    expect(override).to_be_visible()
    type_pin(pad, MANAGER_PIN)
    expect(override).to_be_hidden()
    expect(page.locator("#message")).to_contain_text("Чек возврата № 2 на 450,00 ₽")
    expect(page.locator('#receipts tr[data-receipt="2"]')).to_contain_text("напечатан")
    expect(page.locator("#staff")).to_have_text("Анна")  # still her session
    live_shop.screenshot(page, "override-done")
    sell, back = live_shop.register.receipts
    assert back["op_type"] == 2 and back["total"] == sell["total"]
    [audit] = rows(live_shop.gateway, "SELECT * FROM audit WHERE kind = 'override'")
    assert (audit["staff_id"], audit["approved_by"]) == (anna.id, olga.id)
    assert audit["detail"].startswith("refund")


# --- (f) the idle lock ---------------------------------------------------------------------------
def test_a_tablet_left_alone_locks_itself(page, own_gateway):
    shop = own_gateway("idle_lock = 0.05")  # three seconds
    add_person(shop.gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    add_person(shop.gateway.run, "Анна", CASHIER, CASHIER_PIN)
    page.clock.install()  # the page's own timers, fast-forwarded below
    sign_in_on_page(page, shop.url, "Анна", CASHIER_PIN, "/shift")
    expect(page.locator("#staff")).to_have_text("Анна")
    lock = page.locator("#lock-screen")
    expect(lock).to_be_hidden()

    page.clock.run_for(20_000)  # nobody touches the tablet
    expect(lock).to_be_visible()
    expect(page.locator("h1")).to_have_text("Смена")  # the page is still there beneath
    shop.screenshot(page, "idle-lock")
    answer = page.evaluate("storegw.send('/api/me')")
    assert answer["status"] == 401, answer  # the session is over on the gateway too
