"""The barcode parser (drivers/scanner) against FISCAL.md 4: GS1 check digits, EAN/UPC/GTIN,
GS1 element strings, Честный ЗНАК marking codes, and the two ways a scan gets damaged (a
Russian keyboard layout, lost GS separators). Codes are built with the scanner simulator's own
builder and mangler, written apart from the driver, so one side's bug shows up on the other."""

import contextlib

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from drivers.scanner import (
    BarcodeError,
    CodeKind,
    Gs1Code,
    InvalidCode,
    MangledInput,
    MarkingCode,
    ProductCode,
    TextCode,
    builders,
    decode_scan_bytes,
    gs1_check_digit,
    parse_code,
)
from drivers.scanner.layout import restore_latin_layout
from simulators.scanner import codes as sim_codes
from simulators.scanner import mangling

GS = "\x1d"
CHARSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CRYPTO_44 = "MDEwNDYwNzQyODY3OTA5MDIxNmRFSWJmTT1BQk+/E0Q="  # base64-like, FISCAL.md 4.1
SHOE = sim_codes.marking_code("04600439931256", "5Lh2Ow&Z3wHCM", key="EE06", crypto=CRYPTO_44)
WATER = sim_codes.marking_code(sim_codes.gtin("0460706862001"), "5JhYk(rOaB;<2", short="dGVz")
MILK = sim_codes.marking_code("04600605032428", "Jg1234", short="AbC+", weight_grams=350)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(digits)
serials = st.sampled_from([6, 7, 8, 13]).flatmap(
    lambda n: st.text(CHARSET_82, min_size=n, max_size=n)
)
fields_4 = st.text(CHARSET_82, min_size=4, max_size=4)
cryptos = st.sampled_from([44, 88]).flatmap(lambda n: st.text(CHARSET_82, min_size=n, max_size=n))


@st.composite
def marking_codes(draw) -> tuple[str, dict]:
    """A well-formed code from the simulator's builder, and the parts that went into it."""
    parts = {"gtin": sim_codes.gtin("0" + draw(digits(12))), "serial": draw(serials)}
    if draw(st.booleans()):
        parts |= {"key_id": draw(fields_4), "crypto": draw(cryptos), "short_crypto": None}
    else:
        parts |= {"key_id": None, "crypto": None, "short_crypto": draw(fields_4)}
    weight = draw(st.none() | st.integers(1, 999_999))
    code = sim_codes.marking_code(
        parts["gtin"],
        parts["serial"],
        key=parts["key_id"],
        crypto=parts["crypto"],
        short=parts["short_crypto"],
        weight_grams=weight,
    )
    return code, parts | {"weight": weight}


# --- check digits ---------------------------------------------------------------------------
def test_check_digit_matches_the_worked_example():
    assert gs1_check_digit("629104150021") == 3  # FISCAL.md 4.3: 629104150021 -> 3


@given(gtin_bodies)
def test_driver_and_simulator_check_digits_agree(body):
    assert str(gs1_check_digit(body)) == sim_codes.check_digit(body)


@pytest.mark.parametrize(
    ("code", "kind", "gtin"),
    [
        ("6291041500213", CodeKind.EAN13, "06291041500213"),
        ("4006381333931", CodeKind.EAN13, "04006381333931"),
        ("036000291452", CodeKind.UPCA, "00036000291452"),
        ("0036000291452", CodeKind.EAN13, "00036000291452"),  # UPC-A with its leading 0
        ("96385074", CodeKind.EAN8, "00000096385074"),
        ("10614141000415", CodeKind.GTIN14, "10614141000415"),
    ],
)
def test_known_retail_codes(code, kind, gtin):
    parsed = parse_code(code + "\r\n")
    assert isinstance(parsed, ProductCode)
    assert (parsed.kind, parsed.code, parsed.gtin) == (kind, code, gtin)


def test_pack_gtin_14_names_its_packaging_level_and_in_store_ean_its_prefix():
    assert parse_code("10614141000415").indicator == 1  # a case of the 0614141000418 unit
    assert parse_code(sim_codes.gtin("200000012345")).in_store
    assert not parse_code("4006381333931").in_store


@given(gtin_bodies)
def test_valid_gtins_round_trip(body):
    code = sim_codes.gtin(body)
    parsed = parse_code(code)
    assert parsed.code == code and parsed.gtin == code.zfill(14)
    assert parsed.kind == {8: "ean8", 12: "upca", 13: "ean13", 14: "gtin14"}[len(code)]


@given(gtin_bodies, st.data())
def test_any_single_wrong_digit_is_refused(body, data):
    code = sim_codes.gtin(body)
    at = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[at]]))
    ean8 = "]E4" if len(code) == 8 else ""  # without it eight digits may be a UPC-E instead
    with pytest.raises(InvalidCode) as refused:
        parse_code(ean8 + code[:at] + wrong + code[at + 1 :])
    assert refused.value.reason == "bad_check_digit"


def test_ean_symbology_identifier_forces_a_check_digit():
    assert parse_code("]E04006381333931").symbology == "]E0"
    with pytest.raises(InvalidCode, match="check digit"):
        parse_code("]E04006381333932")


# --- anything at all --------------------------------------------------------------------------
def assert_sound(parsed) -> None:
    """Whatever came out names a GTIN only with a valid check digit (simulator's arithmetic)."""
    if parsed.gtin is not None:
        assert len(parsed.gtin) == 14 and parsed.gtin.isdigit()
        assert parsed.gtin[-1] == sim_codes.check_digit(parsed.gtin[:-1])
    if isinstance(parsed, ProductCode):
        assert parsed.code.isdigit() and parsed.gtin == parsed.code.zfill(14)
    assert GS not in parsed.code or isinstance(parsed, Gs1Code)


@settings(max_examples=400)
@given(
    st.text()
    | st.text("0123456789", min_size=6, max_size=16)
    | st.text("0123456789\x1d]dCEQ23419" + LETTERS[:6], max_size=60)
    | st.builds(lambda body, tail: "01" + body + tail, digits(14), st.text(CHARSET_82 + GS))
)
@example("01046004399312562")
@example("]d2")
@example("\x1d\x1d")
@example("0104600439931256" + "21" + "x" * 30)
def test_any_text_parses_soundly_or_raises_a_barcode_error(text):
    try:
        parsed = parse_code(text)
    except BarcodeError as error:
        assert error.reason and error.message_ru and error.message_en
        return
    assert_sound(parsed)


@settings(max_examples=300)
@given(st.binary(max_size=120))
def test_any_bytes_from_the_wire_never_crash_the_parser(raw):
    with contextlib.suppress(BarcodeError):
        assert_sound(parse_code(decode_scan_bytes(raw)))


def test_refusals_name_their_reason_in_russian_and_english():
    with pytest.raises(InvalidCode) as refused:
        parse_code("4006381333932")
    message = str(refused.value)
    assert "контрольная цифра" in message and "check digit" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" \r\n", "empty"),
        ("]d2\r", "empty"),  # a symbology identifier and nothing after it
        ("abc\x07def", "control_chars"),
        ("caf\xe9", "non_ascii"),
        ("\u0457\u0454", "non_ascii"),  # Ukrainian letters: no Russian key types them
        ("x" * 600, "too_long"),
        ("]d2\x1d99", "bad_gs1"),  # an AI with no data
        ("]d2" + "2712345", "unknown_ai"),
        ("]d20104600439931257", "bad_check_digit"),
    ],
)
def test_refused_input(text, reason):
    with pytest.raises(InvalidCode) as refused:
        parse_code(text)
    assert refused.value.reason == reason


def test_free_text_is_accepted_as_it_is():
    parsed = parse_code("SKU-000123/a\t")
    assert isinstance(parsed, TextCode)
    assert (parsed.kind, parsed.code, parsed.gtin) == (CodeKind.CODE128, "SKU-000123/a", None)


# --- GS1 element strings ------------------------------------------------------------------------
def test_gs1_128_with_expiry_and_batch():
    parsed = parse_code("]C1011234567890123117251231" + "10ABC-1")
    assert isinstance(parsed, Gs1Code) and parsed.kind is CodeKind.GS1
    assert parsed.elements == (("01", "12345678901231"), ("17", "251231"), ("10", "ABC-1"))
    assert parsed.gtin == "12345678901231" and parsed.element("10") == "ABC-1"


def test_variable_field_ends_at_gs_and_data_may_hold_ai_digits():
    parsed = parse_code("]Q3" + "10" + "9192" + GS + "0112345678901231")
    assert parsed.elements == (("10", "9192"), ("01", "12345678901231"))


# --- Честный ЗНАК marking codes --------------------------------------------------------------
def test_shoe_code_with_key_and_crypto():
    parsed = parse_code("]d2" + SHOE)
    assert isinstance(parsed, MarkingCode) and parsed.kind is CodeKind.MARKING
    assert (parsed.gtin, parsed.serial) == ("04600439931256", "5Lh2Ow&Z3wHCM")
    assert (parsed.key_id, parsed.crypto, parsed.short_crypto) == ("EE06", CRYPTO_44, None)
    assert parsed.code == SHOE and parsed.code.count(GS) == 2  # GS kept, ]d2 stripped
    assert parsed.identity == "010460043993125621" + "5Lh2Ow&Z3wHCM"
    assert parsed.symbology == "]d2" and parsed.has_crypto


def test_water_and_weighed_dairy_codes():
    water = parse_code(WATER)
    assert (water.serial, water.short_crypto, water.crypto) == ("5JhYk(rOaB;<2", "dGVz", None)
    milk = parse_code(MILK)
    assert (milk.serial, milk.short_crypto, milk.element("3103")) == ("Jg1234", "AbC+", "000350")
    assert milk.net_weight_grams == 350


@pytest.mark.parametrize("prefix", ["", "]d2", GS, "\xe8", "]d2" + GS])
@settings(max_examples=60)
@given(marking_codes())
def test_marking_codes_round_trip(prefix, built):
    code, parts = built
    parsed = parse_code(prefix + code + "\r")
    assert isinstance(parsed, MarkingCode)
    assert (parsed.gtin, parsed.serial) == (parts["gtin"], parts["serial"])
    assert (parsed.key_id, parsed.crypto) == (parts["key_id"], parts["crypto"])
    assert parsed.short_crypto == parts["short_crypto"]
    assert parsed.code == code  # what goes to the register: GS kept, nothing else
    if parts["weight"] is not None:
        assert parsed.net_weight_grams == parts["weight"]


def test_tobacco_pack_code_without_ais():
    code = builders.tobacco_pack_code("04600266011725", "-5Cv'ER", "AAAA", "Mx=0")
    parsed = parse_code(code)
    assert parsed.kind is CodeKind.TOBACCO_PACK
    assert (parsed.gtin, parsed.serial, parsed.max_retail_price) == (
        "04600266011725",
        "-5Cv'ER",
        "AAAA",
    )
    assert parsed.short_crypto == "Mx=0" and parsed.identity == code[:21]


def test_identification_code_without_crypto_is_a_marking_code_without_crypto():
    parsed = parse_code("0104600439931256215Lh2Ow&Z3wHCM")
    assert isinstance(parsed, MarkingCode) and not parsed.has_crypto


@pytest.mark.parametrize(
    "broken",
    [
        SHOE.replace(GS + "92" + CRYPTO_44, ""),  # 91 without 92
        SHOE.replace("EE06", "EE0"),  # key 3 characters
        SHOE.replace(CRYPTO_44, CRYPTO_44[:40]),  # crypto 40 characters
        WATER.replace("dGVz", "dGV"),
    ],
)
def test_malformed_marking_codes_are_refused(broken):
    with pytest.raises(InvalidCode) as refused:
        parse_code(broken)
    assert refused.value.reason == "bad_marking"


# --- damage on the way: lost GS ---------------------------------------------------------------
@settings(max_examples=100)
@given(marking_codes())
def test_a_marking_code_without_its_gs_is_reported_never_misread(built):
    code, _ = built
    with pytest.raises(MangledInput) as refused:
        parse_code(mangling.drop_gs(code))
    assert refused.value.reason == "missing_gs"
    assert "GS" in str(refused.value) and "разделитель" in str(refused.value)


@pytest.mark.parametrize(
    "damaged",
    [
        SHOE.replace(GS, "", 1),  # GS before 91 lost: 91 glued to the serial
        SHOE[::-1].replace(GS, "", 1)[::-1],  # GS before 92 lost: 92 glued to 91
        MILK.replace(GS + "3103", "3103"),  # GS after 93 lost
        "]d2" + mangling.drop_gs(WATER),
    ],
)
def test_one_lost_gs_is_enough_to_refuse(damaged):
    with pytest.raises(MangledInput) as refused:
        parse_code(damaged)
    assert refused.value.reason == "missing_gs"


# --- damage on the way: Russian keyboard layout ------------------------------------------------
def test_russian_layout_is_reported_with_the_code_it_meant():
    typed = mangling.russian_layout(SHOE)
    assert "5Др2Щц?Я3цРСЬ" in typed  # the serial '5Lh2Ow&Z3wHCM' on the same keys
    with pytest.raises(MangledInput) as refused:
        parse_code(typed)
    assert refused.value.reason == "keyboard_layout"
    assert refused.value.restored == SHOE
    assert "раскладк" in str(refused.value) and "layout" in str(refused.value)


@given(marking_codes())
def test_russian_layout_never_passes_as_a_code(built):
    code, _ = built
    typed = mangling.russian_layout(code)
    assume(any("\u0400" <= ch <= "\u04ff" for ch in typed))  # digits-only tails look alike
    with pytest.raises(MangledInput) as refused:
        parse_code(typed)
    assert refused.value.reason == "keyboard_layout" and refused.value.restored == code


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_driver_restores_what_the_simulator_mangles(text):
    """The two layout tables were written apart: they must be exact inverses."""
    assert restore_latin_layout(mangling.russian_layout(text)) == text


def test_code128_letters_through_russian_layout():
    with pytest.raises(MangledInput, match="раскладк"):
        parse_code(mangling.russian_layout("ART-77/b"))


# --- bytes from the wire --------------------------------------------------------------------------
def test_decode_keeps_gs_and_fnc1_and_reads_cp1251_cyrillic():
    assert decode_scan_bytes(b"01\x1d93") == "01\x1d93"
    assert decode_scan_bytes(b"\xe80104600439931256") == "\xe80104600439931256"
    assert decode_scan_bytes("фыв".encode("cp1251")) == "фыв"
    assert decode_scan_bytes("фыв".encode()) == "фыв"
    fnc1_first = parse_code(decode_scan_bytes(b"\xe8" + MILK.encode()))
    assert isinstance(fnc1_first, MarkingCode) and fnc1_first.code == MILK
