"""The basis of a correction receipt (чек коррекции, FFD 1.2, FISCAL.md 3.4), from the TLVs sent
with FF0Ch while it is open: 1173 (0 own initiative, 1 by the tax authority's order) and the STLV
1174 {1177 name, 1178 date of the corrected settlement (UnixTime), 1179 the order's number}.

Archived as `correction: {"1173": 0|1, "1178": unixtime, "1179": str|None, "date": 'YYYY-MM-DD'}`.
Without 1173 or 1178 the drive refuses to close it (A4h, a required tag is missing).
"""

import time

from . import errors
from .errors import CommandError

CORRECTION_TYPE = 0x80  # 8Dh type bit: 0x80..0x83 = correction of 0..3


def basis(document_tlv: dict) -> dict:
    kind = document_tlv.get("1173")
    grounds = document_tlv.get("1174")
    if kind not in (0, 1) or not isinstance(grounds, dict) or "1178" not in grounds:
        raise CommandError(errors.REQUIRED_TLV_MISSING, "correction needs 1173 and 1174/1178")
    when = grounds["1178"]
    return {
        "1173": kind,
        "1178": when,
        "1179": grounds.get("1179"),
        "date": time.strftime("%Y-%m-%d", time.gmtime(when)),
    }
