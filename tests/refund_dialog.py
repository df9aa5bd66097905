"""Helpers of the browser tests of the refund dialog on «Смена» (`live_shop`, the register
simulator): a sale at the counter with its refund dialog opened from the receipt's row, a code
typed or scanned into a field, and the refund receipts the register printed."""

from tests.integration.test_ui_orders import shows
from tests.integration.test_ui_refunds import post, printed, stock


def sell_and_open_its_refund(
    page, live_shop, sale, *, on_hand, who=None, path="/shift", button="Возврат"
):
    """Stock set to `on_hand` (sku: pieces), `who` (the cashier by default) signed in on `path`,
    `sale` sold at the counter and its receipt printed, then its refund dialog opened by the
    `button` (as the page's language names it) on the receipt's row: the receipt's id and row."""
    stock(live_shop, **on_hand)
    live_shop.sign_in(page, who, path)
    receipt_id = post(page, "/api/sales", sale)["receipt_id"]
    printed(live_shop, 1)
    row = page.locator(f'#receipts tr[data-receipt="{receipt_id}"]')
    shows(page, f'#receipts tr[data-receipt="{receipt_id}"]', button)
    row.get_by_role("button", name=button).click()
    return receipt_id, row


def scan(page, code, field="#refund-code"):
    page.fill(field, code)
    page.press(field, "Enter")


def refund_receipts(live_shop, count):
    return [r for r in printed(live_shop, count) if r["op_type"] == 2]
