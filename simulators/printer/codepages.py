"""ESC t n: Epson's character code table numbers and the Python codec for each.

Written from the Epson ESC/POS command reference, not from python-escpos, so a wrong number on the
driver side shows up here as wrong text.
"""

from __future__ import annotations

CODE_PAGES: dict[int, str] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    33: "cp775",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    37: "cp864",
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    44: "cp1125",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
}

DEFAULT_CODE_PAGE = 0  # after power-on and ESC @


def decode_byte(value: int, table: int) -> str:
    """One byte of text in code table ``table``; unknown tables decode as CP437 would."""
    codec = CODE_PAGES.get(table, "cp437")
    return bytes([value]).decode(codec, errors="replace")
