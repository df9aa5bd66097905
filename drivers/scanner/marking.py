"""Честный ЗНАК marking codes (FISCAL.md 4.1) from GS1 element strings, and the 29-character
tobacco pack code. A GS dropped on the way (keyboard-wedge scanners lose it, FISCAL.md 4.2) glues
the next field onto a variable one; that is reported as ``missing_gs``, never read as a strange
serial or key."""

import re

from .check_digit import has_valid_check_digit
from .codes import CodeKind, MarkingCode
from .errors import InvalidCode, MangledInput
from .gs1 import CHARSET_82, check_element, check_no_repeats

# Serials are 6 (dairy) to 13 (shoes, clothing, water) characters; a serial that ends in
# "93" + 4 characters past that is a short crypto that lost its GS (a bare КИ never has one).
GLUED_SHORT_CRYPTO = re.compile(r".{6,}93.{4}")
KEY_ID_LENGTH = 4
CRYPTO_LENGTHS = (44, 88)
SHORT_CRYPTO_LENGTH = 4
TOBACCO_PACK_LENGTH = 29


def marking_from_elements(
    elements: list[tuple[str, str]], *, code: str, scanned: str, symbology: str
) -> MarkingCode:
    """A marking code from elements that hold AI 01 and AI 21."""
    check_no_repeats(elements)
    fields = dict(elements)
    check_element("01", fields["01"])  # a misread GTIN first: it says more than a lost GS
    detect_missing_gs(fields)
    for ai, value in elements:
        check_element(ai, value)
    key_id, crypto = fields.get("91"), fields.get("92")
    short_crypto = fields.get("93")
    if (key_id is None) != (crypto is None):
        raise InvalidCode("bad_marking", "AI 91 and AI 92 come together")
    if key_id is not None and len(key_id) != KEY_ID_LENGTH:
        raise InvalidCode("bad_marking", f"AI 91 is {KEY_ID_LENGTH} characters")
    if crypto is not None and len(crypto) not in CRYPTO_LENGTHS:
        raise InvalidCode("bad_marking", "AI 92 is 44 or 88 characters")
    if short_crypto is not None and len(short_crypto) != SHORT_CRYPTO_LENGTH:
        raise InvalidCode("bad_marking", f"AI 93 is {SHORT_CRYPTO_LENGTH} characters")
    return MarkingCode(
        kind=CodeKind.MARKING,
        code=code,
        scanned=scanned,
        symbology=symbology,
        gtin=fields["01"],
        serial=fields["21"],
        key_id=key_id,
        crypto=crypto,
        short_crypto=short_crypto,
        elements=tuple(elements),
    )


def detect_missing_gs(fields: dict[str, str]) -> None:
    """Raise MangledInput('missing_gs') when a field swallowed the one after it."""
    serial = fields["21"]
    overflow = None
    if len(serial) > 20:
        overflow = "AI 21 (serial) runs into the next field"
    elif "92" in fields and "91" not in fields:
        overflow = "AI 91 (key) is glued to the serial"
    elif len(fields.get("91", "")) > KEY_ID_LENGTH:
        overflow = "AI 92 (crypto) is glued to AI 91"
    elif len(fields.get("93", "")) > SHORT_CRYPTO_LENGTH:
        overflow = "the field after AI 93 is glued to it"
    elif len(fields.get("92", "")) > CRYPTO_LENGTHS[0] and len(fields["92"]) not in CRYPTO_LENGTHS:
        overflow = "the field after AI 92 is glued to it"
    elif not {"91", "92", "93"} & fields.keys() and GLUED_SHORT_CRYPTO.fullmatch(serial):
        overflow = "the crypto tail is glued to the serial"
    if overflow:
        raise MangledInput("missing_gs", overflow)


def looks_like_tobacco_pack(text: str) -> bool:
    return (
        len(text) == TOBACCO_PACK_LENGTH
        and has_valid_check_digit(text[:14])
        and set(text[14:]) <= CHARSET_82
    )


def tobacco_pack(text: str, *, scanned: str, symbology: str) -> MarkingCode:
    """GTIN(14) + serial(7) + МРЦ(4) + crypto(4), no AIs and no GS (FISCAL.md 4.1)."""
    return MarkingCode(
        kind=CodeKind.TOBACCO_PACK,
        code=text,
        scanned=scanned,
        symbology=symbology,
        gtin=text[:14],
        serial=text[14:21],
        max_retail_price=text[21:25],
        short_crypto=text[25:29],
    )
