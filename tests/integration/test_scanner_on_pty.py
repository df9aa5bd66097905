"""The serial scanner reader (drivers/scanner) on a pseudo-terminal driven by the scanner
simulator (simulators/scanner): suffixes, partial reads, the two mangle modes, line noise, the
port vanishing and coming back, and the simulator's command line."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.scanner import CodeKind, MarkingCode, SerialScannerReader
from drivers.scanner.backoff import Backoff
from simulators.scanner import ScannerSimulator, codes

pytestmark = pytest.mark.timeout(30)

REPO = Path(__file__).resolve().parents[2]
GS = "\x1d"
EAN = codes.gtin("460123456789")
SHOE = codes.marking_code(
    "04600439931256",
    "5Lh2Ow&Z3wHCM",
    key="EE06",
    crypto="MDEwNDYwNzQyODY3OTA5MDIxNmRFSWJmTT1BQk+/E0Q=",
)
WATER = codes.marking_code(codes.gtin("0460706862001"), "5JhYk(rOaB;<2", short="dGVz")


def wait_for(condition, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Rig:
    """A simulator behind a udev-like link and a reader on that link."""

    def __init__(self, tmp_path: Path, **reader_options):
        self.link = tmp_path / "scanner"
        self.sim = ScannerSimulator(link_path=self.link)
        self.statuses: list[str] = []
        self.reader = SerialScannerReader(
            str(self.link),
            backoff=Backoff(first=0.02, ceiling=0.1),
            on_status=lambda status, _: self.statuses.append(status),
            **reader_options,
        )

    def start(self) -> "Rig":
        self.sim.start()
        self.reader.start()
        assert self.reader.wait_connected(3), self.statuses
        return self

    def next_scan(self, timeout: float = 3.0):
        scan = self.reader.get_scan(timeout)
        assert scan is not None, "no scan arrived"
        return scan

    def close(self) -> None:
        self.reader.stop()
        self.sim.stop()


@pytest.fixture
def rig(tmp_path):
    rig = Rig(tmp_path).start()
    yield rig
    rig.close()


@pytest.fixture
def make_rig(tmp_path):
    rigs: list[Rig] = []

    def make(**options) -> Rig:
        rigs.append(Rig(tmp_path, **options).start())
        return rigs[-1]

    yield make
    for rig in rigs:
        rig.close()


def test_codes_arrive_in_order_and_parsed(rig):
    for code in (EAN, SHOE, "ART-77/b", WATER):
        rig.sim.scan(code)
    kinds = [rig.next_scan().code.kind for _ in range(4)]
    assert kinds == [CodeKind.EAN13, CodeKind.MARKING, CodeKind.CODE128, CodeKind.MARKING]
    assert rig.reader.get_scan(0.1) is None


def test_marking_code_keeps_its_gs_bytes_end_to_end(rig):
    rig.sim.scan(SHOE, prefix="]d2")
    scan = rig.next_scan()
    assert scan.raw == b"]d2" + SHOE.encode()
    assert isinstance(scan.code, MarkingCode) and scan.code.code == SHOE
    assert scan.code.code.count(GS) == 2 and scan.code.key_id == "EE06"


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n", b"\n\r", b"\t"])
def test_every_suffix_ends_a_scan_and_none_makes_an_empty_one(make_rig, suffix):
    rig = make_rig(terminators=b"\r\n\t")
    rig.sim.suffix = suffix
    rig.sim.scan(EAN)
    rig.sim.scan(WATER)
    assert [rig.next_scan().text for _ in range(2)] == [EAN, WATER]
    assert rig.reader.get_scan(0.2) is None  # the second half of CRLF made no empty scan


def test_suffix_free_scanner_with_idle_timeout(make_rig):
    rig = make_rig(idle_timeout=0.08)
    rig.sim.scan(EAN, suffix=b"")
    time.sleep(0.3)
    rig.sim.scan("ART-1", suffix=b"")
    assert [rig.next_scan().text for _ in range(2)] == [EAN, "ART-1"]


def test_slow_typing_reassembles_partial_reads(rig):
    rig.sim.char_delay = 0.002
    rig.sim.scan(SHOE)
    rig.sim.scan(EAN)
    first, second = rig.next_scan(), rig.next_scan()
    assert first.code.code == SHOE and second.code.code == EAN


def test_russian_layout_mode_is_reported_not_read(rig):
    rig.sim.layout = "ru"
    rig.sim.scan(SHOE)
    rig.sim.scan(EAN)  # digits survive any layout
    scan = rig.next_scan()
    assert not scan.ok and scan.error.reason == "keyboard_layout"
    assert scan.error.restored == SHOE
    assert "Др" in scan.text  # Cyrillic UTF-8 came over the wire and was decoded
    assert rig.next_scan().code.code == EAN


def test_russian_layout_in_cp1251_is_reported_too(rig):
    rig.sim.encoding = "cp1251"
    rig.sim.scan(WATER, layout="ru")
    scan = rig.next_scan()
    assert scan.error is not None and scan.error.reason == "keyboard_layout"


def test_dropped_gs_mode_is_reported_not_read(rig):
    rig.sim.drop_gs = True
    for code in (SHOE, WATER):
        rig.sim.scan(code)
        scan = rig.next_scan()
        assert GS not in scan.text
        assert not scan.ok and scan.error.reason == "missing_gs", scan
    rig.sim.scan(EAN)  # nothing to drop: unharmed
    assert rig.next_scan().ok


def test_line_noise_spoils_only_its_own_line(rig):
    rig.sim.send_raw(b"\x00\xff\xfe\x13\r\n")
    rig.sim.scan(EAN)
    noise, good = rig.next_scan(), rig.next_scan()
    assert not noise.ok and noise.error.reason in ("control_chars", "non_ascii")
    assert good.code.code == EAN


def test_a_stale_half_code_is_not_glued_to_the_next(make_rig):
    rig = make_rig(stale_after=0.2)
    rig.sim.send_raw(b"46012")  # half a code, then silence
    time.sleep(0.8)  # well past stale_after
    rig.sim.scan(WATER)
    assert rig.next_scan().code.code == WATER
    assert rig.reader.get_scan(0.2) is None


def test_port_vanishes_and_the_reader_reopens_it(rig):
    rig.sim.scan(EAN)
    assert rig.next_scan().ok
    rig.sim.send_raw(b"4601")  # half a code when the cable is pulled
    time.sleep(0.05)
    rig.sim.unplug()
    assert wait_for(lambda: rig.reader.status == "offline")
    time.sleep(0.2)  # a few failed reopen attempts with backoff
    rig.sim.plug()
    assert wait_for(lambda: rig.reader.status == "ok" and rig.reader.reconnects == 1)
    assert rig.statuses == ["ok", "offline", "ok"]
    rig.sim.scan(WATER)
    assert rig.next_scan().text == WATER  # the half code before the unplug did not stick


def test_reader_started_before_the_scanner_is_plugged_in(tmp_path):
    rig = Rig(tmp_path)
    rig.reader.start()
    try:
        assert wait_for(lambda: rig.reader.status == "offline")
        rig.sim.start()
        assert rig.reader.wait_connected(3)
        rig.sim.scan(EAN)
        assert rig.next_scan().code.code == EAN
    finally:
        rig.close()


def test_callback_mode_survives_a_failing_consumer(tmp_path):
    received = []

    def consumer(scan):
        received.append(scan.text)
        if len(received) == 1:
            raise RuntimeError("consumer bug")

    rig = Rig(tmp_path, on_scan=consumer).start()
    try:
        rig.sim.scan(EAN)
        rig.sim.scan(WATER)
        assert wait_for(lambda: len(received) == 2)
        assert received == [EAN, WATER] and rig.reader.status == "ok"
    finally:
        rig.close()


def test_stop_is_prompt_and_final(rig):
    started = time.monotonic()
    rig.reader.stop()
    assert time.monotonic() - started < 1.0
    assert rig.reader.status == "stopped" and not rig.reader.wait_connected(0)
    assert list(rig.reader.scans()) == []


def test_scans_iterator_yields_until_stopped(rig):
    rig.sim.scan(EAN)
    rig.sim.scan("ART-2")
    texts = []
    for scan in rig.reader.scans():
        texts.append(scan.text)
        if len(texts) == 2:
            rig.reader.stop()
    assert texts == [EAN, "ART-2"]


def test_command_line_types_stdin_lines(tmp_path):
    link = tmp_path / "cli-scanner"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.scanner", "--link", str(link), "--suffix", "cr"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    reader = SerialScannerReader(str(link), backoff=Backoff(first=0.02, ceiling=0.1))
    try:
        assert process.stdout.readline().strip() == str(link)
        reader.start()
        assert reader.wait_connected(3)
        process.stdin.write(EAN + "\n\n" + WATER.replace(GS, "<GS>") + "\n")
        process.stdin.close()
        first, second = reader.get_scan(3), reader.get_scan(3)
        assert first.code.code == EAN and second.code.code == WATER
        assert process.wait(10) == 0
        assert "typed 2 codes" in process.stderr.read()
    finally:
        reader.stop()
        if process.poll() is None:
            process.kill()
            process.wait()
