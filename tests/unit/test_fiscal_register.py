"""``ShtrihM`` command sequences and recovery, against a scripted register behind the fake link."""

import pytest

from drivers.fiscal import shtrih
from drivers.fiscal.errors import (
    MarkingCodeMissing,
    PaperOut,
    ReceiptNotFiscalised,
    ReconcileUndecided,
    RequestRejected,
)
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.receipt import (
    SHTRIH_TAX_BYTE,
    Cashier,
    Item,
    Payments,
    PaymentSubject,
    Receipt,
)
from drivers.fiscal.shtrih import ShtrihM
from tests.unit.test_fiscal_fakes import FakeRegisterPort, err, ok

FN_SERIAL = b"9999078900001234"
DATE = bytes([26, 1, 15, 9, 5])
FAST = LinkSettings(control_timeout=0.05, byte_timeout=0.05, timeout_scale=0.001)


class ScriptedRegister:
    """Just enough register state (mode, FN document counter, archive) to answer from the spec."""

    def __init__(self):
        self.mode, self.submode, self.last_fd, self.shift, self.receipts = 2, 0, 10, 5, 0
        self.total = 0
        self.archive: dict[int, bytes] = {}
        self.fail: dict[str, int] = {}  # command hex -> error code to answer once

    def __call__(self, body: bytes) -> bytes:
        code = body[:2] if body[0] == 0xFF else body[:1]
        if code.hex() in self.fail:
            return err(code, self.fail.pop(code.hex()))
        data = body[len(code) + 4 :]  # after the password
        handler = getattr(self, f"cmd_{code.hex()}", None)
        return ok(code, handler(data) if handler else b"\x1e")

    def cmd_10(self, _):
        flags = (0x0082).to_bytes(2, "little")
        return bytes([30]) + flags + bytes([self.mode, self.submode, 0, 0, 0, 0, 0, 0, 0, 0, 0])

    def cmd_ff01(self, _):
        current = 4 if self.mode == 8 else 0
        return bytes([3, current, 0, 1, 0]) + DATE + FN_SERIAL + self.last_fd.to_bytes(4, "little")

    def cmd_8d(self, data):
        self.mode, self.total = 8, 0
        return b"\x1e"

    def cmd_ff46(self, data):
        self.mode = 8
        self.total += int.from_bytes(data[12:17], "little")
        return b""

    def cmd_ff45(self, data):
        paid = sum(int.from_bytes(data[i : i + 5], "little") for i in range(0, 80, 5))
        self.last_fd += 1
        self.receipts += 1
        receipt = bytes([1]) + self.total.to_bytes(5, "little")
        self.archive[self.last_fd] = bytes([3, 0]) + DATE + self._fd_fp() + receipt
        self.mode = 2
        return (paid - self.total).to_bytes(5, "little") + self._fd_fp()

    def cmd_ff40(self, _):
        return bytes([1]) + self.shift.to_bytes(2, "little") + self.receipts.to_bytes(2, "little")

    def cmd_ff0a(self, data):
        return self.archive[int.from_bytes(data, "little")]

    def cmd_88(self, _):
        self.mode = 2
        return b"\x1e"

    def cmd_e0(self, _):
        self.mode, self.shift, self.last_fd = 2, self.shift + 1, self.last_fd + 1
        shift = self.shift.to_bytes(2, "little")
        self.archive[self.last_fd] = bytes([2, 0]) + DATE + self._fd_fp() + shift
        return b"\x1e"

    def cmd_50(self, _):
        return b"\x1e\x07\x00"

    def _fd_fp(self):
        return self.last_fd.to_bytes(4, "little") + (1000 + self.last_fd).to_bytes(4, "little")


@pytest.fixture
def register_state():
    return ScriptedRegister()


@pytest.fixture
def device(register_state):
    return FakeRegisterPort(register_state)


@pytest.fixture
def register(device):
    return ShtrihM(port=device, settings=FAST)


BREAD = Item("Хлеб", price=4990, quantity=2000, vat="vat22")
SALE = Receipt(items=(BREAD,), payments=Payments(cash=10000), buyer_contact="a@b.ru")


def test_sell_sends_the_receipt_commands_in_order(register, device):
    result = register.sell(SALE)
    assert device.executed_commands == ["ff01", "8d", "ff0c", "ff46", "ff45", "ff40"]
    assert (result.fd, result.fp, result.fn) == (11, 1011, FN_SERIAL.decode())
    assert (result.shift, result.number, result.change) == (5, 1, 20)


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
    assert device.executed_commands[2:6] == ["ff61", "ff69", "ff46", "ff67"]
    ff61 = device.executed[2]
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
    assert SHTRIH_TAX_BYTE["vat22"] == 0xCB and SHTRIH_TAX_BYTE["vat122"] == 0xCC
    assert SHTRIH_TAX_BYTE["none"] == 0x08 and SHTRIH_TAX_BYTE["vat0"] == 0x04
    assert SHTRIH_TAX_BYTE["vat5"] == 0x81 and SHTRIH_TAX_BYTE["vat7"] == 0x82
    assert SHTRIH_TAX_BYTE["vat10"] == 0x02 and SHTRIH_TAX_BYTE["vat110"] == 0x20
    assert SHTRIH_TAX_BYTE["vat105"] == 0x84 and SHTRIH_TAX_BYTE["vat20"] == 0x01


def test_old_20_percent_only_in_refunds(register, device):
    old = Receipt(items=(Item("Хлеб", 1000, vat="vat20"),), payments=Payments(cash=1000))
    with pytest.raises(RequestRejected, match="pre-2026"):
        register.sell(old)
    register.refund(old)
    ff46 = next(b for b in device.executed if b[:2] == b"\xff\x46")
    assert ff46[6] == 2  # FF46 operation: возврат прихода


def test_lost_close_answer_is_fetched_with_enq_not_resent(register, device):
    device.faults.extend(["ok"] * 4 + ["no_answer"])  # ff01, 8d, ff0c, ff46 fine; ff45 answer lost
    result = register.sell(SALE)
    assert device.executed_commands.count("ff45") == 1
    assert result.fd == 11


def test_close_answer_lost_in_a_power_cycle_is_found_in_the_fn_archive(register, device):
    device.faults.extend(["ok"] * 4 + ["power_cycle"])
    result = register.sell(SALE)
    assert device.executed_commands.count("ff45") == 1
    assert "ff0a" in device.executed_commands
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
    receipt = bytes([1]) + (9980).to_bytes(5, "little")
    fd_fp = (12).to_bytes(4, "little") + (1012).to_bytes(4, "little")
    register_state.archive[12] = bytes([3, 0]) + DATE + fd_fp + receipt
    register_state.last_fd = 12
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
    assert device.executed_commands == ["ff41", "ff0c", "ff0c", "e0", "ff01", "ff0a"]
    assert device.executed[1][6:] == bytes.fromhex("FD 03 09 00") + "Иванов И.".encode("cp866")
    assert (result.shift, result.fd, result.fp) == (6, 11, 1011)


def test_cash_in_returns_the_document_number(register, device):
    assert register.cash_in(100000) == 7
    assert device.executed[0] == bytes.fromhex("50 1E 00 00 00 A0 86 01 00 00")


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
