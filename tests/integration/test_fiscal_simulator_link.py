"""The fiscal register simulator's link faults, driven over its pty with pyserial: bad LRCs,
garbage, lost bytes and answers, line drops, power cycles, busy and slow answers (FISCAL.md 5).
The host end of the wire and the `sim`, `kkt` and `shift` fixtures are in tests/fiscal_wire.py."""

import time

import pytest

from simulators.fiscal_register import FiscalRegisterSimulator
from tests.fiscal_wire import (
    ACK,
    MILK,
    NAK,
    OPEN_RECEIPT,
    SILENCE,
    STX,
    close,
    cmd,
    frame,
    parse_close,
    u,
)

pytestmark = pytest.mark.timeout(60)


# --- link faults -------------------------------------------------------------------------
def test_a_frame_with_a_bad_lrc_is_nakked_and_not_executed(sim, shift):
    assert shift.enq() == NAK
    bad = bytearray(frame(OPEN_RECEIPT))
    bad[-1] ^= 0x55
    shift.port.write(bad)
    assert shift.byte() == NAK
    assert shift.status()["mode"] == 2  # no receipt was opened


def test_an_answer_with_a_bad_lrc_is_sent_again_after_nak_and_enq(sim, shift):
    sim.inject("bad_lrc", command=0xFF45)
    shift.open_receipt(MILK)
    assert shift.send(close(card=8990)) == ACK
    _, ok = shift.answer()
    assert not ok
    shift.port.write(bytes([NAK]))
    assert shift.enq() == ACK
    answer, ok = shift.answer()
    assert ok and parse_close(answer[3:])["fd"] == 2
    shift.port.write(bytes([ACK]))
    assert shift.enq() == NAK
    assert len(sim.receipts) == 1


def test_garbage_before_the_answer_is_skipped(sim, kkt):
    sim.inject("garbage", data=b"\x00\xff\x13\x99")
    assert kkt.status()["mode"] == 4


def test_a_partial_frame_is_discarded_without_an_answer(kkt):
    kkt.port.write(bytes([STX, 0x05, 0x10]))
    assert kkt.byte(SILENCE) is None
    time.sleep(0.1)  # longer than the 50 ms byte timeout
    assert kkt.status()["mode"] == 4


def test_lost_answer_to_close_is_resent_on_enq_and_not_fiscalised_twice(sim, shift):
    sim.inject("drop_after_execute")  # FF45 by default
    shift.open_receipt(MILK)
    assert shift.send(close(card=8990), silent=True) is None  # the line dropped: no ACK, no answer
    assert shift.enq() == ACK  # the answer to the last command is still held
    answer, ok = shift.answer()
    assert ok and answer[:3] == b"\xff\x45\x00"
    shift.port.write(bytes([ACK]))
    assert parse_close(answer[3:])["fd"] == 2
    assert len(sim.receipts) == 1
    assert shift.status()["mode"] == 2
    assert shift.last_fd() == 2


def test_lost_host_ack_keeps_the_answer_pending(sim, shift):
    sim.inject("lost_host_ack", command=0xFF45)
    shift.open_receipt(MILK)
    first = parse_close(shift.ok(close(card=8990)))
    assert shift.enq() == ACK  # the device never saw our ACK
    again, ok = shift.answer()
    shift.port.write(bytes([ACK]))
    assert ok and parse_close(again[3:]) == first
    assert shift.enq() == NAK
    assert len(sim.receipts) == 1


def test_lost_device_ack_the_answer_waits_for_enq(sim, kkt):
    sim.inject("lost_ack", command=0xE0)
    assert kkt.send(cmd(0xE0), silent=True) is None
    assert kkt.enq() == ACK
    answer, ok = kkt.answer()
    kkt.port.write(bytes([ACK]))
    assert ok and answer[:2] == b"\xe0\x00"
    assert len(sim.archive) == 1  # one open-shift document


def test_line_drop_before_close_leaves_the_receipt_open(sim, shift):
    sim.inject("drop_before_execute")
    shift.open_receipt(MILK)
    assert shift.send(close(card=8990), silent=True) is None
    assert shift.enq() == NAK  # nothing pending: the command never arrived
    assert shift.status()["mode"] == 0x08  # document still open → safe to resend FF45
    assert shift.last_fd() == 1
    assert parse_close(shift.ok(close(card=8990)))["fd"] == 2
    assert len(sim.receipts) == 1


def test_power_cycle_after_close_loses_the_answer_but_keeps_the_archive(sim, shift, tmp_path):
    saved_fd = shift.last_fd()
    sim.inject("power_cycle_after_execute")
    shift.open_receipt(MILK)
    assert shift.send(close(card=8990), silent=True) is None
    assert shift.enq() == NAK  # the answer buffer went with the power
    assert shift.status()["mode"] == 2  # no open document: FF45 did run
    assert shift.last_fd() == saved_fd + 1  # ... and fiscalised the receipt
    found = shift.ok(cmd(0xFF0A, u(saved_fd + 1, 4)))
    assert found[0] == 3 and int.from_bytes(found[-5:], "little") == 8990
    assert len(sim.receipts) == 1
    # the archive is on disk: a new simulator on the same file still has it
    again = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json")
    assert [d["fd"] for d in again.archive] == [1, 2]


def test_power_cycle_annuls_an_open_receipt(sim, shift):
    shift.open_receipt(MILK)
    sim.power_cycle()
    assert shift.status()["mode"] == 2
    assert shift.last_fd() == 1 and sim.receipts == []


def test_busy_answers_50h_until_the_previous_command_is_printed(sim, shift):
    sim.inject("busy", count=2)
    assert shift.error(OPEN_RECEIPT) == 0x50
    assert shift.error(OPEN_RECEIPT) == 0x50
    shift.ok(OPEN_RECEIPT)
    assert shift.status()["mode"] == 0x08


def test_a_slow_answer_is_announced_by_ack_on_enq(sim, kkt):
    sim.inject("slow_answer", seconds=0.5)
    assert kkt.send(cmd(0x10)) == ACK
    assert kkt.enq() == ACK  # still preparing
    answer, ok = kkt.answer()
    assert ok and answer[:2] == b"\x10\x00"


def test_line_drop_after_close_with_the_answer_lost_is_found_by_fd_lookup(sim, shift):
    sim.inject("drop_after_execute", keep_answer=False)
    shift.open_receipt(MILK)
    assert shift.send(close(cash=10_000), silent=True) is None
    assert shift.enq() == NAK
    assert shift.status()["mode"] == 2 and shift.last_fd() == 2
    assert len(sim.receipts) == 1 and sim.receipts[0]["change"] == 1010
