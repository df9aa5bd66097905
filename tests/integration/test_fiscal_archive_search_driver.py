"""The FN archive search the gateway runs after a restore (``ShtrihM.find_receipt``), on the
register simulator over a pty: it shares its loop with the reconciliation of a lost close
(``test_fiscal_web_receipts_driver.py``); here what only this caller does or relies on: the
buyer compared, what was read kept across searches, a model without FF3Ah."""

import pytest

from drivers.fiscal import Cashier, Item, Payments, Receipt, ShtrihM
from drivers.fiscal.archive_search import ArchiveCache
from drivers.fiscal.commands import SALE, SALE_RETURN
from drivers.fiscal.link import LinkSettings
from simulators.fiscal_register import FiscalRegisterSimulator

pytestmark = pytest.mark.timeout(60)
ANNA = Cashier("Анна Петрова")
FAST = LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01)
TEA = Item("Чай улун", 45000, 2000, "vat22")
COFFEE = Item("Кофе зерновой", 90000, 1000, "vat22")


@pytest.fixture
def register(tmp_path, request):
    unsupported = getattr(request, "param", frozenset())
    simulator = FiscalRegisterSimulator(tmp_path / "fn.json", unsupported_commands=unsupported)
    driver = ShtrihM(simulator.start(), settings=FAST)
    driver.open_shift(ANNA)
    yield driver, simulator
    driver.close()
    simulator.stop()


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
