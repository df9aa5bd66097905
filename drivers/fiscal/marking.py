"""The marking check (разрешительный режим, FISCAL.md 3.2): FF61h asks the register to check a
code -- the FN checks the crypto tail itself (tag 2004) and asks Честный ЗНАК through the OFD
(tag 2106) --, and FF69h accepts or refuses it: it must follow every check.

A pre-check (the sale screen's, before anything is sold) always refuses with FF69h, so the code
is not left accepted. Inside a receipt a code is accepted when `verdict` allows selling it: a
positive answer, or no answer in time (the offline rule); otherwise it is refused and
`MarkingCodeRefused` raised -- `ShtrihM._fiscalise` then cancels the receipt. A return is never
stopped by the check (the goods came back); its result still goes into the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from drivers.fiscal import commands
from drivers.fiscal import receipt as rc
from drivers.fiscal.commands import PLANNED_STATUS, SALE_RETURN
from drivers.fiscal.errors import MarkingCodeRefused, RequestRejected
from drivers.fiscal.register import MarkingCheck

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

# Tag 2106 bits (FISCAL.md 3.1).
CHECKED = 0x01
SIGNATURE_OK = 0x02
STATUS_OBTAINED = 0x04
STATUS_OK = 0x08
OFFLINE = 0x10
POSITIVE = CHECKED | SIGNATURE_OK | STATUS_OBTAINED | STATUS_OK  # 0x0F, "[М+]"
# Tag 2004 (the FN's own check): b0 checked, b1 the crypto tail is right.
LOCAL_CHECKED, LOCAL_OK = 0x01, 0x02
# FF61h "FN answer code" of the online check.
NO_ANSWER = 0xFF  # the server did not answer in time
ANSWER_WITH_REASON = 0x20  # the next byte says why

# Why a code may or may not be sold.
OK = "ok"  # Честный ЗНАК says the code is right for this operation
SOLD = "sold"  # the code's status is wrong for a sale: sold already (or withdrawn)
REFUSED = "refused"  # the signature (crypto tail) is wrong: forged, damaged, not in circulation
OFFLINE_RULE = "offline"  # no answer in time: sold by the offline rule


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    why: str  # OK, SOLD, REFUSED or OFFLINE_RULE


def verdict(check: MarkingCheck, *, refund: bool = False) -> Verdict:
    """Whether the code may be sold (returned, with `refund`), and why, from the bits."""
    why = _why(check)
    return Verdict(refund or why in (OK, OFFLINE_RULE), why)


def _why(check: MarkingCheck) -> str:
    result = check.result
    online = check.answered and not result & OFFLINE and result & STATUS_OBTAINED
    if not online:
        # Nothing from Честный ЗНАК: only the FN's own check of the crypto tail can refuse.
        local_failed = check.local_status & LOCAL_CHECKED and not check.local_status & LOCAL_OK
        signature_failed = result & CHECKED and not result & SIGNATURE_OK
        return REFUSED if local_failed or signature_failed else OFFLINE_RULE
    if not result & SIGNATURE_OK:
        return REFUSED
    return OK if result & STATUS_OK else SOLD


def parse(code: str, data: bytes) -> MarkingCheck:
    """The FF61h answer after the error byte: 2004 | reason | 2100 | extra length | [FN answer
    code | (reason, when 0x20) | 2106 | server TLVs]. What the register did not say it did not
    check: a short answer reads as no online answer (the offline rule)."""
    local, reason, kind, extra_length = (list(data[:4]) + [0, 0, 0, 0])[:4]
    extra = data[4 : 4 + extra_length]
    answer_code = extra[0] if extra else NO_ANSWER
    at = 2 if answer_code == ANSWER_WITH_REASON else 1
    answered = answer_code != NO_ANSWER and len(extra) > at
    if answered:
        result = extra[at]
    else:
        result = OFFLINE | (extra[at] if len(extra) > at else local & (CHECKED | SIGNATURE_OK))
    return MarkingCheck(code, local, reason, kind, answered, result)


def check_request(code: str, operation: int, *, piece: bool = True) -> bytes:
    """FF61h parameters: planned status (2003) | mode 0 (2102) | code length | TLV length 0 |
    the code as scanned."""
    if not code.isascii():
        raise RequestRejected("marking code not ASCII (keyboard layout?)")
    raw = code.encode("ascii")
    if not raw or len(raw) > 255:
        raise RequestRejected("a marking code is 1 to 255 bytes")
    return bytes([PLANNED_STATUS[(operation, piece)], 0, len(raw), 0]) + raw


def pre_check(register: ShtrihM, code: str, operation: int) -> MarkingCheck:
    """Check without selling: FF61h, then FF69h refuse (the code stays free for the receipt)."""
    check = parse(code, register.call(0xFF61, check_request(code, operation)))
    register.call(0xFF69, bytes([0]))
    return check


def check_in_receipt(register: ShtrihM, item: rc.Item, operation: int) -> MarkingCheck:
    """FF61h for a marked item of the open receipt, then FF69h accept, or refuse and raise
    `MarkingCodeRefused` (the caller cancels the receipt)."""
    code = item.marking_code or ""
    check = parse(code, register.call(0xFF61, commands.check_marking_code(item, operation)))
    judged = verdict(check, refund=operation == SALE_RETURN)
    register.call(0xFF69, bytes([1 if judged.allowed else 0]))
    if not judged.allowed:
        raise MarkingCodeRefused(
            f"{item.name!r}, code {shown(code)}: {judged.why} (2106 = {check.result:#04x})",
            command=0xFF61,
        )
    return check


def shown(code: str) -> str:
    """The part of a code people can compare (GTIN and serial, before the first GS)."""
    return code.split("\x1d", 1)[0]
