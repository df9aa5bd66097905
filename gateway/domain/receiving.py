"""Receiving (приёмка): a document filled by scans (DOMAIN.md 29, 33, 34); the scan rules it
shares with the stocktake are in `scan_document.py`.

A receiving document is a draft filled by scans: each scan of a known barcode adds its pack
quantity to the line of its sku (a running count, so a double scan is visible and can be taken
back); a code the catalog does not know is kept as an unresolved line that counts *scans* (its
pack size is unknown until a manager links it to a sku). Posting adds the stock once; a posted
document is never voided here (its goods may already be reserved or shipped)."""

from dataclasses import dataclass

# The scan rules live in scan_document.py; re-exported for the modules that knew them here
# first (the catalog, lookup).
from .scan_document import (  # noqa: F401
    BarcodeMatch,
    clean_code,
    clean_gtin,
    gtin_forms,
    lookup_codes,
    pick_match,
    refuse_closed,
    scan_units,
    unknown_code_key,
)

DRAFT, POSTED, VOIDED = "draft", "posted", "voided"
RECEIVING_STATUSES = (DRAFT, POSTED, VOIDED)
# How a closed receiving is said when an action is refused (the status is the reason).
CLOSED_WORDS = {POSTED: "is already posted", VOIDED: "was voided"}


@dataclass
class ReceivingDoc:
    doc_id: str
    status: str
    sync_id: str  # MoySklad `supply.syncId`: the cloud creates the document once
    supplier_ref: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    posted_by: str | None = None
    posted_at: str | None = None
    voided_by: str | None = None
    voided_at: str | None = None
    # the staff ids beside the names above (None: a system actor, or a row from before m007)
    created_by_id: int | None = None
    posted_by_id: int | None = None
    voided_by_id: int | None = None

    def require_draft(self, action: str) -> None:
        refuse_closed("receiving", self.doc_id, self.status, action, CLOSED_WORDS)


@dataclass(frozen=True)
class ReceivingLine:
    sku: str
    qty: int
    name: str = ""
    last_code: str | None = None
    archived: bool = False


@dataclass(frozen=True)
class CodeLink:
    """An unknown code a manager linked to a sku in one document (and maybe taught the
    catalog): exported so the cloud can add the barcode to its own catalog."""

    code: str
    sku: str
    pack: int
    scans: int
    learned: bool
    by: str | None = None
    by_id: int | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "sku": self.sku, "pack": self.pack, "learned": self.learned}
