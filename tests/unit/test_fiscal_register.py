"""``ShtrihM`` command sequences and recovery, against a scripted register behind the fake link
(``tests/unit/fiscal_scripted.py``). Web shop receipts, corrections and the items check of the
reconciliation: ``test_fiscal_register_web.py``, ``test_fiscal_reconcile_items.py``."""

import pytest

from drivers.fiscal import shtrih
from drivers.fiscal.errors import (
    MarkingCodeMissing,
    PaperOut,
    ReceiptNotFiscalised,
    ReconcileUndecided,
    RequestRejected,
)
from drivers.fiscal.receipt import (
    SHTRIH_TAX_BYTE,
    Cashier,
    Item,
    Payments,
    PaymentSubject,
    Receipt,
)
from tests.unit.fiscal_scripted import DATE, FN_SERIAL, item_tlv

BREAD = Item("Хлеб", price=4990, quantity=2000, vat="vat22")
SALE = Receipt(items=(BREAD,), payments=Payments(cash=10000), buyer_contact="a@b.ru")


def test_sell_sends_the_receipt_commands_in_order(register, device, register_state):
    result = register.sell(SALE)
    # 1Eh: table 17 field 7 := 0 (print), once: a crash may have left «не печатать» set
    # FF0Ah after FF45h: the FF45h answer (not extended) has no date and time, the drive has
    assert device.executed_commands == [
        "ff01", "1e", "8d", "ff0c", "ff46", "ff45", "ff0a", "ff40",
    ]  # fmt: skip
    assert register_state.tables == {(17, 1, 7): 0}
    assert (result.fd, result.fp, result.fn) == (11, 1011, FN_SERIAL.decode())
    assert (result.shift, result.number, result.change) == (5, 1, 20)
    assert result.ts == "2026-01-15T09:05"  # DATE of the scripted drive
    device.executed.clear()
    register.sell(SALE)
    assert device.executed_commands == ["ff01", "8d", "ff0c", "ff46", "ff45", "ff0a", "ff40"]


def test_item_goes_as_ff46_with_the_22_percent_tax_byte(register, device):
    register.sell(SALE)
    ff46 = next(b for b in device.executed if b[:2] == b"\xff\x46")
    expected = (
        "FF 46 1E 00 00 00 01"  # password 30, приход
        " 80 84 1E 00 00 00"  # 2 pieces = 2 000 000
        " 7E 13 00 00 00"  # price 4990
        " FC 26 00 00 00"  # amount 9980
        " FF FF FF FF FF CB 00 04 01"  # tax amount by register, 22 %, dept 0, 1214=4, 1212=1
    )
    assert ff46 == bytes.fromhex(expected) + "Хлеб".encode("cp1251")


def test_buyer_contact_goes_as_tag_1008(register, device):
    register.sell(SALE)
    ff0c = next(b for b in device.executed if b[:2] == b"\xff\x0c")
    assert ff0c == bytes.fromhex("FF 0C 1E 00 00 00 F0 03 06 00 61 40 62 2E 72 75")


def test_marked_item_without_code_is_refused_before_anything_is_sent(register, device):
    shoes = Item("Ботинки", 500000, vat="vat22", payment_subject=PaymentSubject.MARKED)
    with pytest.raises(MarkingCodeMissing, match="marking code"):
        register.sell(Receipt(items=(shoes,), payments=Payments(card=500000)))
    assert device.executed == [] and device.host_bytes == b""


def test_marked_item_is_checked_accepted_sold_and_bound(register, device):
    code = "0104601234567890215abcdefghijkl\x1d91EE06\x1d92abcd"
    shoes = Item("Ботинки", 500000, vat="vat22", marked=True, marking_code=code)
    register.sell(Receipt(items=(shoes,), payments=Payments(card=500000)))
    assert device.executed_commands[3:7] == ["ff61", "ff69", "ff46", "ff67"]
    ff61 = device.executed[3]
    assert ff61[6:10] == bytes([1, 0, len(code), 0]) and ff61[10:] == code.encode()


def test_cyrillic_in_a_marking_code_is_refused(register, device):
    shoes = Item("Ботинки", 1000, marked=True, marking_code="01046012345678902ЁЁ")
    with pytest.raises(RequestRejected, match="ASCII"):
        register.sell(Receipt(items=(shoes,), payments=Payments(cash=1000)))
    assert device.executed == []


@pytest.mark.parametrize(
    ("payments", "message"),
    [(Payments(cash=100), "less than"), (Payments(card=20000), "exceeds")],
)
def test_payments_are_checked_before_sending(register, device, payments, message):
    with pytest.raises(RequestRejected, match=message):
        register.sell(Receipt(items=(BREAD,), payments=payments))
    assert device.executed == []


def test_vat_codes_map_to_shtrih_tax_bytes():
    """Checked against shtrih-m/javapos_shtrih af0a237b (2026-02-18),
    Source/Core/src/com/shtrih/jpos/fiscalprinter/FiscalPrinterImpl.java getVatCodeShtrih()
    (its Doc/VatTable.txt of 2026-02-02 still says 0x90 for 7/107; the later code says 0x88)."""
    assert SHTRIH_TAX_BYTE["vat22"] == 0xCB and SHTRIH_TAX_BYTE["vat122"] == 0xCC
    assert SHTRIH_TAX_BYTE["none"] == 0x08 and SHTRIH_TAX_BYTE["vat0"] == 0x04
    assert SHTRIH_TAX_BYTE["vat5"] == 0x81 and SHTRIH_TAX_BYTE["vat7"] == 0x82
    assert SHTRIH_TAX_BYTE["vat105"] == 0x84 and SHTRIH_TAX_BYTE["vat107"] == 0x88
    assert SHTRIH_TAX_BYTE["vat10"] == 0x02 and SHTRIH_TAX_BYTE["vat110"] == 0x20
    assert SHTRIH_TAX_BYTE["vat20"] == 0x01 and SHTRIH_TAX_BYTE["vat120"] == 0x10


@pytest.mark.parametrize(("vat", "byte"), [("vat5", 0x81), ("vat7", 0x82), ("vat107", 0x88)])
def test_usn_vat_rates_go_in_the_ff46_tax_byte(register, device, vat, byte):
    register.sell(Receipt((Item("Чай", 10000, vat=vat),), Payments(cash=10000)))
    ff46 = next(b for b in device.executed if b[:2] == b"\xff\x46")
    assert ff46[6 + 22] == byte  # after op(1) qty(6) price(5) amount(5) tax amount(5)


def test_old_20_percent_only_in_refunds(register, device):
    old = Receipt(items=(Item("Хлеб", 1000, vat="vat20"),), payments=Payments(cash=1000))
    with pytest.raises(RequestRejected, match="pre-2026"):
        register.sell(old)
    register.refund(old)
    ff46 = next(b for b in device.executed if b[:2] == b"\xff\x46")
    assert ff46[6] == 2  # FF46 operation: возврат прихода


def test_lost_close_answer_is_fetched_with_enq_not_resent(register, device):
    device.faults.extend(["ok"] * 5 + ["no_answer"])  # ff01 1e 8d ff0c ff46 fine; ff45 answer lost
    result = register.sell(SALE)
    assert device.executed_commands.count("ff45") == 1
    assert result.fd == 11


def test_close_answer_lost_in_a_power_cycle_is_found_in_the_fn_archive(register, device):
    device.faults.extend(["ok"] * 5 + ["power_cycle"])
    result = register.sell(SALE)
    assert device.executed_commands.count("ff45") == 1
    assert "ff0a" in device.executed_commands and "ff3a" in device.executed_commands
    assert (result.fd, result.fp) == (11, 1011)


def test_reconcile_says_still_open_when_close_never_ran(register, register_state):
    register_state.mode = 8
    assert register.reconcile_close(10, SALE, 1) is None


def test_reconcile_says_not_fiscalised_when_fn_did_not_move(register):
    with pytest.raises(ReceiptNotFiscalised):
        register.reconcile_close(10, SALE, 1)


def test_reconcile_finds_the_receipt_behind_a_shift_report_made_meanwhile(register, register_state):
    shift_report = bytes([2, 0]) + DATE + (11).to_bytes(4, "little") + (7).to_bytes(4, "little")
    register_state.archive[11] = shift_report + (5).to_bytes(2, "little")
    register_state.last_fd = 11
    register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])
    found = register.reconcile_close(10, SALE, 1)
    assert (found.fd, found.fp) == (12, 1012)


def test_reconcile_says_not_fiscalised_when_no_new_document_is_this_receipt(
    register, register_state
):
    other = bytes([1]) + (5000).to_bytes(5, "little")
    fd_fp = (11).to_bytes(4, "little") + (1011).to_bytes(4, "little")
    register_state.archive[11] = bytes([3, 0]) + DATE + fd_fp + other
    register_state.last_fd = 11
    with pytest.raises(ReceiptNotFiscalised):
        register.reconcile_close(10, SALE, 1)


@pytest.mark.parametrize("last_fd", [9, 10 + shtrih.RECONCILE_SCAN_LIMIT + 1])
def test_reconcile_refuses_to_guess_when_the_fn_went_back_or_far_ahead(
    register, register_state, last_fd
):
    register_state.last_fd = last_fd  # another FN, or a day of documents: staff must look
    with pytest.raises(ReconcileUndecided):
        register.reconcile_close(10, SALE, 1)


def test_paper_out_during_items_cancels_the_open_receipt(register, device, register_state):
    register_state.fail["ff46"] = 0x6B
    with pytest.raises(PaperOut) as caught:
        register.sell(SALE)
    assert "Нет чековой ленты" in str(caught.value) and "paper" in str(caught.value)
    assert device.executed_commands[-1] == "88" and register_state.mode == 2


def test_previous_command_printing_is_retried(register, device, register_state, monkeypatch):
    monkeypatch.setattr(shtrih, "PRINTING_RETRY_PAUSE", 0)
    register_state.fail["ff46"] = 0x50
    register.sell(SALE)
    assert device.executed_commands.count("ff46") == 2


def test_status_decodes_mode_submode_and_paper(register, register_state):
    register_state.mode, register_state.submode = 0x08, 3
    status = register.status()
    assert status.receipt_open and status.waiting_continue_print and status.paper_present
    assert status.operator == 30


def test_last_document_reads_ff01_then_ff0a(register, device):
    register.sell(SALE)
    document = register.last_document()
    assert (document.fd, document.doc_type, document.total, document.operation) == (11, 3, 9980, 1)
    assert document.ts == "2026-01-15T09:05"


def test_open_shift_sends_cashier_tags_and_reports_the_shift(register, device):
    result = register.open_shift(Cashier("Иванов И.", inn="123456789012"))
    # 1e first: «не печатать» a crash may have left set would take the report off the paper
    assert device.executed_commands == ["1e", "ff41", "ff0c", "ff0c", "e0", "ff01", "ff0a"]
    assert device.executed[2][6:] == bytes.fromhex("FD 03 09 00") + "Иванов И.".encode("cp866")
    assert (result.shift, result.fd, result.fp) == (6, 11, 1011)
    register.x_report()
    assert device.executed_commands[-1] == "40"  # known to print now: not written again


def test_cash_in_returns_the_document_number(register, device):
    assert register.cash_in(100000) == 7
    assert device.executed[1] == bytes.fromhex("50 1E 00 00 00 A0 86 01 00 00")


def test_failed_lookup_after_close_still_returns_the_fiscal_data(register, register_state):
    register_state.fail["ff40"] = 0x02
    result = register.sell(SALE)
    assert (result.fd, result.fp, result.shift, result.number) == (11, 1011, None, None)


def test_reconcile_trusts_a_close_answer_drained_on_reconnect_over_any_lookup(
    register, register_state
):
    """After a restart the first command drains a held FF45 answer as stale: it is the exact
    evidence (a keyboard sale of the same total could otherwise pass for this receipt)."""
    fd_fp = (11).to_bytes(4, "little") + (4242).to_bytes(4, "little")
    register.link.stale_answers.append(b"\xff\x45\x00" + (0).to_bytes(5, "little") + fd_fp)
    register_state.last_fd = 12  # another document came after it
    found = register.reconcile_close(10, SALE, 1)
    assert (found.fd, found.fp) == (11, 4242) and register.link.stale_answers == []
