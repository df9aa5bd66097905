"""Error codes (FISCAL.md 1.8) map to exceptions grouped by what the caller can do."""

import pytest

from drivers.fiscal import errors
from drivers.fiscal.errors import (
    FatalDeviceError,
    RequestRejected,
    RetryableError,
    StaffActionRequired,
    error_for_code,
)


@pytest.mark.parametrize(
    ("code", "cls", "group"),
    [
        (0x6B, errors.PaperOut, StaffActionRequired),
        (0x4E, errors.ShiftExpired, StaffActionRequired),
        (0x16, errors.FnShiftExpired, StaffActionRequired),
        (0x4F, errors.WrongPassword, RequestRejected),
        (0x4A, errors.ReceiptOpen, StaffActionRequired),
        (0x58, errors.ContinuePrintRequired, StaffActionRequired),
        (0x50, errors.PreviousCommandPrinting, RetryableError),
        (0x37, errors.CommandNotSupported, RequestRejected),
        (0x03, errors.FnFailure, FatalDeviceError),
    ],
)
def test_named_codes(code, cls, group):
    error = error_for_code(code, command=0xFF46)
    assert type(error) is cls and isinstance(error, group)
    assert error.code == code and error.command == 0xFF46


def test_messages_are_russian_and_english():
    text = str(error_for_code(0x6B, 0xFF46))
    assert "Нет чековой ленты" in text and "Out of receipt paper" in text and "0x6b" in text


def test_both_shift_expired_codes_are_caught_together():
    assert isinstance(error_for_code(0x16), errors.ShiftExpired)


@pytest.mark.parametrize("code", sorted(errors.ERROR_CLASSES))
def test_every_table_code_has_a_group_and_texts(code):
    error = error_for_code(code)
    assert isinstance(
        error, RetryableError | StaffActionRequired | RequestRejected | FatalDeviceError
    )
    assert error.message_ru and error.message_en and error.code == code


def test_unknown_code_is_fatal_not_ignored():
    error = error_for_code(0xEE)
    assert isinstance(error, FatalDeviceError) and error.code == 0xEE


def test_answer_lost_is_not_retryable():
    assert not isinstance(errors.AnswerLost(), RetryableError)
    assert isinstance(errors.LinkDown(), RetryableError)
