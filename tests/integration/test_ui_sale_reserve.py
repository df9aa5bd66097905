"""«Продажа» in a real browser: goods held for web orders are sold only after the cashier saw
which orders lose them (numbers, how many, which are paid on the site) and a manager's PIN
allowed it; «Не продавать» sells nothing; the orders' history names the receipt and who sold."""

from gateway.adapters.sqlite.order_history import order_history
from gateway.services.orders import create_order
from tests import builders
from tests.browser import MUG
from tests.integration.test_ui_sale import line, open_sale, scan, shows, wait_until
from tests.signin import MANAGER_PIN


def arrive(live_shop, order_id, qty, *, paid):
    live_shop.gateway.run(create_order, builders.order(order_id, ("MUG", qty), paid=paid))


def history(live_shop, order_id):
    rows = live_shop.gateway.read(order_history, order_id, order_id)
    return [row["text"] for row in rows]


def level(live_shop):
    return live_shop.gateway.read(
        lambda conn: tuple(
            conn.execute("SELECT on_hand, reserved FROM stock_level WHERE sku = 'MUG'").fetchone()
        )
    )


def test_held_goods_are_sold_only_once_the_orders_were_shown_and_a_manager_allowed(page, live_shop):
    arrive(live_shop, "W-278", 3, paid=False)  # 5 mugs on the shelf, all 5 held
    arrive(live_shop, "W-313", 2, paid=True)  # paid on the site: the last to give its goods
    open_sale(page, live_shop)  # Анна, a cashier
    for _ in range(4):
        scan(page, MUG)
    line(page, "MUG").locator("output").filter(has_text="4").wait_for()
    assert "в резерве под заказы" in line(page, "MUG").inner_text()
    page.click("#sell")
    dialog = page.locator("#held")
    dialog.wait_for()
    assert dialog.locator(".held-orders li").all_inner_texts() == [
        "Заказ № W-278: Кружка — 3 шт.",
        "Заказ № W-313: Кружка — 1 шт. оплачен на сайте",
    ]
    assert dialog.locator(".held-orders .badge.bad").inner_text() == "оплачен на сайте"
    shows(page, "#held .held-paid", "Заказ № W-313 уже оплачен на сайте")
    shows(page, "#held .held-pin", "только с PIN управляющего")
    live_shop.screenshot(page, "sale-held")
    dialog.get_by_role("button", name="Не продавать").click()
    dialog.wait_for(state="hidden")
    shows(page, "#message", "Чек не пробит: товар остаётся за заказами")
    assert live_shop.register.receipts == [] and level(live_shop) == (5, 5)
    assert line(page, "MUG").locator("output").inner_text() == "4"  # the sale is still here

    page.click("#sell")
    dialog.wait_for()
    dialog.get_by_role("button", name="Продать из резерва").click()
    override = page.locator("#override-screen")
    override.wait_for()  # taking an order's reserve is a manager's: Ольга types her PIN
    pad = override.locator('[data-pad="override"]')
    for digit in MANAGER_PIN:
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()
    shows(page, "#message", "Чек № 1 напечатан")
    shows(page, "#result .result-orders", "заказам № W-278, W-313 теперь не хватает товара")
    live_shop.screenshot(page, "sale-held-sold")
    wait_until(lambda: len(live_shop.register.receipts) == 1, "the receipt")
    assert level(live_shop) == (1, 1)  # W-313 keeps one of its two
    said = "Продано на кассе (чек № 1, Анна, разрешил(а) Ольга): Кружка — "
    assert history(live_shop, "W-278")[-1] == said + "3 шт."
    assert history(live_shop, "W-313")[-1] == said + "1 шт."
