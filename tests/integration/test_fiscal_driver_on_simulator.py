"""The Shtrih-M driver against the register simulator on a real pseudo-terminal. The two were
written independently from FISCAL.md, so a codec bug cannot hide on both ends of the wire."""

import pytest

from drivers.fiscal import ShtrihM
from drivers.fiscal.errors import MarkingCodeMissing, NotEnoughCash
from drivers.fiscal.receipt import Cashier, Item, Payments, Receipt
from simulators.fiscal_register import FiscalRegisterSimulator

ANNA = Cashier("Анна Петрова")
SHIRT = Item("Футболка базовая", 129900, 2000, "vat22")
MUG = Item("Кружка", 50000, 1000, "vat22")


@pytest.fixture
def register(tmp_path):
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "archive.json")
    driver = ShtrihM(simulator.start())
    yield driver, simulator
    driver.close()
    simulator.stop()


def receipts(simulator) -> list[dict]:
    return [doc for doc in simulator.archive if doc.get("type") == "receipt"]


def test_a_shift_with_a_sale_a_refund_cash_and_reports(register):
    driver, simulator = register
    assert driver.status().mode in (2, 4)
    opened = driver.open_shift(ANNA)
    sale = driver.sell(Receipt((SHIRT, MUG), Payments(card=309800), "anna@example.ru", ANNA))
    assert (sale.fd, sale.shift, sale.number) == (opened.fd + 1, opened.shift, 1)
    assert driver.last_document().fd == sale.fd
    driver.cash_in(100000)
    refund = driver.refund(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert refund.fd == sale.fd + 1
    driver.cash_out(10000)
    driver.x_report()
    closed = driver.close_shift(ANNA)
    assert closed.fd > refund.fd
    shift_docs = [doc for doc in simulator.archive if doc.get("type") == "open_shift"]
    assert shift_docs[0]["tlv"]["1021"] == "Анна Петрова"  # the cashier, tag 1021
    [sold, returned] = receipts(simulator)
    assert sold["total"] == 309800 and sold["fd"] == sale.fd and sold["fp"] == sale.fp
    assert returned["total"] == 50000
    assert any("Футболка" in text for text in simulator.printed)


def test_a_refused_close_leaves_no_open_receipt_behind(register):
    """Not enough cash in the drawer for a refund: refused, cancelled, the shift goes on."""
    driver, simulator = register
    driver.open_shift(ANNA)
    with pytest.raises(NotEnoughCash):
        driver.refund(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert not driver.status().receipt_open
    driver.close_shift(ANNA)
    assert receipts(simulator) == []


def test_a_marked_item_without_its_code_is_refused_before_anything_is_sent(register):
    driver, simulator = register
    driver.open_shift(ANNA)
    marked = Item("Кроссовки", 599000, 1000, "vat22", marked=True)
    with pytest.raises(MarkingCodeMissing):
        driver.sell(Receipt((marked,), Payments(card=599000), None, ANNA))
    assert receipts(simulator) == [] and not driver.status().receipt_open


def test_a_lost_close_answer_is_recovered_without_a_second_receipt(register):
    """FISCAL.md 5.4: the line drops after the register executed the close."""
    driver, simulator = register
    driver.open_shift(ANNA)
    simulator.inject("drop_after_execute")
    result = driver.sell(Receipt((MUG,), Payments(card=50000), None, ANNA))
    [only] = receipts(simulator)
    assert (only["fd"], only["fp"]) == (result.fd, result.fp)
