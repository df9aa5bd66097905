"""A receipt's fiscal date and time, from the driver against the register simulator on a pty:
the time the fiscal drive stored for the document (what the receipt prints as «ДАТА»), whether
the close answer carries it (FF45h extended) or not (then FF0Ah), after a garbled answer, after
a lost close answer, and none from a model that cannot tell."""

import calendar
import re
import time

import pytest

from drivers.fiscal import ShtrihM
from drivers.fiscal.receipt import Cashier, Correction, Item, Payments, Receipt
from simulators.fiscal_register import FiscalRegisterSimulator
from tests.fiscal_wire import Client, cmd

ANNA = Cashier("Анна Петрова")
MUG = Item("Кружка", 50000, 1000, "vat22")
SIGNED_AT = calendar.timegm((2026, 12, 3, 13, 46, 20))  # the register's clock (its local time)
SIGNED = "2026-12-03T13:46"


@pytest.fixture
def start(tmp_path):
    """A simulator whose clock stands at SIGNED_AT (moved by `advance_clock`), and the driver."""
    running = []

    def start(**options) -> tuple[ShtrihM, FiscalRegisterSimulator]:
        sim = FiscalRegisterSimulator(
            archive_path=tmp_path / "fn.json", clock=lambda: SIGNED_AT, **options
        )
        driver = ShtrihM(sim.start())
        running.append((driver, sim))
        return driver, sim

    yield start
    for driver, sim in running:
        driver.close()
        sim.stop()


def printed_date(sim, fd: int) -> str:
    """«ДАТА dd.mm.yy hh:mm» of the receipt with this FD, as ISO 'YYYY-MM-DDThh:mm'."""
    [text] = [t for t in sim.printed if re.search(rf"ФД\s+{fd}\n", t)]
    day, month, year, hour, minute = re.search(
        r"ДАТА\s+(\d\d)\.(\d\d)\.(\d\d) (\d\d):(\d\d)", text
    ).groups()
    return f"20{year}-{month}-{day}T{hour}:{minute}"


def stored_time(sim, fd: int) -> str:
    [doc] = [d for d in sim.archive if d["fd"] == fd]
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(doc["time"]))


def test_a_sale_carries_the_time_the_drive_stored_and_printed(start):
    driver, sim = start()
    driver.open_shift(ANNA)
    sale = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert sale.ts == SIGNED == stored_time(sim, sale.fd) == printed_date(sim, sale.fd)
    sim.advance_clock(3600 + 60)  # an hour later the drive still says when FD was signed
    assert driver.find_document(sale.fd).ts == SIGNED
    later = driver.sell(Receipt((MUG,), Payments(card=50000), None, ANNA))
    assert later.ts == "2026-12-03T14:47" == printed_date(sim, later.fd)


def test_a_close_answer_with_the_time_needs_no_lookup(start):
    """«РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД» = 1: FF45h carries DATE_TIME, FF0Ah is not asked."""
    driver, sim = start(extended_answers=True)
    driver.open_shift(ANNA)
    lookups = sim.executed.get(0xFF0A, 0)
    sale = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert sale.ts == SIGNED == printed_date(sim, sale.fd)
    assert sim.executed.get(0xFF0A, 0) == lookups


def test_a_correction_receipt_carries_its_time(start):
    driver, sim = start()
    driver.open_shift(ANNA)
    basis = Correction(by_order=False, date="2026-12-01")
    fixed = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA, correction=basis))
    assert [d["fd"] for d in sim.corrections] == [fixed.fd]
    assert fixed.ts == SIGNED


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("bad_lrc", {}),  # a garbled answer: NAK, ENQ, the register sends it again
        ("lost_ack", {}),  # the register's ACK of the query lost: the answer waits for ENQ
        ("garbage", {}),  # noise before the answer frame
        ("busy", {"count": 2}),  # 50h «previous command printing»: asked again
    ],
)
def test_a_troubled_lookup_is_asked_again_and_the_time_kept(start, fault, params):
    driver, sim = start()
    driver.open_shift(ANNA)
    sim.inject(fault, command=0xFF0A, **params)
    sale = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert sale.ts == SIGNED and len(sim.receipts) == 1
    assert not sim.faults.pending  # the receipt's FF0Ah met the fault


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("drop_after_execute", {}),  # the register holds the answer: fetched on ENQ
        ("drop_after_execute", {"keep_answer": False}),  # gone: found in the drive's archive
        ("power_cycle_after_execute", {}),  # gone with the power: found in the archive
    ],
)
def test_a_lost_close_answer_is_recovered_with_the_documents_time(start, fault, params):
    driver, sim = start()
    driver.open_shift(ANNA)
    sim.inject(fault, command=0xFF45, **params)
    sale = driver.sell(Receipt((MUG,), Payments(card=50000), None, ANNA))
    [only] = sim.receipts
    assert (only["fd"], only["fp"]) == (sale.fd, sale.fp)
    assert sale.ts == SIGNED == printed_date(sim, sale.fd)


def test_a_model_that_cannot_tell_the_time_leaves_it_unknown(start):
    """An older model answers FF0Ah with 37h: the receipt is recorded without its time (null),
    never refused or retried for it; the driver does not ask again."""
    driver, sim = start(unsupported_commands={0xFF0A})
    client = Client(sim.slave_path)  # the shift opened at the register (this driver's own
    try:  # shift report looks its document up with FF0Ah)
        client.ok(cmd(0xE0))
    finally:
        client.close()
    first = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    second = driver.sell(Receipt((MUG,), Payments(cash=50000), None, ANNA))
    assert (first.ts, second.ts) == (None, None)
    assert [d["fd"] for d in sim.receipts] == [first.fd, second.fd]
    assert (first.fp, first.shift, first.number) == (sim.receipts[0]["fp"], 1, 1)
    assert sim.executed[0xFF0A] == 1  # 37h once: not asked at every receipt
