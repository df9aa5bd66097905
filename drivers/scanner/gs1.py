"""GS1 element strings (FISCAL.md 4.1): "AI + data" fields; a variable-length field ends at GS
(0x1D, how FNC1-as-separator is transmitted) or at the end. Split on GS and the AI length tables,
never on the literal digits "91"/"92": they occur inside data too."""

from .check_digit import has_valid_check_digit
from .errors import InvalidCode
from .gs1_ais import AI_FORMATS, ai_at
from .gs1_dates import bad_date

GS = "\x1d"

# Fields of predefined length (GS1 General Specifications 7.8.5): total AI + data characters,
# by the AI's first two digits. Only these may be followed by the next AI without a separator.
PREDEFINED_LENGTH = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18, "11": 8, "12": 8, "13": 8, "14": 8,
    "15": 8, "16": 8, "17": 8, "18": 8, "19": 8, "20": 4, "31": 10, "32": 10, "33": 10,
    "34": 10, "35": 10, "36": 10, "41": 16,
}  # fmt: skip

# AIs whose data starts with a GS1 key that ends in a check digit: AI -> the key's length.
CHECK_DIGIT_LENGTH = {
    "00": 18, "01": 14, "02": 14, "03": 14, "253": 13, "255": 13, "402": 17,
    **dict.fromkeys(("410", "411", "412", "413", "414", "415", "416", "417"), 13),
    "8006": 14, "8017": 18, "8018": 18, "8026": 14,
}  # fmt: skip

# GS1 AI encodable character set 82: what a field value may hold.
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)


def split_elements(data: str) -> list[tuple[str, str]]:
    """(AI, value) pairs in order. Raises InvalidCode on an unknown AI or a truncated field."""
    elements: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        if data[pos] == GS:  # a separator after a predefined-length field: allowed, redundant
            pos += 1
            continue
        ai = ai_at(data, pos)
        if ai is None:
            raise InvalidCode("unknown_ai", f"{data[pos : pos + 4]!r} at position {pos}")
        start = pos + len(ai)
        fixed = PREDEFINED_LENGTH.get(ai[:2])
        if fixed:
            end = pos + fixed
            value = data[start:end]
            if len(value) < fixed - len(ai) or GS in value:
                raise InvalidCode("bad_gs1", f"AI {ai} is {fixed - len(ai)} characters long")
        else:
            end = data.find(GS, start)
            end = len(data) if end < 0 else end
            value = data[start:end]
            if not value:
                raise InvalidCode("bad_gs1", f"AI {ai} is empty")
        elements.append((ai, value))
        pos = end
    if not elements:
        raise InvalidCode("bad_gs1", "no element strings")
    return elements


def check_element(ai: str, value: str) -> None:
    """Character set, digits, length, check digit and date of one field (its AI is defined)."""
    spec = AI_FORMATS[ai]
    if not set(value) <= CHARSET_82:
        raise InvalidCode("bad_gs1", f"AI {ai} holds characters outside GS1 set 82")
    if spec.numeric and not value.isdigit():
        raise InvalidCode("bad_gs1", f"AI {ai} must be digits")
    if not spec.min_length <= len(value) <= spec.max_length:
        raise InvalidCode("bad_gs1", f"AI {ai} is {_lengths(spec)} characters long")
    key_length = CHECK_DIGIT_LENGTH.get(ai)
    if key_length and not has_valid_check_digit(value[:key_length]):
        raise InvalidCode("bad_check_digit", f"AI {ai}: {value}")
    if bad_date(ai, value):
        raise InvalidCode("bad_gs1", f"AI {ai}: {value[:6]} is not a date (YYMMDD)")


def _lengths(spec) -> str:
    if spec.min_length == spec.max_length:
        return str(spec.min_length)
    return f"{spec.min_length} to {spec.max_length}"


def check_no_repeats(elements: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for ai, _ in elements:
        if ai in seen:
            raise InvalidCode("bad_gs1", f"AI {ai} occurs twice")
        seen.add(ai)


def check_elements(elements: list[tuple[str, str]]) -> None:
    """Each AI once, each value well-formed."""
    check_no_repeats(elements)
    for ai, value in elements:
        check_element(ai, value)


def reads_as_elements(data: str) -> bool:
    """``data`` is a whole, well-formed GS1 element string."""
    try:
        check_elements(split_elements(data))
    except InvalidCode:
        return False
    return True
