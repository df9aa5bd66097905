"""Marked goods (FFD 1.2): FF61h check a code, FF69h accept/reject it, FF67h bind it to the item.

What Честный ЗНАК answers is set per code (or for every code) with `set_answer`:

- "valid": in circulation, signature right: tag 2106 = 0x0F ("[М+]": b0 checked, b1 signature
  ok, b2 status obtained, b3 status right for the planned operation).
- "sold": sold already: the status was obtained but is wrong for a sale, 2106 = 0x07. For a
  return (planned status 3/4) a sold unit is exactly what comes back: 0x0F.
- "refused": the crypto check failed (a forged or damaged code, not in circulation): 2106 = 0x05
  (checked, signature NOT ok, status obtained and not right); the FN's own check of a 91/92 tail
  (tag 2004) says "checked, negative" (0x01) too.
- "no_answer": the server did not answer in time: FN answer code 0xFF, and 2106 has b4 (offline)
  with what the FN could check alone (b0 + b1 when the code has a 91/92 crypto tail).

FF61h answer: 2004 local status | reason not checked | 2100 code type | extra length | FN answer
code | 2106 (FISCAL.md 1.7). A code bound with FF67h keeps its 2106 in the archived item
(`item["2106"]`); the receipt gets 2107 = 0 when every bound code was positive, else 1
(`receipt["tlv"]["2107"]`). A code refused with FF69h cannot be bound (A1h).
"""

from dataclasses import dataclass

from . import errors
from .codec import Fields, decode_text
from .errors import CommandError

GS = "\x1d"
MAX_CODES_PER_RECEIPT = 128
SYSADMIN = (30,)
POSITIVE = 0x0F  # [М+]
OFFLINE_BIT = 0x10
ANSWERED, NO_ANSWER = 0x00, 0xFF  # FN answer code to the online check
RETURN_STATUSES = (3, 4)  # tag 2003: piece returned, part of a measured item returned
# answer -> (2106 for a sale, 2106 for a return); "no_answer" is computed from the local check.
RESULTS = {"valid": (0x0F, 0x0F), "sold": (0x07, 0x0F), "refused": (0x05, 0x05)}
ANSWERS = (*RESULTS, "no_answer")


@dataclass
class MarkingCheck:
    code: str
    local_status: int
    result_2106: int
    answer_code: int = ANSWERED
    decided: bool = False
    accepted: bool = False


def has_crypto_tail(code: str) -> bool:
    parts = code.split(GS)
    return any(p.startswith("91") for p in parts[1:]) and any(p.startswith("92") for p in parts[1:])


def code_type(code: str) -> int:
    """Tag 2100: 2 = 88-char crypto tail, 4 = 44-char, 5 = 4-char (93), 0 = unrecognised."""
    for part in code.split(GS)[1:]:
        if part.startswith("92"):
            return 2 if len(part) - 2 >= 88 else 4
        if part.startswith("93"):
            return 5
    return 0


def answer_for(reg, code: str) -> str:
    answers = getattr(reg, "marking_answers", {})
    return answers.get(code) or answers.get(None) or "valid"


def run_check(reg, code: str, planned_status: int) -> MarkingCheck:
    if reg.receipt is not None and len(codes_in_receipt(reg)) >= MAX_CODES_PER_RECEIPT:
        raise CommandError(errors.MARKING_TABLE_FULL, "128 codes in this receipt")
    answer = answer_for(reg, code)
    checkable = has_crypto_tail(code)
    local = (0x01 if answer == "refused" else 0x03) if checkable else 0x00
    if answer == "no_answer":
        return MarkingCheck(code, local, OFFLINE_BIT | local, NO_ANSWER)
    sale, back = RESULTS[answer]
    return MarkingCheck(code, local, back if planned_status in RETURN_STATUSES else sale)


def codes_in_receipt(reg) -> list[str]:
    return [i["marking_code"] for i in reg.receipt.items if i["marking_code"]]


def check_code(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    planned = fields.uint(1)  # tag 2003
    fields.uint(1)  # processing mode, tag 2102
    code_length, tlv_length = fields.uint(1), fields.uint(1)
    code = decode_text(fields.take(code_length), "latin-1")
    fields.take(tlv_length)
    check = reg.marking = run_check(reg, code, planned)
    kind = code_type(code)
    reason = 0 if check.local_status else (1 if kind == 5 else 3)  # 1: type not checkable
    extra = bytes([check.answer_code, check.result_2106])
    return bytes([check.local_status, reason, kind, len(extra)]) + extra


def accept_code(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    decision = fields.uint(1)
    if reg.marking is None or reg.marking.decided:
        raise CommandError(errors.MARKING_SEQUENCE, "FF69h without a fresh FF61h")
    reg.marking.decided = True
    reg.marking.accepted = decision == 1
    return bytes([reg.marking.result_2106])


def bind_code(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    code = decode_text(fields.take(fields.uint(1)), "latin-1")
    fields.rest()  # optional 0xFF volumetric-varietal flag
    if reg.receipt is None or not reg.receipt.items:
        raise CommandError(errors.MARKING_SEQUENCE, "no item to bind the code to")
    check = reg.marking
    if check is None or check.code != code:
        # Not checked before: the register checks it implicitly and binds whatever the answer
        # (then only cancelling the receipt refuses it).
        check = run_check(reg, code, 3 if reg.receipt.kind == 2 else 1)
    elif not check.accepted:
        raise CommandError(errors.MARKING_SEQUENCE, "code was not accepted with FF69h")
    item = reg.receipt.items[-1]
    item["marking_code"] = code
    item["2106"] = check.result_2106
    results = [i["2106"] for i in reg.receipt.items if i.get("2106") is not None]
    reg.receipt.tlv["2107"] = int(any(result != POSITIVE for result in results))
    reg.marking = None
    product = code[2:4].encode("latin-1") if len(code) >= 4 else b"\0\0"
    return product + bytes([{2: 0, 4: 3}.get(code_type(code), 0xFF), check.result_2106])


def set_answer(reg, answer: str, code: str | None) -> None:
    """How Честный ЗНАК answers the check of `code` from now on (every code when None)."""
    if answer not in ANSWERS:
        raise ValueError(f"marking answer {answer!r}: one of {', '.join(ANSWERS)}")
    if not hasattr(reg, "marking_answers"):
        reg.marking_answers = {}  # what Честный ЗНАК knows: survives the register's power cycles
    reg.marking_answers[code] = answer


HANDLERS = {0xFF61: check_code, 0xFF69: accept_code, 0xFF67: bind_code}
