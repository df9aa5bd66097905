"""The simulated fiscal drive's health on its pty: the OFD queue (FF39h) aging with the simulator's
clock, the 30-day block (15h), the warning flags of FF01h, the expiry (FF03h), and a replaced
drive (FF01h/FF02h serial, FD and shift numbers from 1). Raw wire with the test's own codec
(tests/fiscal_wire.py), then the driver's `health()` on the same simulator."""

import time

import pytest

from drivers.fiscal import Cashier, Item, Payments, Receipt, ShtrihM
from drivers.fiscal.errors import OfdWaitExhausted
from drivers.fiscal.link import LinkSettings
from simulators.fiscal_register import FiscalRegisterSimulator
from tests.fiscal_wire import MILK, OPEN_RECEIPT, Client, close, cmd, u

pytestmark = pytest.mark.timeout(60)
DAY = 24 * 3600
ANNA = Cashier("Анна Петрова")
FAST = LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01)


def exchange(client: Client) -> dict:
    data = client.ok(cmd(0xFF39))
    return {
        "status": data[0],
        "unsent": int.from_bytes(data[2:4], "little"),
        "first_fd": int.from_bytes(data[4:8], "little"),
        "first_at": tuple(data[8:13]),
    }


def warnings(client: Client) -> int:
    return client.ok(cmd(0xFF01))[4]


def ymdhm(when: float) -> tuple[int, ...]:
    t = time.gmtime(when)
    return (t.tm_year % 100, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min)


def test_while_the_ofd_is_reachable_every_document_leaves_at_once(sim, shift):
    shift.sell(MILK, card=8990)
    assert exchange(shift) == {"status": 0x01, "unsent": 0, "first_fd": 0, "first_at": (0,) * 5}
    assert all(doc["ofd_sent"] for doc in sim.archive)
    assert shift.ok(cmd(0xFF0A, u(2, 4)))[1] == 1  # the OFD's receipt came back


def test_offline_the_queue_grows_and_ages_then_drains(sim, kkt):
    sim.set_ofd_online(False)
    opened_at = sim.now()
    kkt.ok(cmd(0xE0))
    kkt.sell(MILK, card=8990)
    assert exchange(kkt) == {
        "status": 0x02,
        "unsent": 2,
        "first_fd": 1,
        "first_at": ymdhm(opened_at),
    }
    assert sim.ofd_queue == [1, 2] and kkt.ok(cmd(0xFF0A, u(2, 4)))[1] == 0
    assert warnings(kkt) & 0x08 == 0
    sim.advance_clock(DAY + 60)  # a day without the OFD: b3
    assert warnings(kkt) & 0x08
    sim.set_ofd_online(True)
    assert exchange(kkt)["unsent"] == 0 and warnings(kkt) & 0x08 == 0
    assert all(doc["ofd_sent"] for doc in sim.archive) and sim.ofd_queue == []


def test_after_30_days_unsent_the_drive_refuses_every_new_document(sim, kkt):
    sim.set_ofd_online(False)
    kkt.ok(cmd(0xE0))
    kkt.ok(cmd(0x41))
    sim.advance_clock(29 * DAY + 12 * 3600)
    kkt.ok(cmd(0xE0))  # 29.5 days: still allowed
    sim.advance_clock(12 * 3600 + 60)  # the first document has now waited 30 days and a minute
    assert kkt.status()["mode"] == 2  # the shift itself is 12 hours old
    assert kkt.error(OPEN_RECEIPT) == 0x15
    assert kkt.error(MILK) == 0x15  # an item would open the receipt
    assert kkt.error(cmd(0xFF42)) == 0x15 and kkt.error(cmd(0x41)) == 0x15
    assert [doc["type"] for doc in sim.archive] == ["open_shift", "close_shift", "open_shift"]
    sim.set_ofd_online(True)
    kkt.sell(MILK, card=8990)
    kkt.ok(cmd(0x41))
    assert sim.archive[-1]["type"] == "close_shift"


def test_a_receipt_open_when_the_block_begins_cannot_be_closed(sim, kkt):
    sim.set_ofd_online(False)
    kkt.ok(cmd(0xE0))
    kkt.ok(cmd(0x41))
    sim.advance_clock(29 * DAY + 23 * 3600)
    kkt.ok(cmd(0xE0))
    kkt.open_receipt(MILK)
    sim.advance_clock(3600 + 60)
    assert kkt.error(close(card=8990)) == 0x15
    kkt.ok(cmd(0x88))
    assert sim.receipts == []


def test_expiry_warnings_and_the_archive_filling_up(sim, kkt):
    expires = time.gmtime(sim.now() + 396 * DAY)  # 13 months, give or take a few days
    year, month, day = kkt.ok(cmd(0xFF03))[:3]
    assert (2000 + year, month) == (expires.tm_year, expires.tm_mon) and abs(
        day - expires.tm_mday
    ) <= 3
    assert warnings(kkt) == 0
    sim.set_fn_expiry(time.strftime("%Y-%m-%d", time.gmtime(sim.now() + 20 * DAY)))
    assert kkt.ok(cmd(0xFF03))[:3] == bytes(ymdhm(sim.now() + 20 * DAY)[:3])
    assert warnings(kkt) == 0x02  # within 30 days
    sim.advance_clock(18 * DAY)
    assert warnings(kkt) == 0x03  # within 3 days: replace urgently
    sim.set_fn_expiry("2099-12-31")
    sim.set_archive_capacity(10)
    kkt.ok(cmd(0xE0))
    for _ in range(7):
        kkt.sell(MILK, card=8990)
    assert len(sim.archive) == 8 and warnings(kkt) == 0
    kkt.sell(MILK, card=8990)
    assert warnings(kkt) == 0x04  # 9 of 10: 90 % full
    with pytest.raises(ValueError):
        sim.set_fn_expiry("2026-02-30")


def test_a_replaced_drive_starts_its_own_numbers_and_archive(sim, kkt):
    kkt.ok(cmd(0xE0))
    kkt.sell(MILK, card=8990)
    with pytest.raises(RuntimeError, match="close the shift"):
        sim.replace_fn("9999078902009999")
    kkt.ok(cmd(0x41))
    sim.replace_fn("9999078902009999")
    assert kkt.ok(cmd(0xFF02)) == b"9999078902009999" and kkt.last_fd() == 0
    assert kkt.ok(cmd(0xFF01))[10:26] == b"9999078902009999"
    kkt.ok(cmd(0xE0))
    kkt.sell(MILK, card=8990)
    assert [doc["fd"] for doc in sim.archive] == [1, 2]
    assert kkt.ok(cmd(0xFF40))[:3] == bytes([1, 1, 0])  # shift 1, open
    assert [(d["fn"], d["fd"]) for d in sim.all_documents] == [
        ("9999078902004321", 1), ("9999078902004321", 2), ("9999078902004321", 3),
        ("9999078902009999", 1), ("9999078902009999", 2),
    ]  # fmt: skip
    assert len([d for d in sim.all_documents if d["type"] == "receipt"]) == 2
    with pytest.raises(ValueError):
        sim.replace_fn("12345")


def test_the_drive_and_its_serial_survive_a_restart(tmp_path):
    archive = tmp_path / "fn.json"
    first = FiscalRegisterSimulator(archive_path=archive)
    first.replace_fn("9999078902001111")
    first.set_fn_expiry("2027-05-01")
    second = FiscalRegisterSimulator(archive_path=archive)
    assert (
        second.fn_serial == "9999078902001111" and second.drive.memory["fn_expires"] == "2027-05-01"
    )


# --- the driver's view ---------------------------------------------------------------------
@pytest.fixture
def driver(sim):
    register = ShtrihM(sim.slave_path, settings=FAST)
    yield register
    register.close()


def test_the_driver_reads_the_queue_its_age_and_the_expiry(sim, driver):
    sim.set_fn_expiry("2027-03-01")
    driver.open_shift(ANNA)
    assert driver.health().unsent == 0 and driver.health().transport_up
    sim.set_ofd_online(False)
    sale = driver.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000), None, ANNA))
    sim.advance_clock(3 * DAY)
    health = driver.health()
    assert (health.unsent, health.first_unsent_fd, health.transport_up) == (1, sale.fd, False)
    assert health.first_unsent_at is not None and health.checked_at > health.first_unsent_at
    assert health.expires == "2027-03-01" and health.warnings & 0x08
    assert health.fn == sim.fn_serial


def test_the_driver_gets_the_30_day_refusal_as_a_named_error(sim, driver):
    sim.set_ofd_online(False)
    driver.open_shift(ANNA)
    driver.close_shift(ANNA)
    sim.advance_clock(31 * DAY)
    with pytest.raises(OfdWaitExhausted, match="30"):
        driver.open_shift(ANNA)
    sim.set_ofd_online(True)
    driver.open_shift(ANNA)
    sale = driver.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000), None, ANNA))
    assert sale.fn == sim.fn_serial and sim.receipts[-1]["ofd_sent"]
