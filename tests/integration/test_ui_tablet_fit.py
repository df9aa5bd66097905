"""«Сводка», an order's screen and the navigation fit a 10" tablet both ways, portrait 768×1024
and landscape 1024×768, with a shop's real amounts of data: no page scrolls sideways, and nothing
a person must read or tap is cut off by its card («Сводка» with six-figure sums and a site's
prepayments; «Снять резерв» on the order screen; the navigation's «Заказы N» with the «● новых: N»
badge). Chromium in a real browser against a running gateway, `fit_shop` (no register: the
receipts are recorded as the fiscal worker records them, through the fiscal services). The stock
screens and «Устройства и связь» are in test_ui_tablet_fit_stock_and_devices.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.fiscal import PREPAYMENT, PREPAYMENT_REFUND, SELL, SELL_REFUND
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from tests import builders
from tests.tablet_fit import (
    DAY,
    LANDSCAPE,
    PORTRAIT,
    PRODUCTS,
    Shop,
    clipped,
    no_sideways_scroll,
    tab,
)

PHONE = {"width": 390, "height": 844}
# Words the browser broke inside (a line break between two letters of one word), by element.
BROKEN_WORDS = r"""(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
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


def running_out(shop: Shop) -> None:
    """Every item's minimum above its stock: «Заканчивается» lists all four, long names and
    characteristics included."""
    variants = [
        {**builders.variant(f"A000{n}-RED-XS", 129900 + n, Цвет="красный", Размер="XS"),
         "min_stock": 600}
        for n in range(1, len(PRODUCTS) + 1)
    ]  # fmt: skip
    products = [
        builders.product(f"P-{n}", [variant], name=name)
        for n, (variant, name) in enumerate(zip(variants, PRODUCTS, strict=True), start=1)
    ]
    shop.gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))


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


def summary_on_a_phone(browser, shop: Shop):
    running_out(shop)
    sell_a_fortnight(shop)
    web_orders(shop, 3)
    context, page, errors = tab(browser, PHONE)
    shop.sign_in(page, shop.manager, f"/summary?day={DAY.isoformat()}")
    page.locator("#low-stock tr[data-sku]").nth(3).wait_for()
    return context, page, errors


def test_the_summary_with_goods_running_out_fits_a_phone(browser, fit_shop):
    """A phone (390 px): nothing scrolls the page sideways; «Заканчивается» keeps its
    «В резерве» column readable (the table scrolls in its own box if it must)."""
    context, page, errors = summary_on_a_phone(browser, fit_shop)
    no_sideways_scroll(page)
    readable = ", ".join(
        f"#summary-page {what}"
        for what in (".figures th", ".figures td", ".cashiers td", "a.button", "h2")
    )
    assert clipped(page, readable) == []
    reserved = page.locator("#low-stock th", has_text="В резерве")
    reserved.scroll_into_view_if_needed()
    box = reserved.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    no_sideways_scroll(page)
    fit_shop.screenshot(page, "summary-low-stock-390x844")
    context.close()
    assert errors == []


def test_no_word_on_the_summary_breaks_between_two_letters_on_a_phone(browser, fit_shop):
    """«Ждут подтверждения» beside its badge and «Открыть»: the button goes under the words
    rather than «подтверж|дения» breaking."""
    context, page, errors = summary_on_a_phone(browser, fit_shop)
    words = "#summary-page .order-line .what, #summary-page th"
    assert page.evaluate(BROKEN_WORDS, words) == []
    assert clipped(page, "#summary-page .order-line .what, #summary-page a.button") == []
    context.close()
    assert errors == []
