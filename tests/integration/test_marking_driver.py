"""The marking check (разрешительный режим) through the Shtrih-M driver against the register
simulator on a pty: FF61h + FF69h before each marked item, the simulated Честный ЗНАК's answer
(valid, sold already, refused, no answer) deciding whether the item is sold, and tags 2106 and
2107 in the fiscal drive's archive."""

import pytest

from drivers.fiscal import ShtrihM, commands
from drivers.fiscal import marking as marking_check
from drivers.fiscal.errors import MarkingCodeRefused, RequestRejected
from drivers.fiscal.receipt import Cashier, Item, Payments, Receipt
from drivers.fiscal.register import MarkingCheck
from simulators.fiscal_register import FiscalRegisterSimulator

ANNA = Cashier("Анна Петрова")
CRYPTO = "\x1d91EE06\x1d92" + "A" * 44  # a 44-char crypto tail: the FN checks it itself
SHOES = "0104601234567893215shoe0001" + CRYPTO
BOOTS = "0104601234567893215boot0002" + CRYPTO
WATER = "0104607068620012215water0001\x1d93dGVz"  # a 4-char tail: only online


def shoes(code: str = SHOES) -> Item:
    return Item("Кеды", 499000, 1000, "vat22", marked=True, marking_code=code)


@pytest.fixture
def register(tmp_path):
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "archive.json")
    driver = ShtrihM(simulator.start())
    driver.open_shift(ANNA)
    yield driver, simulator
    driver.close()
    simulator.stop()


def sell(driver, *items: Item):
    total = sum(item.amount for item in items)
    return driver.sell(Receipt(items, Payments(card=total), None, ANNA))


def test_a_valid_code_is_accepted_and_its_receipt_item_carries_2106(register):
    driver, simulator = register
    sell(driver, shoes())
    [receipt] = simulator.receipts
    assert receipt["marking_codes"] == [SHOES]
    assert receipt["items"][0]["2106"] == 0x0F  # [М+]
    assert receipt["tlv"]["2107"] == 0  # every code checked positive


@pytest.mark.parametrize(("answer", "why"), [("sold", "sold"), ("refused", "refused")])
def test_a_sold_or_refused_code_stops_the_receipt_and_nothing_is_fiscalised(register, answer, why):
    driver, simulator = register
    simulator.set_marking_answer(answer, SHOES)
    documents = simulator.document_count
    with pytest.raises(MarkingCodeRefused, match=why):
        sell(driver, shoes(BOOTS), shoes())  # the second of two: the first is cancelled too
    assert simulator.receipts == [] and simulator.document_count == documents
    assert not driver.status().receipt_open  # cancelled, the register is ready again
    assert 0xFF45 not in simulator.executed
    sell(driver, shoes(BOOTS))  # the other pair sells
    assert simulator.receipts[0]["marking_codes"] == [BOOTS]


def test_no_answer_in_time_sells_by_the_offline_rule_and_says_so(register):
    driver, simulator = register
    simulator.set_marking_answer("no_answer")
    sell(driver, shoes(), shoes(WATER))
    [receipt] = simulator.receipts
    assert [item["2106"] for item in receipt["items"]] == [0x13, 0x10]  # b4 offline
    assert receipt["tlv"]["2107"] == 1  # not every result positive


def test_a_pre_check_says_what_the_register_answered_and_leaves_the_code_free(register):
    driver, simulator = register
    simulator.set_marking_answer("sold", BOOTS)
    valid = driver.check_marking(SHOES)
    assert valid == MarkingCheck(SHOES, 0x03, 0, 4, True, 0x0F)
    assert marking_check.verdict(valid) == marking_check.Verdict(True, "ok")
    sold = driver.check_marking(BOOTS)
    assert marking_check.verdict(sold) == marking_check.Verdict(False, "sold")
    assert marking_check.verdict(driver.check_marking(BOOTS, refund=True)).allowed
    # The check was refused with FF69h: binding that code without a new check is a sequence
    # error (A1h), so a pre-check can never leave a code sellable by accident.
    driver.call(0x8D, bytes([0]))
    driver.call(0xFF46, commands.operation_v2(shoes(), commands.SALE))
    with pytest.raises(RequestRejected, match="маркировки"):
        driver.call(0xFF67, bytes([len(BOOTS)]) + BOOTS.encode())
    driver.cancel_receipt()
    assert simulator.receipts == []


def test_a_return_of_a_sold_code_goes_through(register):
    driver, simulator = register
    sell(driver, shoes())
    simulator.set_marking_answer("sold", SHOES)  # Честный ЗНАК has it as sold now
    driver.refund(Receipt((shoes(),), Payments(card=499000), None, ANNA))
    returned = simulator.receipts[1]
    assert returned["op_type"] == 2 and returned["items"][0]["2106"] == 0x0F


def test_a_refused_code_is_refused_on_a_return_too_but_does_not_stop_it(register):
    driver, simulator = register
    sell(driver, shoes())
    simulator.set_marking_answer("refused")
    driver.refund(Receipt((shoes(),), Payments(card=499000), None, ANNA))
    returned = simulator.receipts[1]
    assert returned["items"][0]["2106"] == 0x05 and returned["tlv"]["2107"] == 1


def test_an_unknown_answer_name_is_refused(register):
    _, simulator = register
    with pytest.raises(ValueError, match="valid, sold, refused, no_answer"):
        simulator.set_marking_answer("maybe")


@pytest.mark.parametrize(
    ("data", "answered", "result", "why"),
    [
        (bytes([3, 0, 4, 2, 0x00, 0x0F]), True, 0x0F, "ok"),
        (bytes([3, 0, 4, 3, 0x20, 0x02, 0x07]), True, 0x07, "sold"),  # 0x20: a reason byte
        (bytes([1, 0, 4, 2, 0x00, 0x05]), True, 0x05, "refused"),
        (bytes([3, 0, 4, 2, 0xFF, 0x13]), False, 0x13, "offline"),
        (bytes([1, 0, 4, 0]), False, 0x11, "refused"),  # no server; the FN's own check failed
        (bytes([0, 1, 5, 0]), False, 0x10, "offline"),  # a 93 code, no server: nothing known
        (b"\x1e", False, 0x12, "offline"),  # a short answer: what is not said was not checked
    ],
)
def test_the_ff61_answer_is_read_as_the_layout_says(data, answered, result, why):
    check = marking_check.parse(SHOES, data)
    assert (check.answered, check.result) == (answered, result)
    assert marking_check.verdict(check).why == why
