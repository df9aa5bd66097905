"""The fiscal register simulator, driven over its pty with pyserial.

The test's own tiny Shtrih-M codec below is written from FISCAL.md's worked examples; it is the
"other end" of the wire for these tests only (the gateway's driver is tested separately).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from simulators.fiscal_register import FiscalRegisterSimulator

pytestmark = pytest.mark.timeout(60)

STX, ENQ, ACK, NAK = 0x02, 0x05, 0x06, 0x15
SYSADMIN, ADMIN, CASHIER = 30, 29, 1
SILENCE = 0.3  # how long the test waits to be sure nothing comes


# --- the test's own codec (FISCAL.md 1.2) ---------------------------------------------------
def frame(payload: bytes) -> bytes:
    body = bytes([len(payload)]) + payload
    check = 0
    for byte in body:
        check ^= byte
    return bytes([STX]) + body + bytes([check])


def cmd(code: int, *parts: bytes, password: int = SYSADMIN) -> bytes:
    head = code.to_bytes(2, "big") if code > 0xFF else bytes([code])
    return head + password.to_bytes(4, "little") + b"".join(parts)


def u(value: int, size: int) -> bytes:
    return value.to_bytes(size, "little")


def item(name: str, price: int, qty: int = 1, *, vat: int = 0xCB, subject: int = 1) -> bytes:
    return cmd(
        0xFF46,
        bytes([1]),  # приход
        u(qty * 1_000_000, 6),
        u(price, 5),
        b"\xff" * 5,  # amount: the register computes price x quantity
        b"\xff" * 5,  # tax amount: not given
        bytes([vat, 1, 4, subject]),  # VAT 22 %, department 1, full payment, goods
        name.encode("cp1251"),
    )


def close(cash: int = 0, card: int = 0) -> bytes:
    sums = [cash, card] + [0] * 14
    return cmd(0xFF45, *(u(s, 5) for s in sums), bytes([0]), bytes(30), bytes([0x01]))


def tlv(tag: int, value: bytes) -> bytes:
    return u(tag, 2) + u(len(value), 2) + value


def test_the_test_codec_matches_the_worked_examples():
    assert frame(cmd(0x10)).hex(" ") == "02 05 10 1e 00 00 00 0b"
    assert frame(cmd(0x88)).hex(" ") == "02 05 88 1e 00 00 00 93"
    assert frame(cmd(0xB0)).hex(" ") == "02 05 b0 1e 00 00 00 ab"
    assert frame(cmd(0xFF01)).hex(" ") == "02 06 ff 01 1e 00 00 00 e6"
    email = cmd(0xFF0C, tlv(1008, b"a@b.ru"))
    assert frame(email).hex() == "0210ff0c1e000000f00306006140622e727562"


# --- the test's client: the host side of the link discipline -----------------------------
class Client:
    def __init__(self, port: str):
        self.port = serial.Serial(port, 115200, timeout=1.0)
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.port.close()

    def byte(self, timeout: float = 1.0) -> int | None:
        self.port.timeout = timeout
        data = self.port.read(1)
        return data[0] if data else None

    def answer(self, timeout: float = 2.0) -> tuple[bytes, bool]:
        """Skip garbage up to STX; return (payload, LRC ok)."""
        deadline = time.monotonic() + timeout
        while True:
            b = self.byte(max(0.01, deadline - time.monotonic()))
            assert b is not None, "no answer frame"
            if b == STX:
                break
        length = self.byte()
        rest = self.port.read(length + 1)
        check = length
        for byte in rest[:-1]:
            check ^= byte
        return rest[:-1], check == rest[-1]

    def enq(self) -> int | None:
        self.port.write(bytes([ENQ]))
        return self.byte()

    def send(self, payload: bytes) -> int | None:
        """ENQ → NAK (idle), then the frame; returns the device's control byte."""
        assert self.enq() == NAK
        self.port.write(frame(payload))
        return self.byte(SILENCE if self.expect_silence else 1.0)

    expect_silence = False

    def ask(self, payload: bytes) -> bytes:
        assert self.send(payload) == ACK
        answer, ok = self.answer()
        assert ok
        self.port.write(bytes([ACK]))
        return answer

    def ok(self, payload: bytes) -> bytes:
        """Answer data after the error byte; the error byte must be 0."""
        answer = self.ask(payload)
        head = 2 if answer[0] == 0xFF else 1
        assert answer[head] == 0, f"error {answer[head]:02X}h to {payload[:head].hex()}"
        return answer[head + 1 :]

    def error(self, payload: bytes) -> int:
        answer = self.ask(payload)
        return answer[2 if answer[0] == 0xFF else 1]

    def status(self) -> dict:
        data = self.ok(cmd(0x10))
        flags = int.from_bytes(data[1:3], "little")
        return {"mode": data[3], "sub_mode": data[4], "ops": data[5], "paper": bool(flags & 0x80)}

    def last_fd(self) -> int:
        return int.from_bytes(self.ok(cmd(0xFF01))[-4:], "little")

    def sell(self, *items: bytes, cash: int = 0, card: int = 0, email: str = "") -> bytes:
        self.ok(cmd(0x8D, bytes([0])))
        for line in items:
            self.ok(line)
        if email:
            self.ok(cmd(0xFF0C, tlv(1008, email.encode("cp866"))))
        return self.ok(close(cash, card))


def parse_close(data: bytes) -> dict:
    return {
        "change": int.from_bytes(data[0:5], "little"),
        "fd": int.from_bytes(data[5:9], "little"),
        "fp": int.from_bytes(data[9:13], "little"),
    }


@pytest.fixture
def sim(tmp_path):
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json")
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def kkt(sim):
    client = Client(sim.slave_path)
    yield client
    client.close()


@pytest.fixture
def shift(kkt):
    kkt.ok(cmd(0xE0))
    return kkt


MILK, BREAD = item("Молоко 3.2%", 8990), item("Хлеб", 4550, 2)


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
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x3D  # shift not open


def test_validation_errors(sim, shift):
    assert shift.error(cmd(0x10, password=12345)) == 0x4F
    assert shift.error(cmd(0xFF46, b"\x01")) == 0x33  # short parameters
    assert shift.ask(cmd(0x13)) == b"\x13\x37"  # not supported by the simulator
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
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
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(marked)
    assert shift.error(close(card=250_000)) == 0xA4  # required marking code missing
    raw = code.encode("latin-1")
    check = shift.ok(cmd(0xFF61, bytes([1, 0, len(raw), 0]), raw))
    assert check[0] == 0x03 and check[-1] == 0x0F
    shift.ok(cmd(0xFF69, bytes([1])))
    shift.ok(cmd(0xFF67, bytes([len(raw)]), raw))
    shift.ok(close(card=250_000))
    assert sim.receipts[0]["marking_codes"] == [code]


# --- link faults -------------------------------------------------------------------------
def test_a_frame_with_a_bad_lrc_is_nakked_and_not_executed(sim, shift):
    assert shift.enq() == NAK
    bad = bytearray(frame(cmd(0x8D, bytes([0]))))
    bad[-1] ^= 0x55
    shift.port.write(bad)
    assert shift.byte() == NAK
    assert shift.status()["mode"] == 2  # no receipt was opened


def test_an_answer_with_a_bad_lrc_is_sent_again_after_nak_and_enq(sim, shift):
    sim.inject("bad_lrc", command=0xFF45)
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
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
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    shift.expect_silence = True
    assert shift.send(close(card=8990)) is None  # the line dropped: no ACK, no answer
    shift.expect_silence = False
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
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    first = parse_close(shift.ok(close(card=8990)))
    assert shift.enq() == ACK  # the device never saw our ACK
    again, ok = shift.answer()
    shift.port.write(bytes([ACK]))
    assert ok and parse_close(again[3:]) == first
    assert shift.enq() == NAK
    assert len(sim.receipts) == 1


def test_lost_device_ack_the_answer_waits_for_enq(sim, kkt):
    sim.inject("lost_ack", command=0xE0)
    kkt.expect_silence = True
    assert kkt.send(cmd(0xE0)) is None
    kkt.expect_silence = False
    assert kkt.enq() == ACK
    answer, ok = kkt.answer()
    kkt.port.write(bytes([ACK]))
    assert ok and answer[:2] == b"\xe0\x00"
    assert len(sim.archive) == 1  # one open-shift document


def test_line_drop_before_close_leaves_the_receipt_open(sim, shift):
    sim.inject("drop_before_execute")
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    shift.expect_silence = True
    assert shift.send(close(card=8990)) is None
    shift.expect_silence = False
    assert shift.enq() == NAK  # nothing pending: the command never arrived
    assert shift.status()["mode"] == 0x08  # document still open → safe to resend FF45
    assert shift.last_fd() == 1
    assert parse_close(shift.ok(close(card=8990)))["fd"] == 2
    assert len(sim.receipts) == 1


def test_power_cycle_after_close_loses_the_answer_but_keeps_the_archive(sim, shift, tmp_path):
    saved_fd = shift.last_fd()
    sim.inject("power_cycle_after_execute")
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    shift.expect_silence = True
    assert shift.send(close(card=8990)) is None
    shift.expect_silence = False
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
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    sim.power_cycle()
    assert shift.status()["mode"] == 2
    assert shift.last_fd() == 1 and sim.receipts == []


def test_busy_answers_50h_until_the_previous_command_is_printed(sim, shift):
    sim.inject("busy", count=2)
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x50
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x50
    shift.ok(cmd(0x8D, bytes([0])))
    assert shift.status()["mode"] == 0x08


def test_a_slow_answer_is_announced_by_ack_on_enq(sim, kkt):
    sim.inject("slow_answer", seconds=0.5)
    assert kkt.send(cmd(0x10)) == ACK
    assert kkt.enq() == ACK  # still preparing
    answer, ok = kkt.answer()
    assert ok and answer[:2] == b"\x10\x00"


# --- paper and shift faults ----------------------------------------------------------------
def test_paper_out_before_a_receipt(sim, shift):
    sim.inject("paper_out")
    assert shift.status() == {"mode": 2, "sub_mode": 1, "ops": 0, "paper": False}
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x6B
    sim.load_paper()
    shift.sell(MILK, card=8990)
    assert len(sim.receipts) == 1


def test_paper_out_while_printing_the_receipt_then_continue_print(sim, shift):
    sim.inject("paper_out_during_print", command=0xFF45)
    result = parse_close(shift.sell(MILK, BREAD, card=18_090))
    assert result["fd"] == 2  # fiscalised before the paper ran out
    printed_before = len(sim.printed)
    assert shift.status()["sub_mode"] == 2
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x58
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
    assert shift.error(cmd(0x8D, bytes([0]))) == 0x4E
    assert shift.error(MILK) == 0x4E
    shift.ok(cmd(0x41))  # only the Z report helps
    assert shift.status()["mode"] == 4
    shift.ok(cmd(0xE0))
    assert shift.status()["mode"] == 2


def test_a_receipt_open_when_the_shift_expires_cannot_be_closed(sim, shift):
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
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


def test_line_drop_after_close_with_the_answer_lost_is_found_by_fd_lookup(sim, shift):
    sim.inject("drop_after_execute", keep_answer=False)
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    shift.expect_silence = True
    assert shift.send(close(cash=10_000)) is None
    shift.expect_silence = False
    assert shift.enq() == NAK
    assert shift.status()["mode"] == 2 and shift.last_fd() == 2
    assert len(sim.receipts) == 1 and sim.receipts[0]["change"] == 1010


def test_an_open_receipt_survives_a_reconnect_and_a_copy_is_marked(sim, shift):
    shift.ok(cmd(0x8D, bytes([0])))
    shift.ok(MILK)
    shift.close()
    again = Client(sim.slave_path)
    try:
        assert again.status() == {"mode": 0x08, "sub_mode": 0, "ops": 1, "paper": True}
        again.ok(close(card=8990))
        again.ok(cmd(0x8C))
        assert sim.printed[-1].startswith("КОПИЯ") and len(sim.receipts) == 1
    finally:
        again.close()
