"""Barcode payloads in the form ESC/POS ``GS k`` expects, checked before anything is sent."""

from __future__ import annotations

CODE128_QUIET_MODULES = 20  # 10 modules of white either side, so scanners find the start


def ean13_check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def validate_ean13(code: str) -> str:
    """``code`` if it is 13 digits with a right check digit; a shelf label must not lie."""
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        raise ValueError(f"EAN-13 must be 13 digits, got {code!r}")
    expected = ean13_check_digit(code[:12])
    if int(code[12]) != expected:
        raise ValueError(f"EAN-13 {code!r} has a wrong check digit (expected {expected})")
    return code


def code128_payload(data: str) -> str:
    """The ``GS k 73`` data for ``data``: code set C (digit pairs) when all digits, else set B.

    Set C halves the width of numeric order numbers, which matters on a 58 mm roll.
    """
    if not data or not data.isascii() or not all(0x20 <= ord(c) < 0x7F for c in data):
        raise ValueError(f"CODE128 data must be printable ASCII, got {data!r}")
    if data.isdigit() and len(data) % 2 == 0:
        return "{C" + "".join(chr(int(data[i : i + 2])) for i in range(0, len(data), 2))
    return "{B" + data.replace("{", "{{")  # "{" starts a function in GS k 73 data


def code128_modules(payload: str) -> int:
    """Width in modules of the printed symbol: start, symbols, check, stop and quiet zones."""
    symbols = len(payload) - 1  # "{B"/"{C" is one start symbol; "{{" is one symbol
    symbols -= payload.count("{{")
    return (symbols + 2) * 11 + 2 + CODE128_QUIET_MODULES


EAN13_MODULES = 95 + 18  # the symbol plus the quiet zones the standard asks for


def module_width(modules: int, dots: int, widest: int = 3) -> int:
    """The widest module (2..``widest`` dots, what ``GS w`` allows) that fits ``dots``."""
    width = min(widest, dots // modules)
    if width < 2:
        raise ValueError(f"a barcode of {modules} modules does not fit {dots} dots")
    return width
