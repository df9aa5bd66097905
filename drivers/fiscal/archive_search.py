"""Finding a receipt in the FN archive, for both of its uses: ``reconcile.py`` after a lost FF45h
answer, and the gateway after `storegw restore` (the register is then ahead of the database: what
it signed after the backup is only in its archive). Matched by type, operation, total, then the
items read back with FF3Ah/FF3Bh, and, if asked, the buyer's e-mail or phone (1008) when both the
document and the receipt have one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drivers.fiscal import documents
from drivers.fiscal import receipt as rc
from drivers.fiscal.answers import DOC_TYPE_CORRECTION, DOC_TYPE_RECEIPT
from drivers.fiscal.errors import AnswerLost, CommandNotSupported
from drivers.fiscal.frames import BadAnswer
from drivers.fiscal.register import FiscalDocument

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

log = logging.getLogger(__name__)

BUYER_TAG = 1008
SHIFT_TAG, NUMBER_TAG = 1038, 1042


@dataclass
class ArchiveCache:
    """What was read of one drive's archive, kept across searches: an archived document never
    changes, and a queue of re-applied payments would otherwise read the same documents once per
    payment (FF0Ah for each, FF3Ah for those of the same total)."""

    documents: dict[int, FiscalDocument] = field(default_factory=dict)
    stored: dict[int, documents.StoredDocument | None] = field(default_factory=dict)


@dataclass(frozen=True)
class FoundReceipt:
    fd: int
    fp: int
    ts: str | None
    shift: int | None  # from the document's TLVs; None on a model without FF3Ah
    number: int | None


def find_receipt(
    register: ShtrihM,
    fds: Iterable[int],
    receipt: rc.Receipt,
    operation: int,
    cache: ArchiveCache,
    *,
    compare_buyer: bool = True,
    mismatch_level: int = logging.INFO,
) -> FoundReceipt | None:
    """The first document among `fds` that is this receipt, or None; AnswerLost if unreadable."""
    wanted = (DOC_TYPE_CORRECTION if receipt.correction else DOC_TYPE_RECEIPT, operation)
    for fd in fds:
        if fd not in cache.documents:
            cache.documents[fd] = register.find_document(fd)
        document = cache.documents[fd]
        if (document.doc_type, document.operation, document.total) != (*wanted, receipt.total):
            continue
        if fd not in cache.stored:
            cache.stored[fd] = read_stored(register, document)
        stored = cache.stored[fd]
        if stored is not None and (different := differences(stored, receipt, compare_buyer)):
            message = "fiscal: FD %d has our type and total but is another receipt: %s"
            log.log(mismatch_level, message, fd, different)
            continue
        return FoundReceipt(
            document.fd,
            document.fp or 0,
            document.ts,
            stored.value(SHIFT_TAG) if stored else None,
            stored.value(NUMBER_TAG) if stored else None,
        )
    return None


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


def differences(stored: documents.StoredDocument, receipt: rc.Receipt, compare_buyer: bool) -> str:
    found = documents.differences(stored, receipt)
    buyer = stored.value(BUYER_TAG)
    contact = receipt.buyer_contact
    if compare_buyer and buyer and contact and _contact(buyer) != _contact(contact):
        found.append(f"buyer {buyer!r} != {contact!r}")
    return "; ".join(found)


def _contact(text: str) -> str:
    return str(text).strip().lower()
