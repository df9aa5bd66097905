"""``parse_code(text)``: one scan (a line from the reader) -> a ParsedCode, or a BarcodeError.

Order matters: the layout check comes before anything reads characters; a symbology identifier
(``]d2``, ``]C1``, ``]Q3`` ...) and a leading FNC1 (GS or char 232) are stripped; GS1 data is
parsed by the AI tables; digit strings of GTIN length must carry a valid check digit; the rest
is free text. A wrong check digit is always an error, never a different item.

Eight digits are an EAN-8 or a UPC-E: the bars differ, so the scanner knows, and says so when it
sends the AIM symbology identifier (ISO/IEC 15424: ``]E4`` EAN-8; ``]E0`` EAN-13, UPC-A or
UPC-E). Without one, a code with a valid EAN-8 check digit is an EAN-8, as it always was; one
that fails it but verifies as a UPC-E (number system 0 or 1) is a UPC-E. About one UPC-E in ten
also passes as an EAN-8: shops that sell such goods turn on the scanner's AIM identifier (or
its "UPC-E as UPC-A" setting, which sends 12 digits).
"""

from .check_digit import has_valid_check_digit
from .codes import CodeKind, Gs1Code, ParsedCode, ProductCode, TextCode
from .errors import BarcodeError, InvalidCode, MangledInput
from .gs1 import GS, check_elements, split_elements
from .layout import restore_latin_layout, typed_in_russian_layout
from .marking import looks_like_tobacco_pack, marking_from_elements, tobacco_pack
from .upc_e import expand_upc_e, is_upc_e

MAX_CODE_LENGTH = 512
FNC1_CHAR = "\xe8"  # some scanners send FNC1 in first position as char 232 (FISCAL.md 4.2)
SUFFIX_CHARS = "\r\n\t "  # scanner suffixes and padding, never part of a code
GS1_SYMBOLOGIES = frozenset({"]d2", "]C1", "]Q3", "]e0", "]J1"})  # ISO/IEC 15424 GS1 modes
EAN_UPC, EAN8 = "]E0", "]E4"  # EAN-13, UPC-A or UPC-E; EAN-8
EAN_SYMBOLOGIES = frozenset({EAN_UPC, EAN8})
RETAIL_LENGTHS = {8: CodeKind.EAN8, 12: CodeKind.UPCA, 13: CodeKind.EAN13, 14: CodeKind.GTIN14}
SYMBOLOGY_LENGTHS = {EAN_UPC: (8, 12, 13), EAN8: (8,)}  # ]E0 + 8 digits: a UPC-E sent as is


def parse_code(text: str) -> ParsedCode:
    """Classify and check one scanned code; raises InvalidCode or MangledInput."""
    try:
        return _parse(text)
    except BarcodeError as error:
        error.scanned = text
        raise


def _parse(scanned: str) -> ParsedCode:
    text = scanned.strip(SUFFIX_CHARS)
    if not text:
        raise InvalidCode("empty")
    if len(text) > MAX_CODE_LENGTH:
        raise InvalidCode("too_long", f"{len(text)} characters, at most {MAX_CODE_LENGTH}")
    check_control_characters(text)
    if typed_in_russian_layout(text):
        raise MangledInput("keyboard_layout", restored=restore_latin_layout(text))
    symbology, text = split_symbology(text)
    fnc1 = text[:1] in (GS, FNC1_CHAR)
    text = text.lstrip(GS + FNC1_CHAR) if fnc1 else text
    text = text.rstrip(GS)  # a separator after the last field is redundant
    check_characters(text)
    context = {"scanned": scanned, "symbology": symbology}
    if fnc1 or symbology in GS1_SYMBOLOGIES or GS in text or looks_like_gs1(text):
        return parse_gs1(text, **context)
    if symbology in EAN_SYMBOLOGIES or (text.isdigit() and len(text) in RETAIL_LENGTHS):
        return parse_retail(text, **context)
    if looks_like_tobacco_pack(text):
        return tobacco_pack(text, **context)
    return TextCode(kind=CodeKind.CODE128, code=text, **context)


def split_symbology(text: str) -> tuple[str, str]:
    """A leading symbology identifier ']' + letter + modifier, e.g. ']d2' (GS1 DataMatrix)."""
    if len(text) >= 3 and text[0] == "]" and text[1].isalpha() and text[2].isalnum():
        return text[:3], text[3:]
    return "", text


def check_characters(text: str) -> None:
    if not text:
        raise InvalidCode("empty")
    if not text.isascii():
        raise InvalidCode("non_ascii", ascii(next(ch for ch in text if not ch.isascii())))
    check_control_characters(text)


def check_control_characters(text: str) -> None:
    if any((ch < " " or ch == "\x7f") and ch != GS for ch in text):
        raise InvalidCode("control_chars")


def looks_like_gs1(text: str) -> bool:
    """'01' + 14 digits at the start: a GS1 element string sent without its FNC1 marker (a
    keyboard-wedge scanner drops it together with every GS)."""
    return text[:2] == "01" and len(text) >= 16 and text[2:16].isdigit()


def parse_retail(digits: str, *, scanned: str, symbology: str) -> ProductCode:
    lengths = SYMBOLOGY_LENGTHS.get(symbology, RETAIL_LENGTHS)
    if not digits.isdigit() or len(digits) not in lengths:
        raise InvalidCode("bad_gs1", f"not an EAN/UPC/GTIN: {digits!r}")
    if len(digits) == 8 and reads_as_upc_e(digits, symbology):
        return upc_e(digits, scanned=scanned, symbology=symbology)
    if not has_valid_check_digit(digits):
        raise InvalidCode("bad_check_digit", digits)
    return ProductCode(
        kind=RETAIL_LENGTHS[len(digits)],
        code=digits,
        scanned=scanned,
        symbology=symbology,
        gtin=digits.zfill(14),
    )


def reads_as_upc_e(digits: str, symbology: str) -> bool:
    """Eight digits: UPC-E or EAN-8 (the rule in the module's docstring)."""
    if symbology in EAN_SYMBOLOGIES:
        return symbology == EAN_UPC
    return not has_valid_check_digit(digits) and is_upc_e(digits)


def upc_e(digits: str, *, scanned: str, symbology: str) -> ProductCode:
    """Looked up as the EAN-13 of its UPC-A: the form a catalog holds."""
    if not is_upc_e(digits):
        raise InvalidCode("bad_check_digit", f"UPC-E {digits}")
    ean13 = "0" + expand_upc_e(digits)
    return ProductCode(
        kind=CodeKind.UPCE, code=ean13, scanned=scanned, symbology=symbology, gtin="0" + ean13
    )


def parse_gs1(data: str, *, scanned: str, symbology: str) -> Gs1Code:
    elements = split_elements(data)
    ais = {ai for ai, _ in elements}
    if {"01", "21"} <= ais:
        return marking_from_elements(elements, code=data, scanned=scanned, symbology=symbology)
    check_elements(elements)
    gtin = dict(elements).get("01") or dict(elements).get("02")
    return Gs1Code(
        kind=CodeKind.GS1,
        code=data,
        scanned=scanned,
        symbology=symbology,
        gtin=gtin,
        elements=tuple(elements),
    )
