"""Frames, LRC, field encodings and TLVs against the worked examples in FISCAL.md 1.2."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.fiscal import frames
from drivers.fiscal.frames import (
    BadAnswer,
    BadLength,
    BadLrc,
    FrameError,
    decode_frame,
    encode_frame,
    split_answer,
)

PASSWORD_30 = bytes.fromhex("1E 00 00 00")

# FISCAL.md 1.2 "Worked examples", verbatim.
WORKED_EXAMPLES = [
    (0x10, PASSWORD_30, "02 05 10 1E 00 00 00 0B"),
    (0x88, PASSWORD_30, "02 05 88 1E 00 00 00 93"),
    (0xB0, PASSWORD_30, "02 05 B0 1E 00 00 00 AB"),
    (0xFF01, PASSWORD_30, "02 06 FF 01 1E 00 00 00 E6"),
]
TLV_1008_FRAME = "02 10 FF 0C 1E 00 00 00 F0 03 06 00 61 40 62 2E 72 75 62"


@pytest.mark.parametrize(("command", "data", "expected"), WORKED_EXAMPLES)
def test_worked_examples_encode_byte_for_byte(command, data, expected):
    assert encode_frame(command, data) == bytes.fromhex(expected)


@pytest.mark.parametrize(("command", "data", "expected"), WORKED_EXAMPLES)
def test_worked_examples_decode_to_their_body(command, data, expected):
    assert decode_frame(bytes.fromhex(expected)) == frames.command_bytes(command) + data


def test_buyer_email_tlv_frame_matches_the_worked_example():
    tlv = frames.tlv_text(1008, "a@b.ru")
    assert tlv == bytes.fromhex("F0 03 06 00 61 40 62 2E 72 75")
    assert encode_frame(0xFF0C, PASSWORD_30 + tlv) == bytes.fromhex(TLV_1008_FRAME)


def test_lrc_is_xor_of_length_through_data():
    assert frames.lrc(bytes.fromhex("05 10 1E 00 00 00")) == 0x0B
    assert frames.lrc(b"") == 0


def test_bad_lrc_is_rejected():
    frame = bytearray(bytes.fromhex("02 05 10 1E 00 00 00 0B"))
    frame[-1] ^= 1
    with pytest.raises(BadLrc):
        decode_frame(bytes(frame))


@pytest.mark.parametrize(
    "raw",
    ["02 06 10 1E 00 00 00 0B", "02 04 10 1E 00 00 00 0B", "02 00 00", "02 05"],
)
def test_length_byte_that_disagrees_with_the_frame_is_rejected(raw):
    with pytest.raises(BadLength if len(bytes.fromhex(raw)) >= 3 else FrameError):
        decode_frame(bytes.fromhex(raw))


def test_frame_without_stx_is_rejected():
    with pytest.raises(FrameError):
        decode_frame(bytes.fromhex("03 05 10 1E 00 00 00 0B"))


def test_body_longer_than_255_bytes_is_refused():
    with pytest.raises(BadLength):
        encode_frame(0xFF0C, bytes(254))


def test_two_byte_commands_go_big_endian():
    assert frames.command_bytes(0xFF46) == b"\xff\x46"
    assert frames.command_bytes(0x10) == b"\x10"
    with pytest.raises(ValueError):
        frames.command_bytes(0x1234)


def test_split_answer_reads_error_and_data():
    answer = split_answer(bytes.fromhex("FF 45 00 01 02"), 0xFF45)
    assert (answer.command, answer.error_code, answer.data) == (0xFF45, 0, b"\x01\x02")
    assert split_answer(bytes.fromhex("10 4F"), 0x10).error_code == 0x4F


def test_split_answer_accepts_the_ff_err_firmware_quirk():
    assert split_answer(bytes.fromhex("FF 37"), 0xFF61).error_code == 0x37


def test_split_answer_to_another_command_is_an_error():
    with pytest.raises(BadAnswer):
        split_answer(bytes.fromhex("11 00"), 0x10)


def test_money_is_five_bytes_little_endian_kopecks():
    assert frames.money(12345) == bytes.fromhex("39 30 00 00 00")
    assert frames.money(0) == bytes(5)
    with pytest.raises(ValueError):
        frames.money(-1)
    with pytest.raises(ValueError):
        frames.money(1 << 40)


def test_ff46_quantity_is_six_bytes_of_millionths():
    assert frames.quantity_v2(1_000_000) == bytes.fromhex("40 42 0F 00 00 00")
    assert frames.thousandths_to_v2(1000) == 1_000_000  # one piece
    assert frames.quantity_v2(frames.thousandths_to_v2(250)) == (250_000).to_bytes(6, "little")
    with pytest.raises(ValueError):
        frames.quantity_v2(0)


def test_command_text_is_cp1251_and_tlv_text_is_cp866():
    assert frames.command_text("Хлеб", 128) == "Хлеб".encode("cp1251")
    assert frames.command_text("Хлеб", 2) == "Хл".encode("cp1251")
    assert frames.command_text("A", 40, pad_to=4) == b"A\x00\x00\x00"
    assert frames.tlv_text(1021, "Иванов")[4:] == "Иванов".encode("cp866")
    assert frames.decode_command_text("Хлеб".encode("cp1251") + b"\x00junk") == "Хлеб"


def test_tlv_layout_and_nesting():
    assert frames.tlv_uint(2108, 11, 1) == bytes.fromhex("3C 08 01 00 0B")
    nested = frames.stlv(1059, [frames.tlv_uint(1212, 1, 1), frames.tlv_uint(1214, 4, 1)])
    assert nested[:4] == bytes.fromhex("23 04 0A 00")
    assert frames.parse_tlvs(nested[4:]) == [(1212, b"\x01"), (1214, b"\x04")]


def test_truncated_tlv_is_an_error():
    with pytest.raises(FrameError):
        frames.parse_tlvs(bytes.fromhex("F0 03 06 00 61"))


def test_fn_datetime_is_yy_mm_dd_hh_mm():
    assert frames.read_fn_datetime(bytes([26, 1, 15, 9, 5]), 0) == "2026-01-15T09:05"


commands = st.one_of(st.integers(0, 0xFE), st.integers(0xFF00, 0xFFFF))


@given(commands, st.binary(max_size=253))
def test_encode_then_decode_round_trips(command, data):
    body = frames.command_bytes(command) + data
    if len(body) > 255:
        return
    assert decode_frame(encode_frame(command, data)) == body


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_decoder(raw):
    with contextlib.suppress(FrameError):
        decode_frame(raw)


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_tlv_parser(raw):
    with contextlib.suppress(FrameError):
        frames.parse_tlvs(raw)


@given(st.integers(0, 0xFFFF), st.binary(max_size=200))
def test_tlv_round_trips(tag, value):
    assert frames.parse_tlvs(frames.tlv(tag, value)) == [(tag, value)]
