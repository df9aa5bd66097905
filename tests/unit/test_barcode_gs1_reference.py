"""The parser against an independent reading of GS1 element strings (issue 13, part 8): codes are
generated from a table written here from the GS1 General Specifications (AI formats, 3.2; AIs
of predefined length that need no separator, 7.8.5; dates, 7.12), read back by a small reader
that knows only that table, and the parser must agree on every AI and value, the GTIN and the
serial — and refuse every wrong check digit and every date no calendar has."""

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from drivers.scanner import BarcodeError, InvalidCode, MarkingCode, parse_code
from simulators.scanner import codes as sim_codes

GS = "\x1d"
CHARSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
FNC1_FORMS = ["]C1", "]d2", "]Q3", GS, "\xe8"]  # a symbology identifier or FNC1 first

# AI -> (digits only, fewest, most characters); "date" fields are YYMMDD (day 00 = month's end).
REFERENCE_AIS = {
    "00": ("key", 18, 18),
    "01": ("key", 14, 14),
    "02": ("key", 14, 14),
    "10": ("text", 1, 20),
    "11": ("date", 6, 6),
    "13": ("date", 6, 6),
    "15": ("date", 6, 6),
    "17": ("date", 6, 6),
    "20": ("digits", 2, 2),
    "21": ("text", 1, 20),
    "22": ("text", 1, 20),
    "240": ("text", 1, 30),
    "30": ("digits", 1, 8),
    "37": ("digits", 1, 8),
    "3103": ("digits", 6, 6),
    "3922": ("digits", 1, 15),
    "400": ("text", 1, 30),
    "410": ("key", 13, 13),
    "422": ("digits", 3, 3),
    "8005": ("digits", 6, 6),
    "90": ("text", 1, 30),
}
NO_SEPARATOR_PREFIXES = ("00", "01", "02", "03", "04", *map(str, range(11, 21)), "31", "32")
NO_SEPARATOR_PREFIXES += ("33", "34", "35", "36", "41")
MARKING_LENGTHS = (6, 7, 8, 13)  # a Честный ЗНАК serial before a crypto tail


def needs_separator(ai: str) -> bool:
    return not ai.startswith(NO_SEPARATOR_PREFIXES)


def reference_read(data: str) -> list[tuple[str, str]]:
    """Read an element string with REFERENCE_AIS only: fixed fields by length, others to GS."""
    elements, pos = [], 0
    while pos < len(data):
        ai = next(a for a in REFERENCE_AIS if data.startswith(a, pos))
        kind, fewest, most = REFERENCE_AIS[ai]
        start = pos + len(ai)
        end = data.find(GS, start) if needs_separator(ai) else start + most
        end = len(data) if end < 0 else end
        elements.append((ai, data[start:end]))
        pos = end + (end < len(data) and data[end] == GS)
    return elements


def real_date(yymmdd: str) -> bool:
    """By the calendar: YY in 2000-2099 (same leap years as GS1's 50-year window)."""
    year, month, day = 2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        return False
    return True


def values(ai: str) -> st.SearchStrategy[str]:
    kind, fewest, most = REFERENCE_AIS[ai]
    if kind == "key":
        body = st.text("0123456789", min_size=most - 1, max_size=most - 1)
        return body.map(lambda digits: digits + sim_codes.check_digit(digits))
    if kind == "date":
        return st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)).map(
            lambda d: d.strftime("%y%m%d")
        )
    alphabet = "0123456789" if kind == "digits" else CHARSET_82
    return st.text(alphabet, min_size=fewest, max_size=most)


serials = st.text(CHARSET_82, min_size=1, max_size=20) | st.builds(
    lambda head, tail: head + "93" + tail,
    st.text(CHARSET_82, min_size=1, max_size=14),
    st.text(CHARSET_82, min_size=4, max_size=4),
)


@st.composite
def element_strings(draw, *, with_serial: bool) -> list[tuple[str, str]]:
    """01 first (a GTIN: the parser reads it without FNC1 too), then other fields in any order."""
    others = [ai for ai in REFERENCE_AIS if ai not in ("01", "21")]
    chosen = draw(st.lists(st.sampled_from(others), unique=True, max_size=4))
    fields = [(ai, draw(values(ai))) for ai in chosen]
    if with_serial:
        fields.insert(draw(st.integers(0, len(fields))), ("21", draw(serials)))
    return [("01", draw(values("01"))), *fields]


def encode(fields: list[tuple[str, str]], redundant_gs: bool) -> str:
    """AI + value, a GS after each variable field but the last (and after others if asked)."""
    out = ""
    for n, (ai, value) in enumerate(fields):
        last = n == len(fields) - 1
        out += ai + value + (GS if not last and (needs_separator(ai) or redundant_gs) else "")
    return out


@settings(max_examples=400, deadline=None)
@given(element_strings(with_serial=False), st.sampled_from(["", *FNC1_FORMS]), st.booleans())
def test_parser_reads_generic_gs1_codes_as_the_reference_does(fields, prefix, redundant_gs):
    data = encode(fields, redundant_gs)
    assert reference_read(data) == fields  # the reference reads back what was generated
    parsed = parse_code(prefix + data)
    assert list(parsed.elements) == fields
    assert parsed.gtin == dict(fields)["01"]


@settings(max_examples=400, deadline=None)
@given(element_strings(with_serial=True), st.sampled_from(["", *FNC1_FORMS]))
@example(
    [("01", "30943192762206"), ("17", "630300"), ("10", '"LG!:F1'), ("21", "AgurTIf/sf93j*_u")],
    "",
)
def test_parser_reads_serialised_codes_as_the_reference_does(fields, prefix):
    """01 + 21 is read as a marking code; the one refusal allowed is a serial that ends in
    "93" + 4 characters after a marking serial's length: the same bytes as a lost GS."""
    serial = dict(fields)["21"]
    glued = serial[-6:-4] == "93" and len(serial) - 6 in MARKING_LENGTHS
    try:
        parsed = parse_code(prefix + encode(fields, redundant_gs=False))
    except BarcodeError as refused:
        assert glued and refused.reason == "missing_gs", refused
        return
    assert not glued
    assert isinstance(parsed, MarkingCode)
    assert list(parsed.elements) == fields
    assert (parsed.gtin, parsed.serial) == (dict(fields)["01"], serial)


@settings(max_examples=200, deadline=None)
@given(element_strings(with_serial=False), st.data())
def test_no_wrong_check_digit_is_ever_accepted(fields, data):
    keys = [n for n, (ai, _) in enumerate(fields) if REFERENCE_AIS[ai][0] == "key"]
    n = data.draw(st.sampled_from(keys))
    ai, value = fields[n]
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != value[-1]]))
    fields[n] = (ai, value[:-1] + wrong)
    try:
        parse_code("]C1" + encode(fields, redundant_gs=False))
    except InvalidCode as refused:
        assert refused.reason == "bad_check_digit"
    else:
        raise AssertionError(f"AI {ai} {value[:-1] + wrong} accepted")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["11", "13", "15", "17"]), st.text("0123456789", min_size=6, max_size=6))
@example("17", "250229")
@example("17", "240229")
@example("17", "250400")
def test_dates_are_accepted_exactly_when_the_calendar_has_them(ai, yymmdd):
    gtin = sim_codes.gtin("0460043993125")
    try:
        parsed = parse_code("]C1" + "01" + gtin + ai + yymmdd)
    except InvalidCode as refused:
        assert refused.reason == "bad_gs1" and not real_date(yymmdd)
    else:
        assert real_date(yymmdd) and parsed.element(ai) == yymmdd
