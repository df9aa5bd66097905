"""Scanner parser defects found by comparing drivers/scanner with an independent GS1 library over
200 000 generated codes (issue 13, part 8). Each case failed before its fix."""

import pytest

from drivers.scanner import CodeKind, InvalidCode, MangledInput, MarkingCode, parse_code
from simulators.scanner import codes as sim_codes

GS = "\x1d"
CRYPTO_44 = "MDEwNDYwNzQyODY3OTA5MDIxNmRFSWJmTT1BQk+/E0Q="
SERIAL_13 = "5Lh2Ow&Z3wHCM"
GTIN = "04600439931256"


# --- a serial that merely ends in "93" + 4 characters -------------------------------------------
def test_a_serial_ending_in_93_and_four_characters_is_read_when_every_gs_is_in_place():
    code = "01" + "30943192762206" + "17" + "630300" + "10" + '"LG!:F1' + GS + "21AgurTIf/sf93j*_u"
    parsed = parse_code(code)
    assert isinstance(parsed, MarkingCode)
    assert (parsed.gtin, parsed.serial) == ("30943192762206", "AgurTIf/sf93j*_u")
    assert parsed.element("17") == "630300" and parsed.element("10") == '"LG!:F1'


@pytest.mark.parametrize("serial_length", [6, 7, 8, 13])
def test_a_short_crypto_glued_to_a_serial_of_a_marking_length_is_still_a_lost_gs(serial_length):
    water = sim_codes.marking_code(GTIN, SERIAL_13[:serial_length], short="dGVz")
    with pytest.raises(MangledInput) as refused:
        parse_code(water.replace(GS, ""))
    assert refused.value.reason == "missing_gs"


# --- GS1 data without FNC1 is not a tobacco pack ------------------------------------------------
def test_gs1_data_without_fnc1_is_never_read_as_a_tobacco_pack():
    # 3103 net weight, 17 expiry, 21 serial; its first 14 digits happen to pass the check digit
    parsed = parse_code("31030014951791020721Wn;<CQkoR")
    assert parsed.kind is not CodeKind.TOBACCO_PACK
    assert parsed.gtin is None


def test_a_pack_gtin_names_a_consumer_unit():
    # 14 characters with a valid check digit but indicator 1 (a case): no pack has it
    parsed = parse_code("10614141000415" + "-5Cv'ER" + "AAAA" + "Mx=0")
    assert parsed.kind is CodeKind.CODE128 and parsed.gtin is None


def test_real_tobacco_packs_still_read():
    parsed = parse_code("00000046209443" + "j+Q'?P5" + "ACZA" + "C8bG")
    assert parsed.kind is CodeKind.TOBACCO_PACK and parsed.gtin == "00000046209443"


# --- a code that breaks only Честный ЗНАК lengths is malformed, not missing its GS -------------
def marking(*fields: str) -> str:
    return GS.join(["01" + GTIN + "21" + SERIAL_13, *fields])


@pytest.mark.parametrize(
    "code",
    [
        marking("91EE0612", "92" + CRYPTO_44),  # key of 6 characters
        marking("91EE06", "92" + CRYPTO_44 + "AbCdEf"),  # crypto of 50 characters
        marking("93dGVzXY"),  # short crypto of 6 characters
        marking("92" + CRYPTO_44),  # crypto without its key, nothing glued to the serial
    ],
)
def test_a_marking_code_with_wrong_lengths_and_its_gs_in_place_is_bad_marking(code):
    with pytest.raises(InvalidCode) as refused:
        parse_code(code)
    assert refused.value.reason == "bad_marking"


def test_a_serial_too_long_for_gs1_with_nothing_glued_is_bad_gs1():
    with pytest.raises(InvalidCode) as refused:
        parse_code("01" + GTIN + "21" + "x" * 25)
    assert refused.value.reason == "bad_gs1"


@pytest.mark.parametrize(
    "code",
    [
        marking("91EE0692" + CRYPTO_44),  # GS before 92 lost
        marking("93dGVz3103000350"),  # GS after 93 lost
        marking("91EE06", "92" + CRYPTO_44 + "3103000350"),  # GS after 92 lost
    ],
)
def test_a_field_glued_after_a_crypto_field_is_still_a_lost_gs(code):
    with pytest.raises(MangledInput) as refused:
        parse_code(code)
    assert refused.value.reason == "missing_gs"


# --- dates and application identifiers GS1 defines ---------------------------------------------
@pytest.mark.parametrize("expiry", ["250031", "251301", "250432", "250431", "250230", "250229"])
def test_an_impossible_date_is_refused(expiry):
    with pytest.raises(InvalidCode) as refused:
        parse_code("]C1" + "01" + GTIN + "17" + expiry)
    assert refused.value.reason == "bad_gs1"


@pytest.mark.parametrize("expiry", ["250400", "240229", "000229", "251231", "991130"])
def test_real_dates_and_day_00_are_accepted(expiry):
    # day 00: "the last day of the month" (GS1 General Specifications, AI 17)
    assert parse_code("]C1" + "01" + GTIN + "17" + expiry).element("17") == expiry


def test_day_00_is_only_for_the_dates_that_allow_it():
    with pytest.raises(InvalidCode):
        parse_code("]C1" + "01" + GTIN + "7006" + "250400")  # first freezing date: a real day


@pytest.mark.parametrize("element", ["07ABC", "2331234", "04" + "1" * 16, "14250101"])
def test_application_identifiers_gs1_does_not_define_are_refused(element):
    with pytest.raises(InvalidCode) as refused:
        parse_code("]C1" + "01" + GTIN + element)
    assert refused.value.reason == "unknown_ai"


def test_defined_ais_of_three_and_four_digits_read():
    parsed = parse_code("]C1" + "01" + GTIN + "235" + "TPX-1" + GS + "7003" + "2512312359")
    assert parsed.element("235") == "TPX-1" and parsed.element("7003") == "2512312359"
