"""UPC-E (small imported goods): expanded to its UPC-A by the GS1 rules and looked up as that
item's EAN-13; told from an EAN-8 by the AIM symbology identifier when the scanner sends one
(``]E0`` EAN-13/UPC-A/UPC-E, ``]E4`` EAN-8), else by which check digit verifies."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner import CodeKind, InvalidCode, ProductCode, parse_code
from simulators.scanner import codes as sim_codes

UPC_E_ONLY = "04252614"  # UPC-A 042100005264; fails as an EAN-8
EAN8_AND_UPC_E = "01234565"  # EAN-8 check passes, and it is the UPC-E of 012345000065


@pytest.mark.parametrize(
    ("upc_e", "upc_a"),
    [
        ("04252614", "042100005264"),  # last digit 0-2: manufacturer ab?00, item 00cde
        ("07654325", "076200005435"),
        ("03641529", "036200004159"),
        ("01234565", "012345000065"),  # last digit 5-9: manufacturer abcde, item 0000?
    ],
)
def test_upc_e_is_looked_up_as_the_ean_13_of_its_upc_a(upc_e, upc_a):
    parsed = parse_code("]E0" + upc_e)
    assert isinstance(parsed, ProductCode) and parsed.kind is CodeKind.UPCE
    assert (parsed.code, parsed.gtin) == ("0" + upc_a, "00" + upc_a)
    assert parsed.scanned == "]E0" + upc_e


def test_upc_e_without_a_symbology_identifier_when_it_is_no_ean_8():
    parsed = parse_code(UPC_E_ONLY + "\r\n")
    assert (parsed.kind, parsed.gtin) == (CodeKind.UPCE, "00042100005264")


def test_eight_digits_valid_both_ways_follow_the_symbology_identifier():
    assert parse_code("]E0" + EAN8_AND_UPC_E).gtin == "00012345000065"
    assert parse_code("]E4" + EAN8_AND_UPC_E).gtin == "00000001234565"
    # without one, an EAN-8 stays an EAN-8 (the rule in drivers/scanner/barcodes.py)
    assert parse_code(EAN8_AND_UPC_E).kind is CodeKind.EAN8


@pytest.mark.parametrize(
    "text",
    [
        "]E4" + UPC_E_ONLY,  # the scanner says EAN-8: its check digit is wrong
        "]E0" + "04252615",  # the scanner says UPC-E: its check digit is wrong
        "]E0" + "96385074",  # number system 9: no UPC-E
        "04252615",
    ],
)
def test_wrong_check_digits_are_refused_either_way(text):
    with pytest.raises(InvalidCode) as refused:
        parse_code(text)
    assert refused.value.reason == "bad_check_digit"


@pytest.mark.parametrize("text", ["]E4" + "4006381333931", "]E0" + "10614141000415"])
def test_a_length_the_symbology_never_carries_is_refused(text):
    with pytest.raises(InvalidCode):
        parse_code(text)


def compress_to_upc_e(upc_a: str) -> str | None:
    """UPC-A -> UPC-E by the GS1 zero-suppression rules, written apart from the driver."""
    system, maker, item, check = upc_a[0], upc_a[1:6], upc_a[6:11], upc_a[11]
    if system not in "01":
        return None
    if maker[2] in "012" and maker[3:] == "00" and item[:2] == "00":
        data = maker[:2] + item[2:] + maker[2]
    elif maker[3:] == "00" and item[:3] == "000":
        data = maker[:3] + item[3:] + "3"
    elif maker[4] == "0" and item[:4] == "0000":
        data = maker[:4] + item[4] + "4"
    elif item[:4] == "0000" and item[4] in "56789":
        data = maker + item[4]
    else:
        return None
    return system + data + check


@st.composite
def compressible_upc_as(draw) -> str:
    """A UPC-A with a valid check digit in one of the four shapes that have a UPC-E form."""

    def digit(choices: str = "0123456789") -> str:
        return draw(st.sampled_from(choices))

    shape = draw(st.integers(0, 3))
    if shape == 0:  # manufacturer ab[012]00, item 00cde
        body = digit() + digit() + digit("012") + "0000" + digit() + digit() + digit()
    elif shape == 1:  # manufacturer ab[3-9]00, item 000de
        body = digit() + digit() + digit("3456789") + "00000" + digit() + digit()
    elif shape == 2:  # manufacturer abc[1-9]0, item 0000e
        body = digit() + digit() + digit() + digit("123456789") + "00000" + digit()
    else:  # manufacturer abcd[1-9], item 0000[5-9]
        body = "".join(digit() for _ in range(4)) + digit("123456789") + "0000" + digit("56789")
    return sim_codes.gtin(digit("01") + body)


@given(compressible_upc_as())
def test_every_upc_e_expands_to_the_upc_a_it_was_made_from(upc_a):
    upc_e = compress_to_upc_e(upc_a)
    assert upc_e is not None
    parsed = parse_code("]E0" + upc_e)
    assert (parsed.kind, parsed.gtin) == (CodeKind.UPCE, "00" + upc_a)


@given(st.text("0123456789", min_size=8, max_size=8))
def test_eight_digits_are_an_ean_8_a_upc_e_or_refused(digits):
    try:
        parsed = parse_code(digits)
    except InvalidCode as refused:
        assert refused.reason == "bad_check_digit"
        return
    if parsed.kind is CodeKind.EAN8:
        assert digits[-1] == sim_codes.check_digit(digits[:-1])
    else:
        assert parsed.kind is CodeKind.UPCE
        assert compress_to_upc_e(parsed.gtin[2:]) == digits
