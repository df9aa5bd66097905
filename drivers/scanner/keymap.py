"""Key presses of a keyboard-mode (HID) scanner -> the text it meant, independent of the OS
keyboard layout: key codes are mapped through the US layout the scanner assumes, so a Russian
layout on the Pi changes nothing (FISCAL.md 4.2).

GS has no key: scanners send it as Ctrl+] (the ASCII control for 0x1D), as a function key such
as F8, or as Alt + keypad 0 2 9. ``KeymapSettings.gs_combos`` lists the combos taken as GS;
Alt + keypad digits always give the character with that number. A key or combo with no meaning
puts U+FFFD into the code, so the parser refuses the scan instead of reading a shorter code.

    decoder = KeyboardDecoder()
    for code, value in key_events:          # EV_KEY events: value 1 press, 0 release, 2 repeat
        if (text := decoder.feed(code, value)) is not None:
            handle(text)                     # one scan, terminator removed
"""

from dataclasses import dataclass, field

from . import keycodes as k

GS = "\x1d"
UNKNOWN = "\ufffd"

_LETTER_ROWS = ((k.KEY_Q, "qwertyuiop"), (k.KEY_A, "asdfghjkl"), (k.KEY_Z, "zxcvbnm"))
# key -> (unshifted, shifted) on the US layout
US_LAYOUT: dict[int, tuple[str, str]] = {
    **{first + i: (ch, ch.upper()) for first, row in _LETTER_ROWS for i, ch in enumerate(row)},
    **{k.KEY_1 + i: pair for i, pair in enumerate(zip("1234567890", "!@#$%^&*()", strict=True))},
    k.KEY_MINUS: ("-", "_"),
    k.KEY_EQUAL: ("=", "+"),
    k.KEY_LEFTBRACE: ("[", "{"),
    k.KEY_RIGHTBRACE: ("]", "}"),
    k.KEY_SEMICOLON: (";", ":"),
    k.KEY_APOSTROPHE: ("'", '"'),
    k.KEY_GRAVE: ("`", "~"),
    k.KEY_BACKSLASH: ("\\", "|"),
    k.KEY_102ND: ("\\", "|"),
    k.KEY_COMMA: (",", "<"),
    k.KEY_DOT: (".", ">"),
    k.KEY_SLASH: ("/", "?"),
    k.KEY_SPACE: (" ", " "),
    k.KEY_TAB: ("\t", "\t"),
}
KEYPAD_DIGITS = {
    k.KEY_KP0: "0", k.KEY_KP1: "1", k.KEY_KP2: "2", k.KEY_KP3: "3", k.KEY_KP4: "4",
    k.KEY_KP5: "5", k.KEY_KP6: "6", k.KEY_KP7: "7", k.KEY_KP8: "8", k.KEY_KP9: "9",
}  # fmt: skip
# Keypad keys as a scanner uses them: Num Lock on (scanners in keypad mode switch it on).
KEYPAD = {
    **KEYPAD_DIGITS,
    k.KEY_KPDOT: ".",
    k.KEY_KPSLASH: "/",
    k.KEY_KPASTERISK: "*",
    k.KEY_KPMINUS: "-",
    k.KEY_KPPLUS: "+",
}
SHIFT_KEYS = frozenset({k.KEY_LEFTSHIFT, k.KEY_RIGHTSHIFT})
CTRL_KEYS = frozenset({k.KEY_LEFTCTRL, k.KEY_RIGHTCTRL})
ALT_KEYS = frozenset({k.KEY_LEFTALT, k.KEY_RIGHTALT})
# Lock keys carry no character; scanners toggle Num Lock / Caps Lock around a scan.
LOCK_KEYS = frozenset({k.KEY_CAPSLOCK, k.KEY_NUMLOCK, k.KEY_SCROLLLOCK})


@dataclass(frozen=True)
class KeyCombo:
    key: int
    ctrl: bool = False
    alt: bool = False
    shift: bool = False


CTRL_RIGHT_BRACKET = KeyCombo(k.KEY_RIGHTBRACE, ctrl=True)  # Ctrl+] = 0x1D, the usual GS
F8_KEY = KeyCombo(k.KEY_F8)  # Shtrih's test utility convention


@dataclass(frozen=True)
class KeymapSettings:
    gs_combos: frozenset[KeyCombo] = frozenset({CTRL_RIGHT_BRACKET})
    terminators: frozenset[int] = frozenset({k.KEY_ENTER, k.KEY_KPENTER})
    alt_numpad: bool = True  # Alt + keypad digits -> chr(number), e.g. Alt+029 = GS
    max_length: int = 1024


@dataclass
class KeyboardDecoder:
    settings: KeymapSettings = field(default_factory=KeymapSettings)

    def __post_init__(self) -> None:
        self.held: set[int] = set()
        self.reset()

    def reset(self) -> None:
        """Forget a half-typed code (reconnect, stale input); modifier state is kept."""
        self.chars: list[str] = []
        self.alt_digits = ""

    @property
    def pending(self) -> str:
        return "".join(self.chars)

    def feed(self, code: int, value: int) -> str | None:
        """One EV_KEY event. Returns the finished code when a terminator is pressed."""
        if value == k.KEY_RELEASE:
            self._release(code)
            return None
        if value != k.KEY_PRESS:
            return None  # autorepeat: a scanner never holds a key; a repeat is not data
        if code in SHIFT_KEYS | CTRL_KEYS | ALT_KEYS:
            self.held.add(code)
            return None
        if code in LOCK_KEYS:
            return None
        return self._press(code)

    # --- internals ------------------------------------------------------------------------
    @property
    def shift(self) -> bool:
        return bool(self.held & SHIFT_KEYS)

    @property
    def ctrl(self) -> bool:
        return bool(self.held & CTRL_KEYS)

    @property
    def alt(self) -> bool:
        return bool(self.held & ALT_KEYS)

    def _press(self, code: int) -> str | None:
        combo = KeyCombo(code, ctrl=self.ctrl, alt=self.alt, shift=self.shift)
        if combo in self.settings.gs_combos:
            self._append(GS)
        elif code in self.settings.terminators and not (self.ctrl or self.alt):
            text, self.chars = self.pending, []
            return text or None
        elif self.alt and self.settings.alt_numpad and code in KEYPAD_DIGITS:
            self.alt_digits += KEYPAD_DIGITS[code]
        elif self.ctrl or self.alt:
            self._append(UNKNOWN)
        elif code in US_LAYOUT:
            self._append(US_LAYOUT[code][self.shift])
        else:
            self._append(KEYPAD.get(code, UNKNOWN))
        return None

    def _release(self, code: int) -> None:
        self.held.discard(code)
        if code in ALT_KEYS and not self.alt and self.alt_digits:
            number, self.alt_digits = int(self.alt_digits), ""
            self._append(chr(number) if number <= 0xFF else UNKNOWN)

    def _append(self, ch: str) -> None:
        if len(self.chars) <= self.settings.max_length:  # one over: the parser says too long
            self.chars.append(ch)
