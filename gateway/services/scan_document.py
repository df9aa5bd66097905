"""One scan into a document filled by scans (receiving, stocktake, and any later one).

Every such document takes a scan the same way: the code is looked up (the exact code, then the
forms of its GTIN), a barcode on several skus asks staff to choose (nothing is guessed), a
Честный ЗНАК code counts once in a document, a code the catalog does not know is kept as an
unresolved line counting its scans (unless it cannot be a barcode: typed text, a Russian layout),
and a known item adds `qty × pack` units to its line. What differs — what counting a line
records, what is outside the document, codes linked in it — a document kind says by subclassing
`ScanInto`; `take_scan` runs the steps."""

from dataclasses import dataclass

from gateway.domain.errors import InvalidInput, NotFound
from gateway.domain.receiving_codes import refuse_not_a_barcode
from gateway.domain.scan_document import (
    AMBIGUOUS,
    COUNTED,
    OUT_OF_SCOPE,
    REPEAT,
    UNKNOWN,
    BarcodeMatch,
    checked_total,
    clean_code,
    clean_gtin,
    lookup_codes,
    pick_match,
    scan_units,
    unknown_code_key,
)


@dataclass(frozen=True)
class Identified:
    """What a scanned code is: a match to count, candidates to choose from, or unknown."""

    code: str  # as scanned (cleaned)
    key: str  # what an unknown code is kept under (a marking code: its GTIN)
    match: BarcodeMatch | None
    candidates: list[BarcodeMatch]


def identify(uow, code: str, gtin: str | None = None, sku: str | None = None) -> Identified:
    """Look a scan up: the exact code first, then its GTIN (GTIN-14, EAN-13, UPC-A, EAN-8
    forms). `sku` is staff's answer when the barcode belongs to several skus (for a code the
    catalog does not know, `take_scan` refuses it)."""
    code = clean_code(code)
    gtin = clean_gtin(gtin)
    matches = uow.catalog.find_barcode(lookup_codes(code, gtin))
    key = unknown_code_key(code, gtin)
    if not matches:
        return Identified(code, key, None, [])
    match, candidates = pick_match(matches, sku)
    return Identified(code, key, match, candidates)


def scan_outcome(found: Identified, outcome: str, *, accepted: bool, added: int = 0) -> dict:
    """What a scan did, for the screen (every document kind alike)."""
    match = found.match
    return {
        "outcome": outcome,
        "accepted": accepted,
        "code": found.code,
        # the line this scan counts on: its sku, or the unknown code (a marking code's GTIN)
        "line": match.sku if match else (None if found.candidates else found.key),
        "sku": match.sku if match else None,
        "name": match.name if match else None,
        "pack": match.pack if match else None,
        "archived": match.archived if match else False,
        "added": added,
        "candidates": [c.as_candidate() for c in found.candidates],
    }


class ScanInto:
    """One open document of a kind, as a scan sees it. A kind sets its names and `count`;
    `repo` keeps the lines, unknown codes and marked units (a ScanDocumentRepo)."""

    id_field = "doc_id"  # the document's id in a scan's result
    count_field = "qty"  # the line's running count in a scan's result
    result_fields: dict = {}  # fields every result of this kind carries (their defaults)

    def __init__(self, uow, doc_id: str, repo):
        self.uow, self.doc_id, self.repo = uow, doc_id, repo

    def in_scope(self, sku: str) -> bool:
        """Is this sku part of the document (a partial count is not the whole catalog)?"""
        return True

    def linked(self, found: Identified) -> BarcodeMatch | None:
        """An unknown code staff linked to an item in this document: counted as that item."""
        return None

    def count(self, sku: str, units: int, code: str) -> tuple[int, dict]:
        """Add `units` to the sku's line; (the line's count now, more fields for the result)."""
        raise NotImplementedError

    def result(
        self,
        found: Identified,
        outcome: str,
        *,
        accepted: bool,
        count: int = 0,
        added: int = 0,
        **fields,
    ) -> dict:
        return {
            self.id_field: self.doc_id,
            **scan_outcome(found, outcome, accepted=accepted, added=added),
            self.count_field: count,
            **self.result_fields,
            **fields,
        }


def take_scan(
    into: ScanInto,
    code: str,
    *,
    gtin: str | None = None,
    qty: int | None = None,
    sku: str | None = None,
    marking: bool = False,
) -> dict:
    """One scan: `qty` items (default 1) of the scanned barcode, each its pack quantity.

    `gtin`: the GTIN of a Честный ЗНАК code (the caller parsed it). `marking=True`: the code
    names one physical unit, so a second scan of it in this document is a repeat, not a second
    unit. `sku`: staff's choice when the barcode belongs to several skus. Returns `outcome`
    (counted | unknown | ambiguous | out_of_scope | repeat), `accepted` (good-scan beep) and the
    line's running count (units; scans for an unknown code). A code nobody knows that cannot be
    a barcode (`refuse_not_a_barcode`) is refused before anything is recorded."""
    found = identify(into.uow, code, gtin, sku)
    if found.candidates:
        return into.result(found, AMBIGUOUS, accepted=False)
    if marking and (qty or 1) != 1:
        raise InvalidInput("a marking code is one unit: scan each unit, qty must be 1")
    match = found.match
    if match is not None and not into.in_scope(match.sku):
        return into.result(found, OUT_OF_SCOPE, accepted=False)
    linked = into.linked(found) if match is None and sku is None else None
    counted_as = match or linked
    if counted_as is None:
        refuse_not_a_barcode(found.code)  # its reason first (a Russian layout: what to do)
        if sku is not None:
            raise InvalidInput(
                f"code {found.key} is not a barcode in the catalog: link it to {sku} instead",
                reason="unknown_code",
            )
    line_key = counted_as.sku if counted_as else found.key
    if marking and not into.repo.remember_unit(into.doc_id, found.code, line_key):
        now = into.repo.line_count(into.doc_id, line_key)
        return into.result(found, REPEAT, accepted=False, count=now)
    if counted_as is None:
        before = into.repo.unknown_scans(into.doc_id, found.key)
        scans = checked_total(before, scan_units(qty, 1), found.key)
        into.repo.set_unknown(into.doc_id, found.key, scans)
        return into.result(found, UNKNOWN, accepted=True, count=scans, added=1)
    units = scan_units(qty, counted_as.pack)
    total, fields = into.count(counted_as.sku, units, found.code)
    found = Identified(found.code, found.key, counted_as, [])
    return into.result(found, COUNTED, accepted=True, count=total, added=units, **fields)


def load_document(what: str, doc_id: str, get):
    """The document `get(doc_id)` finds, or NotFound («receiving R-9 not found»)."""
    doc = get(doc_id) if isinstance(doc_id, str) else None
    if doc is None:
        raise NotFound(f"{what} {doc_id} not found")
    return doc


def unknown_codes(repo, doc_id: str) -> list[dict]:
    """The codes the catalog did not know, with their scans, in scan order."""
    return [{"code": u.code, "scans": u.scans} for u in repo.unknowns(doc_id)]
