"""Reading a fiscal document back as TLV: FF3Ah then FF3Bh (FISCAL.md 1.7 "Other FN queries").

FF3Ah `pwd4 | FD(4)` -> `docType(2) | length(2)`; each FF3Bh `pwd4` -> the next chunk of the
document's TLVs; once all was read, FF3Bh answers 08h "no data" (as the vendor driver expects:
JPOS `SMFiscalPrinterImpl.fsReadDocumentTLVToEnd`). The TLVs come from `document_tlv.py`.
"""

from . import errors
from .codec import Fields, le
from .document_tlv import document_tlv
from .errors import CommandError

SYSADMIN = (30,)
CHUNK = 200  # bytes per FF3Bh answer (a frame holds 252 after the code and the error byte)


def request_document(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    doc = reg.drive.find(fields.uint(4))
    if doc is None:
        raise CommandError(errors.FN_NO_DATA, "no such document")
    doc_type, content = document_tlv(doc)
    reg.reading = content
    return le(doc_type, 2) + le(len(content), 2)


def read_block(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    if not reg.reading:
        raise CommandError(errors.FN_NO_DATA, "nothing left to read")
    chunk, reg.reading = reg.reading[:CHUNK], reg.reading[CHUNK:]
    return chunk


HANDLERS = {0xFF3A: request_document, 0xFF3B: read_block}
