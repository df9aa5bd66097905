"""``ShtrihM`` and the web shop's receipts, byte by byte against the scripted register: the
electronic-only receipt (table 17 field 7), the Internet settlement tags (1125, 1187), the
prepayment and its offset (1214 = 1, FF45h sum 14 = 1215) and the correction receipt (8Dh 0x80 /
0x82, 1173, 1174 {1178, 1179}). FISCAL.md "Web shop receipts", 1.7, 3.4."""

import logging

import pytest

from drivers.fiscal.errors import MarkingCodeMissing, RequestRejected
from drivers.fiscal.receipt import (
    Correction,
    Item,
    PaymentMethod,
    Payments,
    PaymentSubject,
    Receipt,
)

TEA = Item("Чай", 25000, 2000, "vat22", payment_method=PaymentMethod.FULL_PREPAYMENT)
PAID_ONLINE = Receipt(
    (TEA,), Payments(card=50000), "a@b.ru", electronic=True, internet=True, place="shop.ru"
)


def sent(device, command: bytes) -> list[bytes]:
    """Parameters (after the password) of every executed `command`."""
    return [body[len(command) + 4 :] for body in device.executed if body[: len(command)] == command]


def test_an_electronic_receipt_sets_do_not_print_before_it_opens(register, device):
    register.sell(PAID_ONLINE)
    assert device.executed_commands[:3] == ["ff01", "1e", "8d"]
    # 1E | pwd 30 | table 17 | row 1 | field 7 | value 1 («не печатать документ», this one)
    assert device.executed[1] == bytes.fromhex("1E 1E 00 00 00 11 01 00 07 01")


def test_after_an_electronic_receipt_a_printed_one_clears_the_setting(register, register_state):
    register.sell(PAID_ONLINE)
    assert register_state.tables[(17, 1, 7)] == 1
    register.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000)))
    assert register_state.tables[(17, 1, 7)] == 0


@pytest.mark.parametrize("refusal", [0x37, 0x33, 0x5D])  # not supported, bad field, no table
def test_a_model_without_the_setting_still_makes_the_receipt(
    register, device, register_state, caplog, refusal
):
    register_state.fail["1e"] = refusal
    with caplog.at_level(logging.WARNING, logger="drivers.fiscal"):
        result = register.sell(PAID_ONLINE)
    assert result.fd == 11 and "не печатать" in caplog.text
    register.sell(PAID_ONLINE)
    assert device.executed_commands.count("1e") == 1  # not asked again


def test_another_refusal_of_the_setting_stops_the_receipt(register, device, register_state):
    register_state.fail["1e"] = 0x4F  # wrong password: not a model without the field
    with pytest.raises(RequestRejected, match="0x4f"):
        register.sell(PAID_ONLINE)
    assert "8d" not in device.executed_commands


def test_internet_settlement_sends_1125_and_1187_inside_the_receipt(register, device):
    register.sell(PAID_ONLINE)
    tags = sent(device, b"\xff\x0c")
    assert tags[0] == bytes.fromhex("F0 03 06 00") + b"a@b.ru"  # 1008
    assert tags[1] == bytes.fromhex("65 04 01 00 01")  # 1125 = 1
    assert tags[2] == bytes.fromhex("A3 04 07 00") + b"shop.ru"  # 1187, CP866
    assert device.executed_commands.index("8d") < device.executed_commands.index("ff0c")


def test_the_prepayment_item_carries_1214_equal_1(register, device):
    register.sell(PAID_ONLINE)
    (ff46,) = sent(device, b"\xff\x46")
    assert ff46[0] == 1 and ff46[24:26] == bytes([1, 1])  # приход; 1214 = 1, 1212 = 1


@pytest.mark.parametrize(("subject", "sent_as"), [(33, 32), (31, 30)])
def test_a_marked_product_is_prepaid_without_its_code(register, device, subject, sent_as):
    """FFD 1.2: the code goes in the handover receipt; the prepayment names the product as
    «подлежащий маркировке, без кода» (1212 = 32, excise 30)."""
    prepaid = PaymentMethod.FULL_PREPAYMENT
    shoes = Item("Ботинки", 500000, payment_method=prepaid, payment_subject=PaymentSubject(subject))
    register.sell(Receipt((shoes,), Payments(card=500000), "a@b.ru", electronic=True))
    (ff46,) = sent(device, b"\xff\x46")
    assert ff46[24:26] == bytes([1, sent_as]) and "ff61" not in device.executed_commands
    handed_over = Item("Ботинки", 500000, vat="vat22", payment_subject=PaymentSubject.MARKED)
    with pytest.raises(MarkingCodeMissing):  # the handover needs the code
        register.sell(Receipt((handed_over,), Payments(prepaid=500000)))


def test_the_offset_goes_as_ff45_sum_14(register, device):
    handed_over = Item("Чай", 25000, 2000, "vat22")
    register.sell(Receipt((handed_over,), Payments(cash=1000, prepaid=49000)))
    (ff45,) = sent(device, b"\xff\x45")
    sums = [int.from_bytes(ff45[i * 5 : i * 5 + 5], "little") for i in range(16)]
    assert sums[0] == 1000 and sums[13] == 49000 and sum(sums) == 50000
    (ff46,) = sent(device, b"\xff\x46")
    assert ff46[24] == 4  # 1214 = 4, полный расчёт


@pytest.mark.parametrize(("refund", "open_type", "operation"), [(False, 0x80, 1), (True, 0x82, 2)])
def test_a_correction_receipt_opens_with_8d_0x80_or_0x82_and_sends_its_basis(
    register, device, register_state, refund, open_type, operation
):
    basis = Correction(by_order=True, date="2026-01-05", number="№ 12")
    correction = Receipt((Item("Хлеб", 5000),), Payments(cash=5000), correction=basis)
    result = (register.refund if refund else register.sell)(correction)
    assert sent(device, b"\x8d") == [bytes([open_type])]
    tags = sent(device, b"\xff\x0c")
    assert tags[0] == bytes.fromhex("95 04 01 00 01")  # 1173 = 1, by order
    midnight = (1767571200).to_bytes(4, "little")  # 2026-01-05 00:00 UTC
    number = "№ 12".encode("cp866")
    basis_tlvs = bytes.fromhex("9A 04 04 00") + midnight + bytes.fromhex("9B 04 04 00") + number
    assert tags[1] == bytes.fromhex("96 04") + len(basis_tlvs).to_bytes(2, "little") + basis_tlvs
    assert sent(device, b"\xff\x46")[0][0] == operation
    assert register_state.archive[result.fd][0] == 31  # the drive filed a correction receipt


def test_a_correction_on_its_own_initiative_has_no_order_number(register, device):
    basis = Correction(by_order=False, date="2025-12-31")
    register.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000), correction=basis))
    tags = sent(device, b"\xff\x0c")
    assert tags[0] == bytes.fromhex("95 04 01 00 00")  # 1173 = 0
    assert tags[1] == bytes.fromhex("96 04 08 00 9A 04 04 00") + (1767139200).to_bytes(4, "little")


def test_without_8d_a_correction_cannot_be_made(register, device, register_state):
    register_state.unsupported.add("8d")
    basis = Correction(by_order=False, date="2026-01-05")
    with pytest.raises(RequestRejected, match="correction receipt cannot be made"):
        register.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000), correction=basis))
    assert "ff46" not in device.executed_commands and "ff45" not in device.executed_commands
    register.sell(Receipt((Item("Хлеб", 5000),), Payments(cash=5000)))  # a sale needs no 8Dh
    assert register_state.receipts == 1


@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        (Receipt((TEA,), Payments(card=50000), internet=True, place="магазин™"), "cannot hold"),
        (Receipt((TEA,), Payments(card=50000), correction=Correction(date="2026-02-30")), "date"),
        (Receipt((TEA,), Payments(card=50000), electronic=True), "e-mail or phone"),
    ],
)
def test_web_receipt_data_is_checked_before_anything_is_sent(register, device, receipt, message):
    with pytest.raises(RequestRejected, match=message):
        register.sell(receipt)
    assert device.executed == []
