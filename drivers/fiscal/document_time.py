"""The date and time of a fiscal document as the fiscal drive recorded it (FISCAL.md 1.7).

FF45h gives DATE_TIME only when the table setting «РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД» is 1, which
it is not by default. Otherwise the time is read back from the drive's archive with FF0Ah «найти
фискальный документ по номеру»: ``docType(1) | OFD ticket(1) | DATE_TIME(5: YY MM DD hh mm) |
FD(4) | FP(4) | ...`` [SHM-1.17 p.45-46; JPOS ``command/FSFindDocument.java``,
``command/FSDocument.java``; PHP ``Response/FNFindDocument.php``]. It is a query: asking twice
changes nothing, and a garbled answer is asked for again by the link (NAK, ENQ).

The time is the register's own clock, local time without a zone, to the minute, exactly as the
receipt prints it («ДАТА 03.12.26 13:46»): it is passed on verbatim as ``'YYYY-MM-DDThh:mm'``
(``2026-12-03T13:46``), never converted. None when the register cannot tell: a model without
FF0Ah (answer 37h, remembered, not asked again), an answer that is not this document, or a query
that failed after the receipt was signed (the receipt's FD and FP must not be lost for its time).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from drivers.fiscal.answers import DOC_TYPE_CORRECTION, DOC_TYPE_RECEIPT, CloseAnswer
from drivers.fiscal.errors import CommandNotSupported, FiscalError
from drivers.fiscal.frames import BadAnswer

if TYPE_CHECKING:
    from drivers.fiscal import receipt as rc
    from drivers.fiscal.shtrih import ShtrihM

log = logging.getLogger(__name__)

FN_TIME_FORMAT = "%Y-%m-%dT%H:%M"  # what ``frames.read_fn_datetime`` makes of DATE_TIME


def receipt_doc_type(receipt: rc.Receipt) -> int:
    return DOC_TYPE_CORRECTION if receipt.correction else DOC_TYPE_RECEIPT


def valid_time(ts: str | None) -> str | None:
    """``ts`` if it is a real date and time (a drive answering zeros has none), else None."""
    if ts is None:
        return None
    try:
        datetime.strptime(ts, FN_TIME_FORMAT)
    except ValueError:
        log.warning("fiscal: the register gave %r as a document's date and time", ts)
        return None
    return ts


def with_document_time(register: ShtrihM, close: CloseAnswer, doc_type: int) -> CloseAnswer:
    """The close answer with the document's time: its own DATE_TIME if it carried one, else
    the drive's record of document ``close.fd`` (FF0Ah), else None."""
    ts = valid_time(close.ts)
    if ts is None:
        ts = document_time(register, close.fd, close.fp, doc_type)
    return close if ts == close.ts else replace(close, ts=ts)


def document_time(register: ShtrihM, fd: int, fp: int, doc_type: int) -> str | None:
    """When the drive signed document ``fd`` (FF0Ah), if it is the receipt (type and FP) we
    hold; None if the register cannot tell."""
    if not register.document_lookup_supported:
        return None
    try:
        document = register.find_document(fd)
    except CommandNotSupported:
        register.document_lookup_supported = False
        log.warning("fiscal: FF0Ah not supported: receipts are recorded without their time")
        return None
    except (FiscalError, BadAnswer) as exc:
        log.warning("fiscal: FD %d is signed but its date and time could not be read: %s", fd, exc)
        return None
    if (document.fd, document.fp, document.doc_type) != (fd, fp, doc_type):
        log.warning(
            "fiscal: FF0Ah for FD %d answered FD %s FP %s type %s, not our receipt (FP %d):"
            " its time is not taken",
            fd,
            document.fd,
            document.fp,
            document.doc_type,
            fp,
        )
        return None
    return valid_time(document.ts)
