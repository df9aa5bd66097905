"""In Debian's chromium against a running gateway (QA): a stocktake that finds no goods held by
web orders lists which orders lose their reserve — number, item, pieces, paid on the site — in
its report, its confirmation and after applying; «Журнал» names a cancelled order by its number
with the reason, and a shift's close by the cash counted against the books."""

from playwright.sync_api import expect

from gateway.services.fiscal import shift_closed, shift_opened
from gateway.services.orders import cancel_order, create_order
from gateway.services.stocktake import set_stocktake_count, start_stocktake
from tests import builders
from tests.fiscal_service_helpers import FN


def test_the_stocktake_lists_the_orders_that_lose_their_reserve(page, live_shop):
    run = live_shop.gateway.run
    run(create_order, builders.order("W-31", ("MUG", 2), number="31", paid=False))
    run(create_order, builders.order("W-32", ("MUG", 3), number="32", paid=True))
    take = run(start_stocktake, by=live_shop.manager)["take_id"]
    run(set_stocktake_count, take, "MUG", 0, by=live_shop.manager)
    live_shop.sign_in(page, live_shop.manager, "/stocktake")
    mug = page.locator('#lines tr[data-sku="MUG"]')
    expect(mug).to_contain_text("с заказов снимется резерв 5 шт.")
    expect(mug.locator(".reserve-orders li")).to_have_text(
        ["Заказ № 31 — 2 шт.", "Заказ № 32 — 3 шт. оплачен на сайте"]
    )
    live_shop.screenshot(page, "stocktake-orders-report")
    page.click("#apply")
    ask = page.locator("dialog.ask[open]")
    expect(ask.locator(".reserve-orders li")).to_have_text(
        ["Заказ № 31: Кружка — 2 шт.", "Заказ № 32: Кружка — 3 шт. оплачен на сайте"]
    )
    live_shop.screenshot(page, "stocktake-orders-confirm")
    ask.get_by_role("button", name="Применить").click()
    expect(page.locator("#done-text .reserve-orders li")).to_have_count(2)
    expect(page.locator("#done-text")).to_contain_text("Заказ № 32: Кружка — 3 шт.")
    live_shop.screenshot(page, "stocktake-orders-applied")


def test_the_journal_says_the_order_number_the_reason_and_the_counted_cash(page, live_shop):
    run, manager, cashier = live_shop.gateway.run, live_shop.manager, live_shop.cashier
    approved = cashier.approved(manager)
    run(create_order, builders.order("W6b117f74-3", ("MUG", 1), number="3"))
    run(cancel_order, "W6b117f74-3", by=approved, reason="no_show")
    run(shift_opened, 7, fn=FN, by=manager, fd=1, fp=1)
    run(shift_closed, 7, fn=FN, by=approved, fd=2, fp=2, counted=90000)
    live_shop.sign_in(page, manager, "/audit")
    cancel = page.locator('#audit tr[data-kind="override"]')
    expect(cancel).to_contain_text("отмена заказа, заказ № 3, причина: покупатель не пришёл")
    expect(cancel).not_to_contain_text("W6b117f74")
    closed = page.locator('#audit tr[data-kind="close_shift"]')
    expect(closed).to_contain_text("смена № 7")
    expect(closed).to_contain_text("в кассе посчитано 900,00 ₽, по учёту 0,00 ₽, излишек 900,00 ₽")
    expect(closed).to_contain_text("Анна")
    expect(closed).to_contain_text("Ольга")
    live_shop.screenshot(page, "audit-words")
    expect(cancel).to_have_count(1)  # the close's PIN is on the close's row, not a row of its own
