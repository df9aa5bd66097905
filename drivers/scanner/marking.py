"""Честный ЗНАК marking codes (FISCAL.md 4.1) from GS1 element strings, and the 29-character
tobacco pack code. A GS dropped on the way (keyboard-wedge scanners lose it, FISCAL.md 4.2) glues
the next field onto a variable one; that is reported as ``missing_gs``, never read as a strange
serial or key."""

from .check_digit import has_valid_check_digit
from .codes import CodeKind, MarkingCode
from .errors import InvalidCode, MangledInput
from .gs1 import CHARSET_82, check_element, check_no_repeats, reads_as_elements, split_elements

# A Честный ЗНАК serial is 6 (dairy), 7 (tobacco), 8 or 13 (shoes, clothing, water) characters.
# A field that is one of its legal lengths plus a whole GS1 field is a GS lost on the way; a
# field of any other length is a malformed code (``bad_marking``), not a scanner to reconfigure.
SERIAL_LENGTHS = (6, 7, 8, 13)
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
    serial, crypto = fields["21"], fields.get("92", "")
    overflow = None
    if "92" in fields and "91" not in fields and glued(serial, SERIAL_LENGTHS, "91", exact=4):
        overflow = "AI 91 (key) is glued to the serial"
    elif not {"91", "92", "93"} & fields.keys() and glued(serial, SERIAL_LENGTHS, "93", exact=4):
        overflow = "the crypto tail is glued to the serial"
    elif len(serial) > 20 and glued(serial, SERIAL_LENGTHS):
        overflow = "AI 21 (serial) runs into the next field"
    elif glued(fields.get("91", ""), (KEY_ID_LENGTH,), "92"):
        overflow = "AI 92 (crypto) is glued to AI 91"
    elif glued(fields.get("93", ""), (SHORT_CRYPTO_LENGTH,)):
        overflow = "the field after AI 93 is glued to it"
    elif len(crypto) not in CRYPTO_LENGTHS and glued(crypto, CRYPTO_LENGTHS):
        overflow = "the field after AI 92 is glued to it"
    if overflow:
        raise MangledInput("missing_gs", overflow)


def glued(value: str, lengths: tuple[int, ...], next_ai: str = "", *, exact: int = 0) -> bool:
    """``value`` is a field of one of ``lengths`` followed by a whole GS1 field (starting with
    ``next_ai`` when given; of ``exact`` data characters when given) whose GS was lost."""
    for length in lengths:
        tail = value[length:]
        if len(value) <= length or not tail.startswith(next_ai):
            continue
        if exact and len(tail) != len(next_ai) + exact:
            continue
        if _splits(tail):
            return True
    return False


def _splits(tail: str) -> bool:
    """The tail reads as AI + data fields (the last variable field takes the rest)."""
    try:
        split_elements(tail)
    except InvalidCode:
        return False
    return True


def looks_like_tobacco_pack(text: str) -> bool:
    """29 characters led by the GTIN-14 of a consumer unit (indicator 0: a pack, never a case)
    and not a well-formed GS1 element string: GS1 data that lost its FNC1 (net weight, expiry,
    serial ...) must never be read as a pack with an invented GTIN."""
    return (
        len(text) == TOBACCO_PACK_LENGTH
        and text[0] == "0"
        and has_valid_check_digit(text[:14])
        and set(text[14:]) <= CHARSET_82
        and not reads_as_elements(text)
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
