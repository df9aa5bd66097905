"""Discounts at the counter (issue 10, item 6): a line's or the whole sale's, in percent, up to
the cashier's cap alone and beyond it with a manager's PIN (recorded in the audit); the receipt
carries the price after the discount and says so; the receipt job and the owner's summary count
it. Services on a real database, then the whole way in chromium with the register simulator."""

from contextlib import closing

import pytest
from playwright.sync_api import expect

from gateway.domain.errors import InvalidInput
from gateway.domain.staff import Forbidden
from gateway.services.fiscal import counter_sale
from tests import builders
from tests.browser import MUG, SHIRT_M
from tests.builders import CASHIER, MANAGER, hire

CAPS = (10, 50)


@pytest.fixture
def store(shop):
    shop.stock(A=10, B=10)  # simple products at 100,00 ₽
    shop.run(hire)
    return shop


def sell(shop, by, items, **body):
    return shop.run(
        counter_sale, {"items": items, "payment": "card", **body}, by=by, discount_caps=CAPS
    )


def job(shop, receipt_id):
    with closing(shop.db.reader()) as conn:
        return conn.execute(
            "SELECT total, discount, draft_json FROM receipt_job WHERE id = ?", (receipt_id,)
        ).fetchone()


def test_a_cashier_gives_a_discount_up_to_her_cap(store):
    sold = sell(store, CASHIER, [{"sku": "A", "qty": 3, "discount_pct": 10}, {"sku": "B"}])
    assert sold["total"] == 3 * 9000 + 10000
    row = job(store, sold["receipt_id"])
    assert (row["total"], row["discount"]) == (37000, 3000)
    assert '"name": "Товар P-A (скидка 10%)"' in row["draft_json"]


def test_the_whole_sale_discount_applies_to_each_line_unless_a_line_has_its_own(store):
    sold = sell(store, CASHIER, [{"sku": "A"}, {"sku": "B", "discount_pct": 0}], discount_pct=5)
    assert (sold["total"], job(store, sold["receipt_id"])["discount"]) == (9500 + 10000, 500)


def test_a_discount_is_rounded_per_unit_to_the_kopeck(store):
    store.run(counter_sale, {"items": [{"sku": "A"}], "payment": "card"}, by=MANAGER)
    odd = builders.product("P-ODD", [builders.variant("ODD", 333)], [])  # 3,33 ₽
    store.load_catalog(odd)
    store.stock(ODD=5)
    sold = sell(store, CASHIER, [{"sku": "ODD", "qty": 2, "discount_pct": 5}])
    assert sold["total"] == 2 * (333 - 17)  # 16,65 kopecks off a unit: 17, half up


def test_beyond_her_cap_a_cashier_needs_a_manager_and_the_audit_names_both(store):
    with pytest.raises(Forbidden) as refused:
        sell(store, CASHIER, [{"sku": "A", "discount_pct": 20}])
    assert refused.value.reason == "needs_manager"
    assert store.level("A").on_hand == 10  # nothing sold
    sold = sell(store, CASHIER.approved(MANAGER), [{"sku": "A", "discount_pct": 20}])
    assert sold["total"] == 8000
    with closing(store.db.reader()) as conn:
        override = conn.execute(
            "SELECT staff_id, approved_by, detail FROM audit WHERE kind = 'override'"
        ).fetchall()
    assert [tuple(r) for r in override] == [(CASHIER.id, MANAGER.id, "big_discount 20%")]


def test_nobody_goes_beyond_the_shops_cap_and_nonsense_is_refused(store):
    for by in (MANAGER, CASHIER.approved(MANAGER)):
        with pytest.raises(InvalidInput) as refused:
            sell(store, by, [{"sku": "A", "discount_pct": 60}])
        assert refused.value.reason == "discount_too_big"
    for bad in (-1, 101, 5.5, "10", True):
        with pytest.raises(InvalidInput):
            sell(store, MANAGER, [{"sku": "A", "discount_pct": bad}])
    with pytest.raises(InvalidInput):
        sell(store, MANAGER, [{"sku": "A"}], discount_pct=100)  # a receipt of zero
    assert store.level("A").on_hand == 10


def test_the_tablet_gives_a_discount_and_a_bigger_one_with_the_managers_pin(page, live_shop):
    live_shop.sign_in(page, live_shop.cashier, "/sale")
    page.fill("#code", MUG)
    page.press("#code", "Enter")
    page.locator('#lines tr[data-sku="MUG"] .line-discount').click()
    page.locator(".discount-dialog [data-pct='10']").click()
    expect(page.locator('#lines tr[data-sku="MUG"] td.price')).to_have_text("405,00 ₽")
    expect(page.locator("#discount-note")).to_contain_text("скидка 45,00 ₽")
    page.click("#pay-card")
    page.click("#sell")
    expect(page.locator("#message")).to_contain_text("напечатан", timeout=15_000)
    [first] = live_shop.register.receipts
    assert [item["name"] for item in first["items"]] == ["Кружка (скидка 10%)"]
    assert first["total"] == 40500

    page.fill("#code", SHIRT_M)
    page.press("#code", "Enter")
    page.click("#sale-discount")
    page.locator(".discount-dialog input").fill("25")
    page.locator(".discount-dialog").get_by_role("button", name="Применить").click()
    expect(page.locator("#total")).to_have_text("974,25 ₽")
    page.click("#pay-card")
    page.click("#sell")
    pad = page.locator('#override-screen [data-pad="override"]')
    expect(pad).to_be_visible()  # 25 % is above a cashier's 10 %: a manager's PIN
    expect(pad.locator("[data-picked]")).to_have_text("Ольга")  # the only manager: chosen
    for digit in "1111":
        pad.locator(f'[data-digit="{digit}"]').click()
    pad.locator("[data-enter]").click()
    expect(page.locator("#message")).to_contain_text("напечатан", timeout=15_000)
    assert live_shop.register.receipts[-1]["total"] == 97425
    live_shop.screenshot(page, "sale-discount")
    summary = page.request.get(f"{live_shop.url}/api/summary").json()
    assert summary["sales"]["today"]["discounts"] == 4500 + 32475
