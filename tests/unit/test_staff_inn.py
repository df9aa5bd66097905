"""A cashier's INN (12 digits, tag 1203 on every receipt) is checked with its two check digits,
the FNS way, so a mistyped one is refused where it is typed, not found on a receipt later."""

import pytest

from gateway.domain.errors import InvalidInput
from gateway.domain.staff import check_inn


@pytest.mark.parametrize("inn", ["500100732259", "773400211252", "263403245813"])
def test_a_real_inn_is_accepted(inn):

    assert check_inn(f" {inn} ") == inn


@pytest.mark.parametrize("inn", ["123456789012", "500100732258", "500100732249", "000000000001"])
def test_wrong_check_digits_are_refused_in_russian(inn):

    with pytest.raises(InvalidInput) as refused:
        check_inn(inn)
    assert refused.value.reason == "bad_inn"
    assert "контрольные цифры" in refused.value.detail


def test_a_wrong_length_says_twelve_digits():
    with pytest.raises(InvalidInput) as refused:
        check_inn("12345")
    assert "12 цифр" in refused.value.detail
