"""Bad scanner input through both readers' paths: the serial reader's (bytes → LineFramer →
decode_scan_bytes → scan_from_text) and the keyboard reader's (key events → KeyboardDecoder →
scan_from_text). Codes typed with the Russian ЙЦУКЕН layout active, GS dropped, binary junk,
control characters, lines over the limit. The parser must answer every one with a code or a
BarcodeError, and agree with an independent reading where one exists:

* EAN-13 / UPC-A / GTIN-14: accepted exactly when the check digit of simulators/scanner/codes.py
  (written apart from the driver) is right;
* GS1 element strings: the reference reader of tests/unit/test_barcode_gs1_reference.py;
* a code typed in the Russian layout: refused as `keyboard_layout`, and what the parser says
  was meant is the code (the layout table of simulators/scanner/mangling.py);
* key events of tests/unit/test_hid_keymap.py (its own key table) decode to the text typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from drivers.scanner import (
    BarcodeError,
    KeyboardDecoder,
    MangledInput,
    SerialScannerReader,
    parse_code,
)
from drivers.scanner.framing import LineFramer
from drivers.scanner.scan import decode_scan_bytes, scan_from_text
from simulators.scanner import codes as sim_codes
from simulators.scanner import mangling
from simulators.scanner.simulator import ScannerSimulator
from tests.reliability.bad_input_junk import each_example
from tests.unit.test_barcode_gs1_reference import (
    FNC1_FORMS,
    element_strings,
    encode,
    reference_read,
)
from tests.unit.test_hid_keymap import KEY_OF, type_text

LATIN = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"%&'()*+,-./:;<=>?_"
DIGITS = {n: st.text("0123456789", min_size=n, max_size=n) for n in (11, 12, 13)}
SERIALS = st.text(LATIN, min_size=6, max_size=13)
CRYPTO = st.text(LATIN, min_size=44, max_size=44)


@st.composite
def retail(draw) -> tuple[str, str]:
    """UPC-A, EAN-13 or GTIN-14 with any last digit: a right or a wrong check digit."""
    body = draw(DIGITS[draw(st.sampled_from([11, 12, 13]))])
    return "retail", body + draw(st.sampled_from("0123456789"))


@st.composite
def marking(draw) -> tuple[str, str]:
    gtin = sim_codes.gtin(draw(DIGITS[13]))
    code = sim_codes.marking_code(gtin, draw(SERIALS), key="EE06", crypto=draw(CRYPTO))
    return "marking", code


gs1 = st.builds(
    lambda fields, prefix: ("gs1", prefix + encode(fields, redundant_gs=False), fields),
    element_strings(with_serial=False),
    st.sampled_from(["", *FNC1_FORMS]),
)
junk = st.one_of(
    st.binary(max_size=120).map(lambda b: ("bytes", b)),
    st.text(max_size=60).map(lambda t: ("text", t)),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=20).map(lambda t: ("text", t)),
    st.integers(500, 3000).map(lambda n: ("text", "0" * n)),  # a line over the limit
)


@st.composite
def scanner_cases(draw):
    source = draw(st.sampled_from(["retail", "marking", "gs1", "junk", "junk"]))
    if source == "junk":
        return draw(junk)
    case = draw({"retail": retail(), "marking": marking(), "gs1": gs1}[source])
    how = draw(st.sampled_from(["as_is", "russian", "drop_gs", "control", "hid"]))
    return (how, *case)


@dataclass
class ScannerOutcome:
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    reader_cases: int = 0  # junk lines through the real serial reader
    reader_scans: int = 0
    crashes: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


class ScannerChecker:
    def __init__(self):
        self.result = ScannerOutcome()
        self.framer = LineFramer()
        self.now = 0.0

    def check(self, case) -> None:
        self.result.cases += 1
        try:
            self._check(case)
        except Exception as exc:  # noqa: BLE001 -- any exception is the finding
            self.result.crashes.append(f"{case!r:.300}: {exc!r}")

    def _check(self, case) -> None:
        if case[0] == "bytes":
            self.serial_path(case[1])
            return
        if case[0] == "text":
            self.serial_path(case[1].encode("utf-8", "surrogatepass"))
            return
        how, source, code, *fields = case
        if how == "russian":
            self.layout_case(code)
        elif how == "drop_gs":
            self.serial_path(mangling.drop_gs(code).encode())
        elif how == "control":
            self.serial_path(("\x00" + code[: len(code) // 2] + "\x07" + code).encode())
        elif how == "hid":
            self.hid_case(code)
        else:
            scan = self.serial_path(code.encode())
            self.compare(source, code, fields, scan)

    def serial_path(self, raw: bytes):
        """As SerialScannerReader reads: the line, a terminator, each frame decoded and parsed."""
        self.now += 1.0
        scan = None
        for frame in self.framer.feed(raw + b"\r\n", self.now):
            scan = scan_from_text(decode_scan_bytes(frame), frame)
            if scan.ok:
                self.result.accepted += 1
            else:
                self.result.refused += 1
                if not isinstance(scan.error, BarcodeError):
                    raise TypeError(f"no BarcodeError: {scan!r}")
        return scan

    def compare(self, source: str, code: str, fields: list, scan) -> None:
        if scan is None:
            return
        if source == "retail":
            right = sim_codes.check_digit(code[:-1]) == code[-1]
            if scan.ok != right or (scan.ok and scan.code.gtin != code.zfill(14)):
                self.disagree(code, f"parser ok={scan.ok}, reference check digit right={right}")
        elif source == "gs1":
            body = code.lstrip("\x1d\xe8")
            body = body[3:] if body[:1] == "]" else body
            reference = reference_read(body)
            if not scan.ok or list(scan.code.elements) != reference:
                self.disagree(code, f"parser {scan.code or scan.error!r}, reference {reference}")

    def layout_case(self, code: str) -> None:
        typed = mangling.russian_layout(code)
        if typed == code or typed.isascii() or not code.isascii():  # char 232 has no key
            self.serial_path(typed.encode())
            return
        self.result.refused += 1
        try:
            parse_code(typed)
        except MangledInput as error:
            if error.reason != "keyboard_layout" or error.restored != code:
                self.disagree(code, f"restored {error.restored!r} ({error.reason})")
            return
        except BarcodeError as error:
            self.disagree(code, f"typed in ЙЦУКЕН refused as {error.reason}, not keyboard_layout")
            return
        self.disagree(code, "typed in ЙЦУКЕН but accepted")

    def hid_case(self, code: str) -> None:
        if not all(ch in KEY_OF or ch == "\x1d" for ch in code):
            return
        decoder = KeyboardDecoder()
        texts = [t for c, v in type_text(code) if (t := decoder.feed(c, v)) is not None]
        if texts != [code]:
            self.disagree(code, f"key events decoded as {texts!r}")
            return
        scan = scan_from_text(texts[0])
        self.result.accepted += scan.ok
        self.result.refused += not scan.ok

    def disagree(self, code: str, what: str) -> None:
        self.result.disagreements.append(f"{code!r}: {what}")


def reader_slice(junk: list[bytes], result: ScannerOutcome) -> None:
    """The real SerialScannerReader on the scanner simulator's pty: the junk, then one good
    code, which must arrive intact from a reader thread that is still running."""
    good = sim_codes.gtin("460043993125")
    with ScannerSimulator() as scanner:
        reader = SerialScannerReader(scanner.slave_path, stale_after=0.2)
        reader.start()
        try:
            if not reader.wait_connected(10):
                result.crashes.append("the serial reader did not open the pty")
                return
            for line in junk:
                scanner.send_raw(line + b"\r\n")
            scanner.scan(good)
            while (scan := reader.get_scan(timeout=10)) is not None:
                result.reader_scans += 1
                if scan.ok and scan.code.code == good:
                    return
            result.crashes.append(f"the serial reader never delivered {good} after the junk")
        finally:
            reader.stop()


def run_scanner(cases: int, reader_cases: int, seed: int) -> ScannerOutcome:
    checker = ScannerChecker()
    each_example(scanner_cases(), cases, seed, checker.check)
    junk: list[bytes] = []
    each_example(st.binary(min_size=1, max_size=80), reader_cases, seed, junk.append)
    reader_slice(junk, checker.result)
    checker.result.reader_cases = len(junk)
    return checker.result
