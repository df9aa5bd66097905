"""After a lost FF45h answer: was the receipt fiscalised? (FISCAL.md 5.4)

1. The answer itself: held by the register (ENQ) or drained as stale on a reconnect.
2. Mode 8: the receipt is still open, FF45h never ran.
3. The FN archive after the saved FD: a receipt of our type (3, or 31 for a correction), our
   operation and total (FF0Ah), whose ITEMS are ours (FF3Ah/FF3Bh: names, quantities, prices,
   amounts). Another receipt of the same total (a keyboard sale, a neighbour's job) is not taken
   for it. A model without FF3Ah falls back to type, operation and total, and says so in the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from drivers.fiscal import answers, documents
from drivers.fiscal import receipt as rc
from drivers.fiscal.answers import DOC_TYPE_CORRECTION, DOC_TYPE_RECEIPT, CloseAnswer
from drivers.fiscal.errors import (
    AnswerLost,
    CommandNotSupported,
    ReceiptNotFiscalised,
    ReconcileUndecided,
)
from drivers.fiscal.frames import BadAnswer
from drivers.fiscal.register import MODE_DOCUMENT_OPEN, FiscalDocument

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

log = logging.getLogger(__name__)

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
    doc_type = DOC_TYPE_CORRECTION if receipt.correction else DOC_TYPE_RECEIPT
    total = receipt.total
    # Usually the receipt is last_fd + 1; a shift report made at the keyboard in between, or a
    # keyboard sale, moves it further: every candidate is checked by its items.
    for fd in range(last_fd + 1, fn.last_fd + 1):
        document = register.find_document(fd)
        if (document.doc_type, document.operation, document.total) != (doc_type, operation, total):
            continue
        if is_this_receipt(register, document, receipt):
            return CloseAnswer(0, document.fd, document.fp or 0, document.ts)
    raise ReceiptNotFiscalised(
        f"no receipt of {total} kopecks with these items among FD {last_fd + 1}..{fn.last_fd}",
        command=0xFF45,
    )


def is_this_receipt(register: ShtrihM, document: FiscalDocument, receipt: rc.Receipt) -> bool:
    stored = read_stored(register, document)
    if stored is None:
        return True  # type, operation and total: all this model can tell
    different = documents.differences(stored, receipt)
    if different:
        log.warning(
            "fiscal: FD %d has our type and total but is another receipt: %s",
            document.fd,
            "; ".join(different),
        )
        return False
    return True


def read_stored(register: ShtrihM, document: FiscalDocument) -> documents.StoredDocument | None:
    """The document as TLV, or None on a model without FF3Ah (it is then matched by type,
    operation and total only, and the log says so)."""
    if not register.tlv_documents_supported:
        return None
    try:
        return documents.read_document(register, document.fd)
    except CommandNotSupported:
        register.tlv_documents_supported = False
        log.warning(
            "fiscal: FF3Ah not supported: FD %d matched by type, operation and total only",
            document.fd,
        )
        return None
    except BadAnswer as exc:
        # Try again later rather than guess either way.
        raise AnswerLost(f"FD {document.fd} could not be read back: {exc}") from exc


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
