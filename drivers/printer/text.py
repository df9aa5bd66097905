"""Text for a CP866 thermal printer: make any string printable, format money, fit columns."""

from __future__ import annotations

import textwrap

ENCODING = "cp866"  # what Russian ESC/POS printers use; the escpos name is "CP866"

# Typography the web shop and the catalog are full of, but CP866 lacks.
_SUBSTITUTES = {
    "₽": "руб.",
    "«": '"',
    "»": '"',
    "„": '"',
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "—": "-",
    "–": "-",
    "‑": "-",
    "…": "...",
    "×": "x",
    "\u00a0": " ",  # no-break spaces print as blanks anyway, and break our width maths
    "\u202f": " ",
    "\t": " ",
}


def printable(text: str) -> str:
    """``text`` with every character printable in CP866, on one line.

    Control characters (a newline or an ESC in a customer's name) become spaces: data must never
    turn into printer commands. Anything else CP866 lacks becomes ``?``.
    """
    out = []
    for char in str(text):
        char = _SUBSTITUTES.get(char, char)
        if len(char) == 1 and (ord(char) < 0x20 or ord(char) == 0x7F):
            char = " "
        elif len(char) == 1 and not _encodable(char):
            char = "?"
        out.append(char)
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def format_money(kopecks: int) -> str:
    """``129900`` -> ``"1 299,00 руб."`` (₽ is not in CP866)."""
    if isinstance(kopecks, bool) or not isinstance(kopecks, int):
        raise TypeError(f"money is integer kopecks, got {kopecks!r}")
    sign = "-" if kopecks < 0 else ""
    roubles, kop = divmod(abs(kopecks), 100)
    grouped = f"{roubles:,}".replace(",", " ")
    return f"{sign}{grouped},{kop:02d} руб."


def format_quantity(quantity: int) -> str:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError(f"quantities are integers, got {quantity!r}")
    return f"{quantity} шт."


def wrap(text: str, width: int) -> list[str]:
    """Printable ``text`` wrapped to ``width``; long words are cut. Never an empty list."""
    return textwrap.wrap(printable(text), width, break_long_words=True) or [""]


def justify(left: str, right: str, width: int) -> list[str]:
    """``left`` on the left and ``right`` flush right, wrapping ``left`` when they do not fit."""
    left, right = printable(left), printable(right)
    if len(right) > width:
        return wrap(left, width) + wrap(right, width)
    room = width - len(right) - 1
    lines = textwrap.wrap(left, room, break_long_words=True) if room > 0 else []
    if not lines:
        lines = [""] if room > 0 else wrap(left, width) + [""]
    last = lines[-1]
    lines[-1] = last + " " * (width - len(last) - len(right)) + right
    return lines


def rule(width: int, char: str = "-") -> str:
    return char * width
