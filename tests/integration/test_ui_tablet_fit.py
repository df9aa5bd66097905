"""The staff screens fit a 10" tablet both ways, portrait 768×1024 and landscape 1024×768, with a
shop's real amounts of data: no page scrolls sideways, and nothing a person must read or tap is
cut off by its card («Сводка» with six-figure sums and a site's prepayments; «Снять резерв» on the
order screen; the navigation's «Заказы N» with the «● новых: N» badge); «Устройства и связь»
fits a 390 px phone too, with its «Проверьте документы». Chromium in a real browser against a
running gateway (no register: the receipts are recorded as the fiscal worker records them,
through the fiscal services; the devices page: `live_shop`, with its device simulators)."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import uvicorn

from gateway.adapters.fiscal.worker import receipt_cashier
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.fiscal import (
    PREPAYMENT,
    PREPAYMENT_REFUND,
    SELL,
    SELL_REFUND,
    Fiscalised,
    Payments,
    ReceiptDraft,
    ReceiptItem,
)
from gateway.domain.staff import CASHIER, CLOUD, MANAGER
from gateway.domain.stock import parse_stock_change
from gateway.services import fiscal as fiscal_service
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.integration.test_ui_devices_paper import three_to_check
from tests.loopback import free_port, port_accepts
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in_on_page

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
FN = "7380440700000001"
DAY = date(2026, 3, 4)  # a Wednesday: this week has three days, so has the week before
WHOLE_NUMBER = "Введите целое число от 0 до 1 000 000."
PRODUCTS = ("Футболка модель 1", "Платье модель 16", "Джинсы модель 11", "Куртка модель 12")


class Shop:
    def __init__(self, url, gateway, manager, cashier, shots):
        self.url, self.gateway, self.manager, self.cashier = url, gateway, manager, cashier
        self.shots = shots
        self.fd = 0

    def sign_in(self, page, who, path: str) -> None:
        pin = MANAGER_PIN if who.role == MANAGER else CASHIER_PIN
        sign_in_on_page(page, self.url, who.name, pin, path)

    def screenshot(self, page, name: str, full: bool = True):
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        return path

    # --- receipts, as the fiscal worker records them ----------------------------------------
    def receipt(self, day: date, kind: str, amount: int, *, by=None, card=True, refund_of=None):
        """A receipt of `amount` kopecks signed on `day`: by a person at the counter (`by`), or
        made by the cloud for a payment on the site (`by=None`: no cashier, as the site's)."""
        method = "full_prepayment" if kind in (PREPAYMENT, PREPAYMENT_REFUND) else "full_payment"
        line = ReceiptItem("TS-1", PRODUCTS[0], amount, 1, "vat22", method=method)
        payments = Payments(card=amount) if card else Payments(cash=amount)
        if by is None:
            draft = ReceiptDraft(kind, (line,), payments, "buyer@example.ru", electronic=True,
                                 internet=True, payment_id=f"pay-{self.fd + 1}")  # fmt: skip
        else:
            draft = ReceiptDraft(kind, (line,), payments, cashier=by.name)

        def queue(uow) -> int:
            return uow.fiscal.add_job(draft, refund_of=refund_of, by=by or CLOUD)

        job_id = self.gateway.run(queue)
        if self.fd == 0:  # the day's first receipt opens the shift for its cashier
            job = self.gateway.read(lambda conn: _job(conn, job_id))
            opener = receipt_cashier(job)
            self.gateway.run(fiscal_service.shift_opened, 1, fn=FN, by=opener, fd=None, fp=None)
        self.fd += 1
        fd = self.fd
        self.gateway.run(fiscal_service.receipt_sending, job_id, fd - 1, FN)
        stamp = f"{day.isoformat()}T{9 + fd % 10:02d}:{fd % 60:02d}:00"
        signed = Fiscalised(FN, fd, 1000 + fd, 1, fd, stamp)
        self.gateway.run(fiscal_service.receipt_fiscalised, job_id, signed, 0)
        return job_id


def _job(conn, job_id):
    from gateway.adapters.sqlite.fiscal_repo import FiscalRepo

    return FiscalRepo(conn, "").job(job_id)


@pytest.fixture
def fit_shop(tmp_path):
    """A gateway (no devices) serving its pages on a loopback port: a catalog of four items with
    characteristics and stock, Ольга the manager and Анна the cashier."""
    web_port = free_port()
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-fit"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[web]
listen = "127.0.0.1:{web_port}"
""",
        encoding="utf-8",
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    products = [
        builders.product(
            f"P-{n}",
            [builders.variant(f"A000{n}-RED-XS", 129900 + n, Цвет="красный", Размер="XS")],
            name=name,
        )
        for n, name in enumerate(PRODUCTS, start=1)
    ]
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
    stock = builders.stock_set(**{f"A000{n}-RED-XS": 500 for n in range(1, 5)})
    gateway.run(apply_stock_change, parse_stock_change("set", stock))
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
    server = uvicorn.Server(
        uvicorn.Config(gateway.web_app(), host="127.0.0.1", port=web_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not port_accepts(web_port):
        assert time.monotonic() < deadline, "the gateway's web server did not start"
        time.sleep(0.05)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    yield Shop(f"http://127.0.0.1:{web_port}", gateway, manager, cashier, shots)
    server.should_exit = True
    thread.join(timeout=10)
    gateway.stop()


def tab(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def no_sideways_scroll(page) -> None:
    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], f"the page scrolls sideways: {sizes}"


# Every element that is cut: wider than an ancestor that clips it (overflow other than visible),
# or past the viewport's right edge.
CLIPPED = """(selector) => {
  const name = (el) => `${el.tagName}.${el.className} «${el.textContent.trim().slice(0, 30)}»`;
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 0.5 || box.left < -0.5) {
      cut.push(`${name(el)} past the screen`);
      continue;
    }
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "visible" && style.overflow === "visible") continue;
      const outer = up.getBoundingClientRect();
      if (box.right > outer.right + 0.5 || box.left < outer.left - 0.5) {
        cut.push(`${name(el)} clipped by ${up.tagName}.${up.className}`);
        break;
      }
    }
  }
  return cut;
}"""

# An element sticking out of its card (a <section>) on the right or the left.
OUTSIDE_CARD = """(selector) => {
  const name = (el) => `${el.tagName}.${el.className} «${el.textContent.trim().slice(0, 30)}»`;
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const card = el.closest("section");
    if (!card) continue;
    const box = el.getBoundingClientRect(), outer = card.getBoundingClientRect();
    if (box.right > outer.right + 0.5 || box.left < outer.left - 0.5) {
      out.push(`${name(el)} outside #${card.id}`);
    }
  }
  return out;
}"""


def sell_a_fortnight(shop: Shop) -> None:
    """Six-figure days: the site's prepayments (and one given back), Анна and Ольга at the
    counter (a refund too), today, yesterday and on the same days of the week before."""
    anna, olga = shop.cashier, shop.manager
    for day, scale in ((DAY, 1), (DAY - timedelta(days=1), 2), (DAY - timedelta(days=7), 3),
                       (DAY - timedelta(days=8), 1)):  # fmt: skip
        for _ in range(3):
            shop.receipt(day, PREPAYMENT, 10153270 * scale)
        shop.receipt(day, PREPAYMENT_REFUND, 1609990 * scale)
        sale = shop.receipt(day, SELL, 9999999 * scale, by=anna)
        shop.receipt(day, SELL_REFUND, 1609990, by=anna, refund_of=sale)
        shop.receipt(day, SELL, 229090 * scale, by=olga, card=False)


def clipped(page, selector: str) -> list[str]:
    return page.evaluate(CLIPPED, selector) + page.evaluate(OUTSIDE_CARD, selector)


def web_orders(shop: Shop, count: int) -> None:
    """`count` web orders of two lines each, as the cloud's `order.created` is applied."""
    for n in range(1, count + 1):
        data = builders.order(f"W-{n}", ("A0001-RED-XS", 2), ("A0002-RED-XS", 2), number=str(n))
        shop.gateway.run(create_order, data)


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["768x1024", "1024x768"])
def test_the_summary_fits_the_tablet_without_sideways_scrolling(browser, fit_shop, viewport):
    sell_a_fortnight(fit_shop)
    web_orders(fit_shop, 3)
    context, page, errors = tab(browser, viewport)
    fit_shop.sign_in(page, fit_shop.manager, f"/summary?day={DAY.isoformat()}")
    page.locator("#cashiers-week").wait_for()
    no_sideways_scroll(page)
    readable = ", ".join(
        f"#summary-page {what}"
        for what in ("th", "td", ".now", ".before", "a.button", ".badge", ".order-line .what")
    )
    assert clipped(page, readable) == []
    # Every figure can be read: each cashier's «Возвраты», the periods before, «Открыть».
    for selector in ('#cashiers-today tr[data-cashier="Анна"] td:nth-of-type(3)',
                     "#sales-week .figures td.before", "#summary-orders a.button"):  # fmt: skip
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    # The site's prepayments are named for what they are, and so is the shift they opened.
    assert page.locator('#cashiers-today tr[data-cashier="оплаты на сайте"]').count() == 1
    assert "без имени" not in page.inner_text("#summary-page")
    shift = page.inner_text("#summary-shift")
    assert "автоматически — чеком по оплате на сайте" in shift and "Кассир" not in shift
    fit_shop.screenshot(page, f"summary-{viewport['width']}x{viewport['height']}")
    context.close()
    assert errors == []


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["1024x768", "768x1024"])
def test_release_the_reserve_is_whole_on_the_order_screen(browser, fit_shop, viewport):
    web_orders(fit_shop, 1)
    context, page, errors = tab(browser, viewport)
    fit_shop.sign_in(page, fit_shop.manager, "/orders/W-1")
    buttons = page.locator("#lines button.release")
    buttons.first.wait_for()
    assert buttons.count() == 2 and buttons.first.inner_text() == "Снять резерв"
    no_sideways_scroll(page)
    assert clipped(page, "#lines th, #lines td, #lines button") == []
    wrap = page.locator("#lines").locator("xpath=..")
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth", wrap.element_handle())
    boxes = page.evaluate(
        "[...document.querySelectorAll('#lines button.release')].map((b) => {"
        " const r = b.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert len(boxes) == 2
    assert all(left >= 0 and right <= viewport["width"] for left, right in boxes), boxes
    buttons.first.click()  # it works where it is: the reason is asked
    page.locator("dialog[open]").wait_for()
    page.keyboard.press("Escape")
    fit_shop.screenshot(page, f"order-{viewport['width']}x{viewport['height']}", full=False)
    context.close()
    assert errors == []


def test_the_new_orders_badge_never_covers_the_orders_count(browser, fit_shop):
    web_orders(fit_shop, 150)  # three digits each: «Заказы 150 ● новых: 150»
    context, page, errors = tab(browser, PORTRAIT)
    fit_shop.sign_in(page, fit_shop.cashier, "/shift")
    badge = page.locator("#nav-orders [data-orders-unseen]")
    badge.wait_for()
    assert badge.inner_text() == "новых: 150"
    # The alert's flash, stopped at its strongest: the badge stays beside the count.
    page.evaluate("desk.alert()")
    page.evaluate("document.getAnimations().forEach((a) => { a.pause(); a.currentTime = 500; })")
    count = page.locator("#nav-orders [data-orders-open]").bounding_box()
    flashed = badge.bounding_box()
    link = page.locator("#nav-orders").bounding_box()
    assert count is not None and flashed is not None and link is not None
    assert flashed["x"] >= count["x"] + count["width"], (count, flashed)
    assert flashed["x"] + flashed["width"] <= link["x"] + link["width"] + 0.5, (flashed, link)
    no_sideways_scroll(page)
    fit_shop.screenshot(page, "nav-badge-768x1024", full=False)
    context.close()
    assert errors == []


def test_counts_typed_on_the_tablet_are_plain_whole_numbers(browser, fit_shop):
    context, page, errors = tab(browser, LANDSCAPE)
    fit_shop.sign_in(page, fit_shop.manager, "/stock")
    # The one parser every count field uses (app.js).
    cases = {"100": 100, "0": 0, "007": 7, "1000000": 1000000, "1e2": None, "0x10": None,
             " 5 ": None, "5.0": None, "5,0": None, "+5": None, "-1": None, "": None,
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
    for typed in ("1e2", "0x10", " 5 ", "5.0"):
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
    for typed in ("1e2", "0x10", " 5 ", "5.0"):
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
    for typed in ("1e2", "0x10", " 5 ", "5.0"):
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
