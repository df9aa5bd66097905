"""Keyboard-mode scanners: key codes -> text without any OS layout (drivers/scanner/keymap.py),
and the thin device loop around it reading packed input events from a FIFO.

Key events are made here from the physical keyboard rows and the kernel's key numbers, written
out apart from the driver's own table."""

import os
import re
import struct
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner import (
    HidScannerReader,
    InvalidCode,
    KeyboardDecoder,
    KeyCombo,
    KeymapSettings,
    MangledInput,
    MarkingCode,
    parse_code,
    scan_from_text,
)
from drivers.scanner import keycodes as k
from drivers.scanner.backoff import Backoff
from drivers.scanner.keymap import CTRL_RIGHT_BRACKET, F8_KEY
from simulators.scanner import codes as sim_codes

GS = "\x1d"
# US keyboard rows and the kernel key numbers under them (linux/input-event-codes.h).
ROWS = [
    ("`1234567890-=", "~!@#$%^&*()_+", [41, *range(2, 14)]),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|", [*range(16, 28), 43]),
    ("asdfghjkl;'", 'ASDFGHJKL:"', list(range(30, 41))),
    ("zxcvbnm,./", "ZXCVBNM<>?", list(range(44, 54))),
    (" ", " ", [57]),
]
SHIFTED = {ch: (code, True) for _, up, codes in ROWS for ch, code in zip(up, codes, strict=True)}
KEY_OF = SHIFTED | {
    ch: (code, False) for low, _, codes in ROWS for ch, code in zip(low, codes, strict=True)
}
ENTER, LEFT_SHIFT, RIGHT_SHIFT, LEFT_CTRL, LEFT_ALT, RIGHT_BRACE = 28, 42, 54, 29, 56, 27
KEYPAD = {"0": 82, "1": 79, "2": 80, "3": 81, "7": 71, "9": 73}
PRESS, RELEASE, REPEAT = 1, 0, 2
PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1)


def tap(code: int, *held: int) -> list[tuple[int, int]]:
    return [
        *((m, PRESS) for m in held),
        (code, PRESS),
        (code, RELEASE),
        *((m, RELEASE) for m in held),
    ]


def type_text(text: str, *, gs: list[tuple[int, int]] | None = None, shift=LEFT_SHIFT):
    """Key events a scanner sends for ``text`` followed by Enter; GS as ``gs`` (Ctrl+])."""
    events: list[tuple[int, int]] = []
    for ch in text:
        if ch == GS:
            events += gs if gs is not None else tap(RIGHT_BRACE, LEFT_CTRL)
        else:
            code, shifted = KEY_OF[ch]
            events += tap(code, shift) if shifted else tap(code)
    return events + tap(ENTER)


def decode(events, settings: KeymapSettings | None = None) -> list[str]:
    decoder = KeyboardDecoder(settings or KeymapSettings())
    return [text for code, value in events if (text := decoder.feed(code, value)) is not None]


# --- the key map ----------------------------------------------------------------------------
@given(PRINTABLE.filter(lambda t: t.strip(" ")))
def test_every_printable_ascii_character_comes_through(text):
    assert decode(type_text(text)) == [text]


def test_latin_letters_stay_latin_whatever_the_host_layout():
    """KEY_A is 'a' here; only the OS layout would make it 'ф'. We never ask the OS."""
    assert decode(tap(30) + tap(44) + tap(ENTER)) == ["az"]
    assert decode(type_text("Hello, World!")) == ["Hello, World!"]


def test_right_shift_and_shift_released_mid_code():
    events = tap(35, RIGHT_SHIFT) + [(LEFT_SHIFT, PRESS), (18, PRESS), (18, RELEASE)]
    events += [(LEFT_SHIFT, RELEASE), (18, PRESS), (18, RELEASE)] + tap(ENTER)
    assert decode(events) == ["HEe"]


def test_gs_by_ctrl_right_bracket_makes_a_marking_code():
    code = sim_codes.marking_code("04600439931256", "5Lh2Ow&Z3wHCM", key="EE06", crypto="A" * 44)
    (text,) = decode(type_text(code))
    assert text == code
    parsed = scan_from_text(text).code
    assert isinstance(parsed, MarkingCode) and parsed.key_id == "EE06"


def test_gs_by_f8_only_when_configured():
    code = "0104600439931256215Lh2Ow&Z3wHCM" + GS + "93dGVz"
    f8 = tap(66)
    assert decode(type_text(code, gs=f8), KeymapSettings(gs_combos=frozenset({F8_KEY}))) == [code]
    (unconfigured,) = decode(type_text(code, gs=f8))
    assert GS not in unconfigured and not scan_from_text(unconfigured).ok


def test_gs_by_alt_and_keypad_029():
    alt_029 = [(LEFT_ALT, PRESS), *tap(KEYPAD["0"]), *tap(KEYPAD["2"]), *tap(KEYPAD["9"])]
    alt_029.append((LEFT_ALT, RELEASE))
    assert decode(tap(30) + alt_029 + tap(48) + tap(ENTER)) == ["a" + GS + "b"]
    alt_232 = [(LEFT_ALT, PRESS), *tap(KEYPAD["2"]), *tap(KEYPAD["3"]), *tap(KEYPAD["2"])]
    assert decode(alt_232 + [(LEFT_ALT, RELEASE)] + tap(ENTER)) == ["\xe8"]  # FNC1


def test_alt_numpad_can_be_switched_off():
    alt_029 = [(LEFT_ALT, PRESS), *tap(KEYPAD["0"]), *tap(KEYPAD["2"]), *tap(KEYPAD["9"])]
    settings = KeymapSettings(alt_numpad=False)
    (text,) = decode(alt_029 + [(LEFT_ALT, RELEASE)] + tap(ENTER), settings)
    assert GS not in text and not scan_from_text(text).ok


def test_keypad_enter_and_configured_tab_end_a_code():
    assert decode(tap(2) + tap(96)) == ["1"]
    tab_ends = KeymapSettings(terminators=frozenset({ENTER, 15}))
    assert decode(tap(2) + tap(15) + tap(3) + tap(15), tab_ends) == ["1", "2"]
    (with_tab,) = decode(tap(2) + tap(15) + tap(ENTER))  # a Tab suffix before Enter
    assert with_tab == "1\t" and parse_code(with_tab).code == "1"


def test_repeats_releases_locks_and_empty_lines_type_nothing():
    events = [(k.KEY_CAPSLOCK, PRESS), (k.KEY_CAPSLOCK, RELEASE), *tap(k.KEY_NUMLOCK)]
    events += [(30, PRESS), (30, REPEAT), (30, REPEAT), (30, RELEASE)] + tap(ENTER) + tap(ENTER)
    assert decode(events) == ["a"]


def test_a_key_with_no_character_spoils_the_scan_instead_of_vanishing():
    (text,) = decode(tap(2) + tap(k.KEY_ESC) + tap(3) + tap(ENTER))
    assert text == "1\ufffd2" and not scan_from_text(text).ok
    (ctrl_a,) = decode(tap(2) + tap(30, LEFT_CTRL) + tap(ENTER))  # not a GS combo
    assert ctrl_a == "1\ufffd"


def test_custom_gs_combo_with_shift():
    combo = KeyCombo(RIGHT_BRACE, ctrl=True, shift=True)
    settings = KeymapSettings(gs_combos=frozenset({combo, CTRL_RIGHT_BRACKET}))
    assert decode(tap(RIGHT_BRACE, LEFT_CTRL, LEFT_SHIFT) + tap(ENTER), settings) == [GS]


def test_overlong_input_is_capped_one_past_the_limit_and_refused():
    (text,) = decode(type_text("1" * 1100))
    assert len(text) == KeymapSettings().max_length + 1
    with pytest.raises(InvalidCode, match="too long"):
        parse_code(text)


def test_cyrillic_never_comes_out_of_the_key_map():
    """The layout damage is a wedge problem: key codes of a crypto tail decode to Latin."""
    tail = "ab+=/Qz"
    (text,) = decode(type_text(tail))
    assert text == tail
    with pytest.raises(MangledInput):
        parse_code("фи+=.Йя")  # what the OS would have typed with the Russian layout


def kernel_key_numbers() -> dict[str, int]:
    """The kernel's numbers from python-evdev, else from the kernel headers."""
    try:
        from evdev import ecodes
    except ImportError:
        header = Path("/usr/include/linux/input-event-codes.h")
        if not header.exists():
            pytest.skip("neither python-evdev nor the kernel headers are installed")
        pairs = re.findall(
            r"^#define\s+((?:KEY|EV)_\w+)\s+(0x[0-9a-f]+|\d+)\b", header.read_text(), re.M
        )
        return {name: int(value, 0) for name, value in pairs}
    return {name: getattr(ecodes, name) for name in dir(ecodes) if name.startswith(("KEY_", "EV_"))}


def test_key_numbers_match_the_kernel():
    kernel = kernel_key_numbers()
    not_codes = {"KEY_RELEASE", "KEY_PRESS", "KEY_REPEAT"}  # event values, not key numbers
    names = [n for n in dir(k) if n.startswith(("KEY_", "EV_")) and n not in not_codes]
    assert len(names) > 80
    for name in names:
        assert getattr(k, name) == kernel[name], name


# --- the device loop, on a FIFO of packed input_event structs ------------------------------------
INPUT_EVENT = struct.Struct("llHHi")  # struct input_event: timeval, type, code, value
EV_SYN, EV_KEY, EV_MSC = 0, 1, 4


def packed(events: list[tuple[int, int]]) -> bytes:
    out = b""
    for code, value in events:
        out += INPUT_EVENT.pack(0, 0, EV_MSC, 4, 0x70004)  # scan code noise, as keyboards send
        out += INPUT_EVENT.pack(0, 0, EV_KEY, code, value)
        out += INPUT_EVENT.pack(0, 0, EV_SYN, 0, 0)
    return out


@pytest.fixture
def fifo_reader(tmp_path):
    path = tmp_path / "event0"
    os.mkfifo(path)
    statuses: list[str] = []
    reader = HidScannerReader(
        str(path),
        backend="raw",
        grab=False,  # EVIOCGRAB needs an input device, not a FIFO
        stale_after=0.2,
        backoff=Backoff(first=0.02, ceiling=0.1),
        on_status=lambda status, _: statuses.append(status),
    )
    reader.start()
    assert reader.wait_connected(2)
    yield reader, path, statuses
    reader.stop()


def write_events(path, data: bytes, split_at: int | None = None) -> None:
    with open(path, "wb", buffering=0) as fifo:
        if split_at is None:
            fifo.write(data)
        else:  # an event cut between two reads
            fifo.write(data[:split_at])
            time.sleep(0.05)
            fifo.write(data[split_at:])


def test_device_loop_decodes_events_and_reopens_after_the_device_goes(fifo_reader):
    reader, path, statuses = fifo_reader
    code = sim_codes.gtin("460000000001")
    write_events(path, packed(type_text(code) + type_text("ART-7")), split_at=INPUT_EVENT.size + 5)
    first, second = reader.get_scan(2), reader.get_scan(2)
    assert first.code.gtin == "0" + code and second.code.code == "ART-7"
    # the writer closed: end of file is a vanished device; the loop reopens the path
    deadline = time.monotonic() + 3
    while reader.reconnects < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reader.reconnects >= 1 and "offline" in statuses
    write_events(path, packed(type_text("again")))
    assert reader.get_scan(2).text == "again"


def test_device_loop_drops_a_stalled_half_code(fifo_reader):
    reader, path, _ = fifo_reader
    opened = threading.Event()

    def writer():
        with open(path, "wb", buffering=0) as fifo:
            opened.set()
            fifo.write(packed(tap(2) + tap(3)))  # "12", no Enter
            time.sleep(0.5)  # longer than stale_after
            fifo.write(packed(type_text("789")))

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(3)
    assert opened.is_set()
    assert reader.get_scan(2).text == "789"
    assert reader.get_scan(0.2) is None
