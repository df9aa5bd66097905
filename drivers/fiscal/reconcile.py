"""After a lost FF45h answer: was the receipt fiscalised? (FISCAL.md 5.4)

1. The answer itself: held by the register (ENQ) or drained as stale on a reconnect.
2. Mode 8: the receipt is still open, FF45h never ran.
3. The FN archive after the saved FD (``archive_search.py``): a receipt of our type (3, or 31
   for a correction), operation and total (FF0Ah), whose ITEMS are ours (FF3Ah/FF3Bh: names,
   quantities, prices, amounts). Another receipt of the same total (a keyboard sale, a
   neighbour's job) is not taken for it. A model without FF3Ah falls back to type, operation and
   total, and says so in the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from drivers.fiscal import answers
from drivers.fiscal import receipt as rc
from drivers.fiscal.answers import CloseAnswer
from drivers.fiscal.archive_search import ArchiveCache, find_receipt
from drivers.fiscal.errors import ReceiptNotFiscalised, ReconcileUndecided
from drivers.fiscal.register import MODE_DOCUMENT_OPEN

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

RECONCILE_SCAN_LIMIT = 500  # documents after the saved FD searched for a lost receipt


def reconcile_close(
    register: ShtrihM, last_fd: int, receipt: rc.Receipt, operation: int
) -> CloseAnswer | None:
    """The close answer if the receipt was fiscalised, None if it is still open (FF45 never
    ran); raises ReceiptNotFiscalised if it is gone, AnswerLost if the register cannot tell yet,
    ReconcileUndecided if a person must look."""
    pending = register.link.fetch_pending_answer()
    if pending is not None and pending[:2] == b"\xff\x45":
        return answers.close_receipt(register._check(0xFF45, pending))
    drained = drained_close_answer(register, last_fd)
    if drained is not None:
        return drained
    if register.status().mode == MODE_DOCUMENT_OPEN:
        return None
    fn = register.fn_status()
    if fn.last_fd < last_fd or fn.last_fd - last_fd > RECONCILE_SCAN_LIMIT:
        raise ReconcileUndecided(f"FN moved from FD {last_fd} to {fn.last_fd}", command=0xFF45)
    # Usually the receipt is last_fd + 1; a shift report made at the keyboard in between, or a
    # keyboard sale, moves it further: every candidate is checked by its items (not the buyer).
    # A fresh cache: one search per lost answer.
    total = receipt.total
    found = find_receipt(
        register,
        range(last_fd + 1, fn.last_fd + 1),
        receipt,
        operation,
        ArchiveCache(),
        compare_buyer=False,
        mismatch_level=logging.WARNING,
    )
    if found is not None:
        return CloseAnswer(0, found.fd, found.fp, found.ts)
    raise ReceiptNotFiscalised(
        f"no receipt of {total} kopecks with these items among FD {last_fd + 1}..{fn.last_fd}",
        command=0xFF45,
    )


def drained_close_answer(register: ShtrihM, last_fd: int) -> CloseAnswer | None:
    """An FF45 answer the link drained as stale on reconnect is the exact evidence: use it if it
    closed a document after `last_fd`."""
    found = None
    for body in register.link.stale_answers:
        if body[:3] == b"\xff\x45\x00":
            close = answers.close_receipt(body[3:])
            if close.fd > last_fd:
                found = close
    register.link.stale_answers.clear()
    return found
