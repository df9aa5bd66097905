"""The marking check's verdicts in the staff's words (gateway/domain/marking.py): which reasons
let a code be sold, the offline rule, returns, and "English / Russian" details whose halves a
page can tell apart (the English half has no Cyrillic)."""

import re

import pytest

from gateway.domain import marking
from gateway.domain.marking import MarkingVerdict, not_checked, refusal

CODE = "0104601234567893215shoe0001\x1d91EE06\x1d92" + "A" * 44
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@pytest.mark.parametrize(
    ("reason", "allowed", "offline"),
    [
        (marking.OK, True, False),
        (marking.SOLD, False, False),
        (marking.REFUSED, False, False),
        (marking.OFFLINE, True, True),
        (marking.NOT_CHECKED, True, True),
    ],
)
def test_which_reasons_let_a_code_be_sold(reason, allowed, offline):
    verdict = MarkingVerdict(CODE, reason, 0x0F)
    assert (verdict.allowed, verdict.offline) == (allowed, offline)
    english, russian = verdict.detail.split(" / ")
    assert not CYRILLIC.search(english) and CYRILLIC.search(russian)
    assert verdict.as_dict()["reason"] == reason


def test_a_return_is_never_stopped_but_says_what_the_check_found():
    verdict = MarkingVerdict(CODE, marking.SOLD, 0x07, refund=True)
    assert verdict.allowed
    assert "возврат проверка не останавливает" in verdict.detail


def test_no_answer_from_the_register_is_the_offline_rule():
    verdict = not_checked(CODE, "the register is offline")
    assert verdict.as_dict() == {
        "code": CODE,
        "allowed": True,
        "result": None,
        "offline": True,
        "reason": "not_checked",
        "detail": "the register did not answer in time: sold by the offline rule"
        " / ККТ не ответила вовремя — продажа по автономному режиму",
    }


def test_a_refusal_names_each_code_by_its_gtin_and_serial():
    other = "0104601234567893215shoe0002\x1d93dGVz"
    text = refusal([MarkingVerdict(CODE, marking.SOLD), MarkingVerdict(other, marking.REFUSED)])
    english, russian = text.split(" / ")
    assert "0104601234567893215shoe0001: the code was sold already" in english
    assert "Код маркировки 0104601234567893215shoe0002: Код не прошёл проверку" in russian
    assert "\x1d" not in text and not CYRILLIC.search(english)
