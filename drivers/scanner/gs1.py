"""GS1 element strings (FISCAL.md 4.1): "AI + data" fields; a variable-length field ends at GS
(0x1D, how FNC1-as-separator is transmitted) or at the end. Split on GS and the AI length tables,
never on the literal digits "91"/"92": they occur inside data too."""

from .check_digit import has_valid_check_digit
from .errors import InvalidCode

GS = "\x1d"

# Fields of predefined length (GS1 General Specifications 7.8.5): total AI + data characters.
# Only these may be followed by the next AI without a separator.
PREDEFINED_LENGTH = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18, "11": 8, "12": 8, "13": 8, "14": 8,
    "15": 8, "16": 8, "17": 8, "18": 8, "19": 8, "20": 4, "31": 10, "32": 10, "33": 10,
    "34": 10, "35": 10, "36": 10, "41": 16,
}  # fmt: skip

# How many digits the AI itself has, by its first two digits. Anything else is unknown.
_AI_DIGITS = (
    {f"{n:02d}": 2 for n in (*range(0, 23), 30, 37, *range(90, 100))}
    | {p: 3 for p in ("23", "24", "25", "40", "41", "42", "71")}
    | {p: 4 for p in ("31", "32", "33", "34", "35", "36", "39", "43", "70", "72", "80", "81", "82")}
)
NUMERIC_PREFIXES = frozenset(PREDEFINED_LENGTH) | {"30", "37", "39"}
# Longest data allowed for the variable fields we meet; others get the GS1 maximum of 90.
MAX_DATA_LENGTH = {"10": 20, "21": 20, "22": 20, "30": 8, "37": 8, "90": 30}
CHECK_DIGIT_AIS = frozenset({"00", "01", "02"})

# GS1 AI encodable character set 82: what a field value may hold.
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)


def ai_digits(prefix: str) -> int | None:
    return _AI_DIGITS.get(prefix)


def split_elements(data: str) -> list[tuple[str, str]]:
    """(AI, value) pairs in order. Raises InvalidCode on an unknown AI or a truncated field."""
    elements: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        if data[pos] == GS:  # a separator after a predefined-length field: allowed, redundant
            pos += 1
            continue
        digits = ai_digits(data[pos : pos + 2])
        ai = data[pos : pos + digits] if digits else data[pos : pos + 2]
        if not digits or len(ai) < digits or not ai.isdigit():
            raise InvalidCode("unknown_ai", f"{ai!r} at position {pos}")
        start = pos + digits
        fixed = PREDEFINED_LENGTH.get(ai[:2])
        if fixed:
            end = pos + fixed
            value = data[start:end]
            if len(value) < fixed - digits or GS in value:
                raise InvalidCode("bad_gs1", f"AI {ai} is {fixed - digits} characters long")
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
    """Character set, numeric fields, length limits and check digits of one field."""
    if not set(value) <= CHARSET_82:
        raise InvalidCode("bad_gs1", f"AI {ai} holds characters outside GS1 set 82")
    if ai[:2] in NUMERIC_PREFIXES and not value.isdigit():
        raise InvalidCode("bad_gs1", f"AI {ai} must be digits")
    if len(value) > MAX_DATA_LENGTH.get(ai, 90):
        raise InvalidCode("bad_gs1", f"AI {ai} is longer than {MAX_DATA_LENGTH.get(ai, 90)}")
    if ai in CHECK_DIGIT_AIS and not has_valid_check_digit(value):
        raise InvalidCode("bad_check_digit", f"AI {ai}: {value}")


def check_no_repeats(elements: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for ai, _ in elements:
        if ai in seen:
            raise InvalidCode("bad_gs1", f"AI {ai} occurs twice")
        seen.add(ai)
