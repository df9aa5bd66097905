"""Marked goods (FFD 1.2): FF61h check a code, FF69h accept/reject it, FF67h bind it to the item.

The online answer is configurable per simulator (`marking_result`, tag 2106; 0x0F = "[М+]").
Layouts per FISCAL.md 1.7 "Marking commands"; the byte order of FF61h's optional tail is the
simulator's reading of the notes (see the package README in __init__).
"""

from dataclasses import dataclass

from . import errors
from .codec import Fields, decode_text
from .errors import CommandError

GS = "\x1d"
MAX_CODES_PER_RECEIPT = 128
SYSADMIN = (30,)


@dataclass
class MarkingCheck:
    code: str
    local_status: int
    result_2106: int
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


def run_check(reg, code: str) -> MarkingCheck:
    if reg.receipt is not None and len(codes_in_receipt(reg)) >= MAX_CODES_PER_RECEIPT:
        raise CommandError(errors.MARKING_TABLE_FULL, "128 codes in this receipt")
    local = 0x03 if has_crypto_tail(code) else 0x00
    return MarkingCheck(code, local, reg.marking_result)


def codes_in_receipt(reg) -> list[str]:
    return [i["marking_code"] for i in reg.receipt.items if i["marking_code"]]


def check_code(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    fields.uint(1)  # planned status, tag 2003
    fields.uint(1)  # processing mode, tag 2102
    code_length, tlv_length = fields.uint(1), fields.uint(1)
    code = decode_text(fields.take(code_length), "latin-1")
    fields.take(tlv_length)
    reg.marking = run_check(reg, code)
    reason = 0 if reg.marking.local_status else 3
    check = reg.marking
    return bytes([check.local_status, reason, code_type(code), 2, 0x00, check.result_2106])


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
        check = run_check(reg, code)  # not checked before: the register checks it implicitly
    elif not check.accepted:
        raise CommandError(errors.MARKING_SEQUENCE, "code was not accepted with FF69h")
    reg.receipt.items[-1]["marking_code"] = code
    reg.marking = None
    product = code[2:4].encode("latin-1") if len(code) >= 4 else b"\0\0"
    return product + bytes([{2: 0, 4: 3}.get(code_type(code), 0xFF), check.result_2106])


HANDLERS = {0xFF61: check_code, 0xFF69: accept_code, 0xFF67: bind_code}
