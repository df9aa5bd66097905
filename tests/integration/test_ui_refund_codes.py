"""Refunding some of a receipt's marked pieces on «Смена» in a real browser against a running
gateway with the register simulator: the dialog asks for the code of each piece brought back,
shows which pieces still wait for one, refuses a code not sold on the receipt, a repeat and a
code already refunded, takes a typed code and a serial scanner's scan, and the register's refund
receipt carries the codes; the rest of the receipt then goes back without scanning."""

from simulators.scanner.codes import marking_code
from tests import browser
from tests.browser import MUG
from tests.integration.test_ui_orders import shows
from tests.integration.test_ui_refunds import manager_pin
from tests.refund_dialog import refund_receipts, scan, sell_and_open_its_refund

SHOES_CODES = [marking_code("0" + browser.SHOES, f"5back{n}", short="dGVz") for n in (1, 2, 3)]
NEVER_SOLD = marking_code("0" + browser.SHOES, "5back9", short="dGVz")


def test_some_marked_pieces_are_refunded_by_their_scanned_codes(page, live_shop):
    items = [
        {"sku": "SH-42", "qty": 3, "marking_codes": SHOES_CODES},
        {"sku": "MUG", "qty": 1},
    ]
    sale = {"items": items, "payment": "card"}
    receipt_id, row = sell_and_open_its_refund(
        page, live_shop, sale, on_hand={"SH-42": 3, "MUG": 5}, who=live_shop.manager
    )
    dialog = page.locator("#refund-dialog")
    shoes = page.locator('#refund-lines tr[data-sku="SH-42"]')
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "коды маркировки возьмутся из чека")
    assert page.locator("#refund-scan").is_visible()

    dialog.get_by_role("button", name="Кеды: −").click()  # two pairs of three come back
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "ждёт код: ещё 2 шт.")
    assert page.evaluate("document.activeElement.id") == "refund-code"  # scan first
    dialog.get_by_role("button", name="Кружка: −").click()  # the mug stays with the buyer
    page.click("#refund-do")
    shows(page, "#refund-error", "Отсканируйте коды маркировки: Кеды — ещё 2 шт.")
    assert dialog.is_visible()

    scan(page, NEVER_SOLD)
    shows(page, "#refund-error", f"не продавался по чеку № {receipt_id}")
    scan(page, MUG)  # the ordinary barcode is not a marking code
    shows(page, "#refund-error", "Это не код маркировки")
    scan(page, SHOES_CODES[1])
    # Said in the dialog, where the person looks (the page's message line is behind it).
    accepted = dialog.get_by_role("status").filter(has_text="Кеды: код принят (1 из 2).")
    accepted.wait_for()
    assert page.locator("#refund-error").inner_text() == ""  # the refusal before is gone
    page.screenshot(path=str(live_shop.shots / "refund-code-accepted-tablet.png"))
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "ждёт код: ещё 1 шт.")
    assert shoes.locator(f'li[data-code="{SHOES_CODES[1]}"]').count() == 1
    scan(page, SHOES_CODES[1])
    shows(page, "#refund-error", "уже отсканирован")
    assert accepted.count() == 0  # not «принят» beside the refusal
    shows(page, "#refund-do", "Вернуть 9\u202f980,00 ₽")
    live_shop.screenshot(page, "refund-codes-waiting")
    page.screenshot(path=str(live_shop.shots / "refund-codes-tablet.png"))  # what the tablet shows

    live_shop.scanner.scan(SHOES_CODES[2])  # the serial scanner, while the dialog is open
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "коды всех штук отсканированы")
    dialog.get_by_role("status").filter(has_text="Кеды: код принят (2 из 2).").wait_for()
    live_shop.screenshot(page, "refund-codes-done")
    page.click("#refund-do")
    shows(page, "#message", "Чек возврата № 2 на 9\u202f980,00 ₽ в очереди на печать.")
    [first] = refund_receipts(live_shop, 2)
    assert first["marking_codes"] == [SHOES_CODES[1], SHOES_CODES[2]]
    assert first["total"] == 998000

    row.get_by_role("button", name="Вернуть остаток").click()
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "уже возвращено 2, можно вернуть 1")
    scan(page, SHOES_CODES[2])
    shows(page, "#refund-error", "уже возвращён по этому чеку")
    shows(page, "#refund-do", "Вернуть 5\u202f440,00 ₽")  # the last pair and the mug
    page.click("#refund-do")  # everything left: the codes come from the receipt
    shows(page, "#message", "Чек возврата № 3 на 5\u202f440,00 ₽ в очереди на печать.")
    rest = refund_receipts(live_shop, 3)[-1]
    assert rest["marking_codes"] == [SHOES_CODES[0]]
    shows(page, f'#receipts tr[data-receipt="{receipt_id}"]', "возвращён полностью (№ 2, 3)")


def test_a_scan_counts_a_piece_and_a_partial_refund_by_codes_asks_no_count(page, live_shop):
    """Pieces set to none, scanning a code sets them: the scan is a piece brought back."""
    items = [{"sku": "SH-42", "qty": 2, "marking_codes": SHOES_CODES[:2]}]
    sale = {"items": items, "payment": "cash"}
    # Анна, a cashier, on the English page: the refund asks for the manager's PIN.
    sell_and_open_its_refund(
        page, live_shop, sale, on_hand={"SH-42": 2}, path="/shift?lang=en", button="Refund"
    )
    dialog = page.locator("#refund-dialog")
    minus = dialog.get_by_role("button", name="Кеды: −")
    minus.click()
    minus.click()
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "to refund some of the pieces, scan")
    scan(page, SHOES_CODES[0].replace("\x1d", ""))  # pasted without its GS separators
    shows(page, '#refund-lines tr[data-sku="SH-42"]', "codes of all pieces scanned")
    dialog.get_by_role("status").filter(has_text="Кеды: code accepted (1 of 1).").wait_for()
    minus.click()  # the count changed: what was said of it no longer holds
    dialog.get_by_role("status").filter(has_text="code accepted").wait_for(state="hidden")
    scan(page, SHOES_CODES[0].replace("\x1d", ""))
    assert dialog.locator('#refund-lines tr[data-sku="SH-42"] output').inner_text() == "1"
    page.click("#refund-do")
    manager_pin(page)
    shows(page, "#message", "Refund receipt no. 2")
    [back] = refund_receipts(live_shop, 2)
    assert back["marking_codes"] == [SHOES_CODES[0]]  # as sold, GS and all
