"""A receipt's fiscal date and time in the driver (``drivers/fiscal/document_time.py``), against
the scripted register (``tests/unit/fiscal_scripted.py``): FF45h with or without DATE_TIME, the
FF0Ah answer checked to be our document, and every way the register cannot tell (None)."""

from drivers.fiscal.receipt import Item, Payments, Receipt
from tests.unit.fiscal_scripted import item_tlv

SALE = Receipt(
    items=(Item("Хлеб", price=4990, quantity=2000, vat="vat22"),), payments=Payments(cash=10000)
)
SCRIPTED = "2026-01-15T09:05"  # DATE of the scripted drive


def test_without_a_time_in_the_close_answer_the_drive_is_asked(register, device):
    result = register.sell(SALE)
    assert result.ts == SCRIPTED
    ff0a = next(b for b in device.executed if b[:2] == b"\xff\x0a")
    assert ff0a[6:] == (11).to_bytes(4, "little")  # FD 11, the receipt just closed


def test_a_close_answer_with_its_time_is_taken_as_it_is(register, device, register_state):
    """Table setting «РАСШИР. ОТВ.»: FF45h ends with DATE_TIME (21 bytes): no FF0Ah."""
    close = register_state.cmd_ff45
    register_state.cmd_ff45 = lambda data: close(data) + bytes([26, 2, 28, 23, 59])
    result = register.sell(SALE)
    assert result.ts == "2026-02-28T23:59" and "ff0a" not in device.executed_commands


def test_a_model_without_ff0a_gives_none_and_is_not_asked_again(register, device, register_state):
    register_state.unsupported.add("ff0a")
    first, second = register.sell(SALE), register.sell(SALE)
    assert (first.ts, second.ts) == (None, None)
    assert (first.fd, first.fp, second.fd) == (11, 1011, 12)  # the receipts are not lost
    assert device.executed_commands.count("ff0a") == 1


def test_a_failed_lookup_gives_none_for_this_receipt_only(register, device, register_state):
    register_state.fail["ff0a"] = 0x08  # FN: no requested data
    first = register.sell(SALE)
    assert (first.fd, first.fp, first.ts) == (11, 1011, None)
    assert register.sell(SALE).ts == SCRIPTED  # asked again next time


def test_an_answer_about_another_document_is_not_taken(register, register_state):
    """The drive's record must be the receipt we hold (FD, FP, type), or its time is not ours."""
    close = register_state.cmd_ff45

    def close_then_renumber(data):
        answer = close(data)
        fd = register_state.last_fd
        stored = register_state.archive[fd]
        register_state.archive[fd] = stored[:11] + (4242).to_bytes(4, "little") + stored[15:]
        return answer

    register_state.cmd_ff45 = close_then_renumber
    result = register.sell(SALE)
    assert (result.fd, result.fp, result.ts) == (11, 1011, None)


def test_a_drive_answering_an_impossible_date_gives_none(register, register_state):
    close = register_state.cmd_ff45

    def close_with_zero_date(data):
        answer = close(data)
        stored = register_state.archive[register_state.last_fd]
        register_state.archive[register_state.last_fd] = stored[:2] + bytes(5) + stored[7:]
        return answer

    register_state.cmd_ff45 = close_with_zero_date
    assert register.sell(SALE).ts is None


def test_a_close_answer_drained_after_a_restart_gets_the_time_from_the_drive(
    register, device, register_state
):
    """Recovery (FISCAL.md 5.4): the held FF45h answer drained on reconnect has no time; the
    reconciled close answer carries the drive's."""
    fd = register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])
    fd_fp = fd.to_bytes(4, "little") + (1000 + fd).to_bytes(4, "little")
    register.link.stale_answers.append(b"\xff\x45\x00" + (20).to_bytes(5, "little") + fd_fp)
    found = register.reconcile_close(10, SALE, 1)
    assert (found.fd, found.fp, found.ts) == (11, 1011, SCRIPTED)
    assert device.executed_commands[-1] == "ff0a"


def test_a_receipt_found_in_the_archive_keeps_the_time_of_its_lookup(
    register, device, register_state
):
    register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])
    found = register.reconcile_close(10, SALE, 1)
    assert (found.fd, found.ts) == (11, SCRIPTED)
    assert device.executed_commands.count("ff0a") == 1  # the scan's answer had it: not asked again
