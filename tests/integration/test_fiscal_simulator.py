"""The fiscal register simulator, driven over its pty with pyserial: the codec, the receipt and
shift life cycle, paper and shift faults, and the command line. The host end of the wire and the
`sim`, `kkt` and `shift` fixtures are in tests/fiscal_wire.py; link faults are in
test_fiscal_simulator_link.py."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fiscal_wire import (
    ADMIN,
    BREAD,
    CASHIER,
    MILK,
    NAK,
    OPEN_RECEIPT,
    Client,
    close,
    cmd,
    frame,
    item,
    parse_close,
    tlv,
    u,
)

pytestmark = pytest.mark.timeout(60)


def test_the_test_codec_matches_the_worked_examples():
    assert frame(cmd(0x10)).hex(" ") == "02 05 10 1e 00 00 00 0b"
    assert frame(cmd(0x88)).hex(" ") == "02 05 88 1e 00 00 00 93"
    assert frame(cmd(0xB0)).hex(" ") == "02 05 b0 1e 00 00 00 ab"
    assert frame(cmd(0xFF01)).hex(" ") == "02 06 ff 01 1e 00 00 00 e6"
    email = cmd(0xFF0C, tlv(1008, b"a@b.ru"))
    assert frame(email).hex() == "0210ff0c1e000000f00306006140622e727562"


# --- status, shift, receipt lifecycle ----------------------------------------------------
def test_status_of_a_fresh_register(kkt):
    assert len(kkt.ask(cmd(0x10))) == 16
    assert kkt.status() == {"mode": 4, "sub_mode": 0, "ops": 0, "paper": True}
    assert len(kkt.ask(cmd(0x11))) == 48
    assert kkt.ask(cmd(0xFF01))[:2] == b"\xff\x01" and len(kkt.ask(cmd(0xFF01))) == 33
    assert kkt.enq() == NAK  # idle: every answer was acknowledged


def test_a_sell_receipt_with_card_payment_and_buyer_email(sim, kkt):
    kkt.ok(cmd(0xE0))
    assert kkt.status()["mode"] == 2
    assert kkt.last_fd() == 1
    result = parse_close(kkt.sell(MILK, BREAD, card=18_090, email="a@b.ru"))
    (receipt,) = sim.receipts
    assert result == {"change": 0, "fd": 2, "fp": receipt["fp"]}
    assert receipt["fd"] == 2 and receipt["fp"] > 0 and receipt["shift"] == 1
    assert receipt["number"] == 1 and receipt["total"] == 8990 + 2 * 4550
    assert [i["name"] for i in receipt["items"]] == ["Молоко 3.2%", "Хлеб"]
    assert receipt["items"][1]["amount"] == 9100 and receipt["items"][0]["vat"] == "22%"
    assert receipt["payments"] == [{"kind": "electronic", "index": 2, "sum": 18_090}]
    assert receipt["buyer_contact"] == "a@b.ru"
    assert kkt.last_fd() == 2
    found = kkt.ok(cmd(0xFF0A, u(2, 4)))
    assert found[0] == 3 and int.from_bytes(found[-5:], "little") == 18_090
    assert "a@b.ru" in sim.printed[-1] and "ИТОГ" in sim.printed[-1]
    assert kkt.status() == {"mode": 2, "sub_mode": 0, "ops": 0, "paper": True}


def test_cash_payment_gives_change_and_fills_the_drawer(sim, shift):
    result = parse_close(shift.sell(MILK, cash=10_000))
    assert result["change"] == 1010
    assert sim.cash_in_drawer == 8990
    shift.ok(cmd(0x50, u(5000, 5)))
    assert sim.cash_in_drawer == 13_990
    assert shift.error(cmd(0x51, u(20_000, 5))) == 0x46  # not enough cash
    shift.ok(cmd(0x51, u(3990, 5)))
    assert sim.cash_in_drawer == 10_000


def test_x_and_z_reports(sim, shift):
    shift.sell(MILK, card=8990)
    assert shift.error(cmd(0x40, password=CASHIER)) == 0x4F  # X report needs an administrator
    shift.ok(cmd(0x40, password=ADMIN))
    assert "ОТЧЕТ БЕЗ ГАШЕНИЯ" in sim.printed[-1] and "89.90" in sim.printed[-1]
    shift.ok(cmd(0x41))
    closing = sim.archive[-1]
    assert closing["type"] == "close_shift" and closing["fd"] == 3
    assert closing["totals"]["sale"] == 8990 and closing["totals"]["receipts"] == 1
    assert "ЗАКРЫТИИ СМЕНЫ" in sim.printed[-1]
    assert shift.status()["mode"] == 4
    assert shift.error(OPEN_RECEIPT) == 0x3D  # shift not open


def test_validation_errors(sim, shift):
    assert shift.error(cmd(0x10, password=12345)) == 0x4F
    assert shift.error(cmd(0xFF46, b"\x01")) == 0x33  # short parameters
    assert shift.ask(cmd(0x13)) == b"\x13\x37"  # not supported by the simulator
    shift.open_receipt(MILK)
    assert shift.error(close(cash=5000)) == 0x45  # payments less than the total
    assert shift.error(close(card=9000)) == 0x4D  # cashless over the total
    assert shift.error(cmd(0x41)) == 0x4A  # receipt open
    assert shift.status()["mode"] == 0x08
    shift.ok(cmd(0x88))
    assert shift.status()["mode"] == 2
    assert sim.receipts == []


def test_marked_goods_need_their_code(sim, shift):
    code = "010460406000600021N4N57RSCBUZTQ\x1d91FFD0\x1d92" + "A" * 44
    marked = item("Туфли", 250_000, subject=33)
    shift.open_receipt(marked)
    assert shift.error(close(card=250_000)) == 0xA4  # required marking code missing
    raw = code.encode("latin-1")
    check = shift.ok(cmd(0xFF61, bytes([1, 0, len(raw), 0]), raw))
    assert check[0] == 0x03 and check[-1] == 0x0F
    shift.ok(cmd(0xFF69, bytes([1])))
    shift.ok(cmd(0xFF67, bytes([len(raw)]), raw))
    shift.ok(close(card=250_000))
    assert sim.receipts[0]["marking_codes"] == [code]


# --- paper and shift faults ----------------------------------------------------------------
def test_paper_out_before_a_receipt(sim, shift):
    sim.inject("paper_out")
    assert shift.status() == {"mode": 2, "sub_mode": 1, "ops": 0, "paper": False}
    assert shift.error(OPEN_RECEIPT) == 0x6B
    sim.load_paper()
    shift.sell(MILK, card=8990)
    assert len(sim.receipts) == 1


def test_paper_out_while_printing_the_receipt_then_continue_print(sim, shift):
    sim.inject("paper_out_during_print", command=0xFF45)
    result = parse_close(shift.sell(MILK, BREAD, card=18_090))
    assert result["fd"] == 2  # fiscalised before the paper ran out
    printed_before = len(sim.printed)
    assert shift.status()["sub_mode"] == 2
    assert shift.error(OPEN_RECEIPT) == 0x58
    assert shift.error(cmd(0xB0)) == 0x6B  # still no paper
    sim.load_paper()
    assert shift.status()["sub_mode"] == 3
    shift.ok(cmd(0xB0))
    assert shift.status()["sub_mode"] == 0
    assert len(sim.printed) == printed_before + 1 and "ФД" in sim.printed[-1]
    assert len(sim.receipts) == 1
    assert sum("КАССОВЫЙ ЧЕК" in text for text in sim.printed) == 1


def test_shift_over_24_hours(sim, shift):
    sim.advance_clock(24 * 3600 + 60)
    assert shift.status()["mode"] == 3
    assert shift.error(OPEN_RECEIPT) == 0x4E
    assert shift.error(MILK) == 0x4E
    shift.ok(cmd(0x41))  # only the Z report helps
    assert shift.status()["mode"] == 4
    shift.ok(cmd(0xE0))
    assert shift.status()["mode"] == 2


def test_a_receipt_open_when_the_shift_expires_cannot_be_closed(sim, shift):
    shift.open_receipt(MILK)
    sim.advance_clock(25 * 3600)
    assert shift.error(close(card=8990)) == 0x16  # the FN refuses: shift over 24 h
    shift.ok(cmd(0x88))
    assert sim.receipts == []


# --- the command line ----------------------------------------------------------------------
def test_the_command_line_serves_until_sigterm(tmp_path):
    archive, paper = tmp_path / "fn.json", tmp_path / "paper.txt"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.fiscal_register", "--archive", str(archive),
         "--print-to", str(paper)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port = proc.stdout.readline().strip()
        assert port.startswith("/dev/")
        client = Client(port)
        client.ok(cmd(0xE0))
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert os.path.exists(archive) and "ОТКРЫТИИ СМЕНЫ" in paper.read_text(encoding="utf-8")


def test_an_open_receipt_survives_a_reconnect_and_a_copy_is_marked(sim, shift):
    shift.open_receipt(MILK)
    shift.close()
    again = Client(sim.slave_path)
    try:
        assert again.status() == {"mode": 0x08, "sub_mode": 0, "ops": 1, "paper": True}
        again.ok(close(card=8990))
        again.ok(cmd(0x8C))
        assert sim.printed[-1].startswith("КОПИЯ") and len(sim.receipts) == 1
    finally:
        again.close()
