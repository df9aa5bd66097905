"""The Shtrih-M driver and the register simulator, both ends written from FISCAL.md, on a pty:
the web shop's receipts (electronic-only prepayment, its offset at handover, a correction
receipt), reconciliation of a lost close by the receipt's items, models without 1Eh / 8Dh / FF3Ah,
the 5 % / 7 % VAT rates round trip, and the archive search the gateway runs after a restore
(``ShtrihM.find_receipt``, the loop reconciliation shares): the buyer compared, what was read
kept across searches, a model without FF3Ah."""

import logging

import pytest

from drivers.fiscal import Cashier, Item, Payments, Receipt, ShtrihM
from drivers.fiscal.archive_search import ArchiveCache
from drivers.fiscal.commands import NO_PRINT_NEXT, SALE, SALE_RETURN, no_print_next
from drivers.fiscal.errors import ReceiptNotFiscalised, RequestRejected
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.receipt import Correction, PaymentMethod
from simulators.fiscal_register import FiscalRegisterSimulator

pytestmark = pytest.mark.timeout(60)
ANNA = Cashier("Анна Петрова")
FAST = LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01)
PREPAID_TEA = Item("Чай улун", 45000, 2000, "vat22", payment_method=PaymentMethod.FULL_PREPAYMENT)
TEA = Item("Чай улун", 45000, 2000, "vat22")
COFFEE = Item("Кофе зерновой", 90000, 1000, "vat22")
SITE = "shop.example.ru"


@pytest.fixture
def register(tmp_path, request):
    unsupported = getattr(request, "param", frozenset())
    simulator = FiscalRegisterSimulator(tmp_path / "fn.json", unsupported_commands=unsupported)
    driver = ShtrihM(simulator.start(), settings=FAST)
    driver.open_shift(ANNA)
    yield driver, simulator
    driver.close()
    simulator.stop()


def paid_online(*items: Item) -> Receipt:
    total = sum(item.amount for item in items)
    return Receipt(items, Payments(card=total), "buyer@example.ru", ANNA, 0x01, True, True, SITE)


def test_paid_on_the_site_then_handed_over(register):
    driver, simulator = register
    printed_before = len(simulator.printed)
    prepayment = driver.sell(paid_online(PREPAID_TEA))
    [online] = simulator.receipts
    assert online["fd"] == prepayment.fd and online["printed"] is False
    assert len(simulator.printed) == printed_before  # electronic only
    assert online["tlv"]["1008"] == "buyer@example.ru" and online["tlv"]["1125"] == 1
    assert online["place"] == SITE and online["items"][0]["payment_method"] == 1
    assert online["payments"] == [{"kind": "electronic", "index": 2, "sum": 90000}]
    handover = driver.sell(Receipt((TEA,), Payments(prepaid=90000), None, ANNA))
    offset = simulator.receipts[-1]
    assert offset["fd"] == handover.fd and offset["printed"] is True
    assert offset["prepaid"] == 90000 and offset["items"][0]["payment_method"] == 4
    assert "Чай улун" in simulator.printed[-1] and "ПРЕДВАРИТЕЛЬНАЯ ОПЛАТА" in simulator.printed[-1]
    stored = driver.read_document(handover.fd)
    assert stored.value(1215) == 90000 and stored.value(1081) == 0 and stored.value(1031) == 0


def test_a_prepayment_refund_is_electronic_too(register):
    driver, simulator = register
    driver.sell(paid_online(PREPAID_TEA))
    refund = driver.refund(paid_online(PREPAID_TEA))
    returned = simulator.receipts[-1]
    assert returned["fd"] == refund.fd and returned["op_type"] == 2 and not returned["printed"]


@pytest.mark.parametrize(("refund", "op_type"), [(False, SALE), (True, SALE_RETURN)])
def test_a_correction_receipt_through_the_driver(register, refund, op_type):
    driver, simulator = register
    simulator.inject("drop_after_execute", keep_answer=False)  # and its answer is lost
    basis = Correction(by_order=True, date="2026-01-05", number="12-ФНС")
    receipt = Receipt((TEA,), Payments(cash=90000), None, ANNA, correction=basis)
    if refund:
        driver.cash_in(100000)
    result = (driver.refund if refund else driver.sell)(receipt)
    [correction] = simulator.corrections
    assert (correction["fd"], correction["fp"]) == (result.fd, result.fp)  # found, not re-sent
    assert correction["op_type"] == op_type and correction["doc_type"] == 31
    assert correction["correction"] == {
        "1173": 1, "1178": 1767571200, "1179": "12-ФНС", "date": "2026-01-05"
    }  # fmt: skip
    assert simulator.executed[0xFF45] == 1 and simulator.receipts == []
    assert driver.find_document(result.fd).doc_type == 31


def test_a_lost_close_is_matched_by_its_items_not_by_a_twin_total(register):
    driver, simulator = register
    before = driver.fn_status().last_fd
    twin = Receipt((Item("Кофе зерновой", 90000, 1000, "vat22"),), Payments(card=90000), None, ANNA)
    ours = Receipt((TEA,), Payments(card=90000), None, ANNA)
    driver.sell(twin)
    simulator.inject("drop_after_execute", keep_answer=False)
    sold = driver.sell(ours)
    assert len(simulator.receipts) == 2 and simulator.executed[0xFF45] == 2
    found = driver.reconcile_close(before, ours, SALE)  # both lie after `before`
    assert (found.fd, found.fp) == (sold.fd, sold.fp) and found.fd == before + 2
    third = Receipt((Item("Сахар", 45000, 2000, "vat22"),), Payments(card=90000), None, ANNA)
    with pytest.raises(ReceiptNotFiscalised):
        driver.reconcile_close(before, third, SALE)


@pytest.mark.parametrize("register", [frozenset({0xFF3A})], indirect=True)
def test_without_ff3a_the_driver_matches_by_type_and_total_and_says_so(register, caplog):
    driver, simulator = register
    before = driver.fn_status().last_fd
    driver.sell(Receipt((TEA,), Payments(card=90000), None, ANNA))
    other = Receipt((Item("Сахар", 45000, 2000, "vat22"),), Payments(card=90000), None, ANNA)
    with caplog.at_level(logging.WARNING, logger="drivers.fiscal"):
        assert driver.reconcile_close(before, other, SALE).fd == before + 1
    assert "FF3Ah not supported" in caplog.text


@pytest.mark.parametrize("register", [frozenset({0x8D, 0x1E})], indirect=True)
def test_an_older_model_prints_web_receipts_and_refuses_corrections(register, caplog):
    driver, simulator = register
    with caplog.at_level(logging.WARNING, logger="drivers.fiscal"):
        driver.sell(paid_online(PREPAID_TEA))
    assert simulator.receipts[-1]["printed"] is True and "не печатать" in caplog.text
    basis = Correction(by_order=False, date="2026-01-05")
    with pytest.raises(RequestRejected, match="8Dh"):
        driver.sell(Receipt((TEA,), Payments(cash=90000), None, ANNA, correction=basis))
    assert simulator.corrections == [] and not driver.status().receipt_open


def test_vat_5_and_7_percent_round_trip(register):
    driver, simulator = register
    rates = ["vat5", "vat7", "vat105", "vat107"]
    items = tuple(Item(f"Товар {vat}", 10000, 1000, vat) for vat in rates)
    driver.sell(Receipt(items, Payments(cash=40000), None, ANNA, tax_system=0x02))
    [receipt] = simulator.receipts
    assert [i["vat"] for i in receipt["items"]] == ["5%", "7%", "5/105", "7/107"]
    stored = driver.read_document(receipt["fd"])
    assert [node.first(1199) for node in stored.tags if node.tag == 1059] == [7, 8, 9, 10]


def test_a_report_after_a_crash_that_left_no_print_set_is_printed(register, tmp_path):
    driver, simulator = register
    driver.call(0x1E, no_print_next(NO_PRINT_NEXT))  # an electronic receipt was next: crash
    driver.close()
    restarted = ShtrihM(simulator.slave_path, settings=FAST)  # knows nothing of the table
    try:
        printed_before = len(simulator.printed)
        restarted.x_report()
        restarted.close_shift(ANNA)
        assert len(simulator.printed) == printed_before + 2  # both on paper, as staff expect
    finally:
        restarted.close()


def online(item: Item, buyer: str | None) -> Receipt:
    return Receipt((item,), Payments(card=item.amount), buyer, ANNA)


def search(driver: ShtrihM, first: int, receipt: Receipt, operation: int = SALE):
    """`receipt` among the documents from FD `first` on, as after a restore (a fresh cache)."""
    return driver.find_receipt(
        range(first, driver.fn_status().last_fd + 1), receipt, operation, ArchiveCache()
    )


def test_a_twin_total_and_another_buyer_are_passed_over_for_ours(register):
    driver, _ = register
    first = driver.fn_status().last_fd + 1
    driver.sell(online(COFFEE, "a@example.ru"))  # the same total, other items
    driver.sell(online(TEA, "b@example.ru"))  # the same items, another buyer
    ours = driver.sell(online(TEA, "a@example.ru"))
    found = search(driver, first, online(TEA, " A@Example.RU"))
    assert (found.fd, found.fp, found.ts) == (ours.fd, ours.fp, ours.ts)
    assert (found.shift, found.number) == (ours.shift, ours.number)
    assert search(driver, first, online(TEA, "c@example.ru")) is None
    assert search(driver, first, online(TEA, None), SALE_RETURN) is None


def test_the_reconciliation_of_a_lost_close_does_not_compare_the_buyer(register):
    driver, _ = register
    before = driver.fn_status().last_fd
    sold = driver.sell(online(TEA, "b@example.ru"))
    assert driver.reconcile_close(before, online(TEA, "a@example.ru"), SALE).fd == sold.fd


def test_documents_read_once_are_not_asked_for_again(register):
    driver, simulator = register
    first = driver.fn_status().last_fd + 1
    driver.sell(online(COFFEE, None))
    driver.sell(online(TEA, None))
    fds, cache = range(first, driver.fn_status().last_fd + 1), ArchiveCache()
    asked = simulator.executed
    assert driver.find_receipt(fds, online(TEA, None), SALE, cache).fd == fds[-1]
    first_time = {c: simulator.executed.get(c, 0) - asked.get(c, 0) for c in (0xFF0A, 0xFF3A)}
    assert first_time == {0xFF0A: 2, 0xFF3A: 2}
    again = simulator.executed
    assert driver.find_receipt(fds, online(TEA, None), SALE, cache).fd == fds[-1]
    assert [simulator.executed.get(c, 0) - again.get(c, 0) for c in (0xFF0A, 0xFF3A)] == [0, 0]


@pytest.mark.parametrize("register", [frozenset({0xFF3A})], indirect=True)
def test_without_ff3a_a_document_of_our_type_and_total_is_taken(register):
    driver, _ = register
    first = driver.fn_status().last_fd + 1
    coffee = driver.sell(online(COFFEE, "b@example.ru"))
    found = search(driver, first, online(TEA, "a@example.ru"))
    assert (found.fd, found.fp) == (coffee.fd, coffee.fp)
    assert (found.shift, found.number) == (None, None)  # these come from the TLVs
