"""``drivers.fiscal.tlv``: FN TLV values built and parsed (FISCAL.md 3.1; types per JPOS
``TLVTags.java``), checked against bytes written out by hand."""

from decimal import Decimal

import pytest

from drivers.fiscal import tlv
from drivers.fiscal.frames import FrameError


def test_scalar_values_are_little_endian_and_vln_is_as_short_as_it_can_be():
    assert tlv.byte(1125, 1) == bytes.fromhex("65 04 01 00 01")
    assert tlv.uint(1040, 258) == bytes.fromhex("10 04 04 00 02 01 00 00")
    assert tlv.vln(1020, 9980) == bytes.fromhex("FC 03 02 00 FC 26")
    assert tlv.vln(1215, 0) == bytes.fromhex("BF 04 01 00 00")
    with pytest.raises(ValueError):
        tlv.vln(1020, 1 << 48)  # more than 6 bytes


def test_fvln_carries_the_decimal_places_first():
    assert tlv.fvln(1023, Decimal(2)) == bytes.fromhex("FF 03 02 00 00 02")
    assert tlv.fvln(1023, Decimal("0.25")) == bytes.fromhex("FF 03 02 00 02 19")
    assert tlv.fvln(1023, Decimal("1.500")) == bytes.fromhex("FF 03 02 00 01 0F")
    (parsed,) = tlv.parse(bytes.fromhex("FF 03 03 00 03 E8 03"))  # 1000 thousandths
    assert parsed.value == Decimal(1)


def test_unixtime_and_cp866_text():
    assert tlv.date_unixtime("2026-01-05") == 1767571200  # midnight UTC
    assert tlv.unixtime(1178, 1767571200) == bytes.fromhex("9A 04 04 00 00 FF 5A 69")
    assert tlv.string(1187, "Склад") == bytes.fromhex("A3 04 05 00 91 AA AB A0 A4")
    with pytest.raises(UnicodeEncodeError):
        tlv.string(1187, "™")  # CP866 has no such character: an error, never a silent '?'


def test_an_stlv_parses_into_a_tree():
    basis = tlv.stlv(1174, [tlv.unixtime(1178, 1767571200), tlv.string(1179, "№ 12")])
    item = tlv.stlv(1059, [tlv.string(1030, "Хлеб"), tlv.vln(1079, 4990), tlv.byte(1214, 1)])
    parsed = tlv.parse(tlv.byte(1173, 1) + basis + item + tlv.tlv(9999, b"\x01\x02"))
    assert [node.tag for node in parsed] == [1173, 1174, 1059, 9999]
    assert parsed[1].first(1178) == 1767571200 and parsed[1].first(1179) == "№ 12"
    assert parsed[2].first(1030) == "Хлеб" and parsed[2].first(1079) == 4990
    assert parsed[3].value == b"\x01\x02"  # unknown tags stay raw
    assert tlv.first(parsed, 1173) == 1 and tlv.first(parsed, 1008, "none") == "none"


@pytest.mark.parametrize(
    "broken",
    [
        bytes.fromhex("F0 03 06"),
        bytes.fromhex("F0 03 06 00 61 40"),
        bytes.fromhex("FF 03 01 00 03"),
    ],
)
def test_broken_tlv_bytes_are_an_error(broken):
    with pytest.raises(FrameError):
        tlv.parse(broken)
