"""Receiving (приёмка): a draft document filled by scans, posted once (DOMAIN.md 29, 33, 34).

Every function takes the unit of work first, so an HTTP handler or a scanner callback calls it
as `writer.call(scan_into_receiving, doc_id, code, by=...)`. Commands take an optional
`idem_key` (a tablet's key, reused on retry): the repeat returns the stored result.

Policy on unresolved codes (DOMAIN.md 34): a draft with codes the catalog does not know is
posted only when the caller says so (`allow_unresolved=True`, after the screen asked «N
неизвестных кодов не попадут на склад — провести?»). Posting then adds the known lines, keeps
the unknown codes on the document and exports them in `receiving.posted.unknown_codes` for the
cloud to map; nothing is added for them. A delivery is never held up by one strange label, and
goods are never left out of stock without a person having seen it."""

import uuid

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.receiving import DRAFT, POSTED, VOIDED, CodeLink, ReceivingDoc
from gateway.domain.receiving_codes import refuse_not_a_barcode
from gateway.domain.scan_document import (
    BarcodeMatch,
    checked_total,
    clean_code,
    lookup_codes,
    scan_units,
)
from gateway.domain.staff import LINK_CODE, POST_UNRESOLVED, RECEIVE, Staff
from gateway.domain.validation import optional_str, require_id, require_int

from .idempotency import run_once
from .orders import refill
from .permissions import require
from .scan_document import Identified, ScanInto, load_document, take_scan, unknown_codes
from .stock import change_on_hand


class ReceivingScan(ScanInto):
    """A scan into a draft: a known item adds units to its line; an unknown code linked in
    this draft (`resolve_unknown_code`) counts as the item it was linked to."""

    def __init__(self, uow, doc_id: str):
        super().__init__(uow, doc_id, uow.receiving)

    def linked(self, found: Identified) -> BarcodeMatch | None:
        link = self.repo.link(self.doc_id, found.key)
        if link is None:
            return None
        variant = self.uow.catalog.variant(link.sku)
        return BarcodeMatch(found.key, link.sku, link.pack, variant.name, variant.archived)

    def count(self, sku: str, units: int, code: str) -> tuple[int, dict]:
        total = checked_total(self.repo.line_qty(self.doc_id, sku), units, sku)
        self.repo.set_line(self.doc_id, sku, total, code=code)
        return total, {}


def start_receiving(
    uow, *, by: Staff, supplier_ref: str | None = None, idem_key: str | None = None
) -> dict:
    """A new draft. `supplier_ref`: the supplier's invoice number (накладная), if known."""

    def start() -> dict:
        require(uow, by, RECEIVE)
        ref = optional_str({"supplier_ref": supplier_ref}, "supplier_ref", "receiving")
        doc = ReceivingDoc(
            doc_id=f"R-{uow.next_counter('receiving')}",
            status=DRAFT,
            sync_id=str(uuid.uuid4()),
            supplier_ref=ref,
            created_by=by.name,
            created_by_id=by.id,
            created_at=uow.now,
        )
        uow.receiving.add(doc)
        return _header(doc)

    return run_once(uow, idem_key, "receiving.start", start)


def scan_into_receiving(
    uow,
    doc_id: str,
    code: str,
    *,
    by: Staff,
    gtin: str | None = None,
    qty: int | None = None,
    sku: str | None = None,
    marking: bool = False,
    idem_key: str | None = None,
) -> dict:
    """One scan into a draft (`scan_document.take_scan`): `qty` items (default 1) of the
    scanned barcode, each its pack quantity; `gtin`, `marking`, `sku` as there. Returns
    `outcome` (counted | unknown | ambiguous | repeat), `accepted` (good-scan beep) and the
    running `qty` of the line (units; scans for an unknown code). A code the catalog does not
    know that cannot be a barcode (`refuse_not_a_barcode`) is refused and nothing is kept."""

    def scan() -> dict:
        require(uow, by, RECEIVE, detail=doc_id)
        _draft(uow, doc_id, "scan into")
        into = ReceivingScan(uow, doc_id)
        return take_scan(into, code, gtin=gtin, qty=qty, sku=sku, marking=marking)

    return run_once(uow, idem_key, "receiving.scan", scan)


def set_receiving_qty(
    uow, doc_id: str, line: str, qty: int, *, by: Staff, idem_key: str | None = None
) -> dict:
    """Correct a line (a double scan, a damaged unit): `line` is a sku or an unknown code; qty
    is units for a sku, scans for an unknown code; 0 removes the line. A sku that has no line
    yet gets one (goods without a barcode, typed in)."""

    def correct() -> dict:
        require(uow, by, RECEIVE, detail=doc_id)
        _draft(uow, doc_id, "change")
        key = clean_code(line, "line")
        new_qty = require_int(qty, "qty", minimum=0)
        repo = uow.receiving
        if repo.line_qty(doc_id, key):
            kind = "sku"
        elif repo.unknown_scans(doc_id, key):
            kind = "unknown"
        elif uow.catalog.variant(key) is not None:
            kind = "sku"
        else:
            raise NotFound(f"receiving {doc_id} has no line {key} and there is no sku {key}")
        if kind == "sku":
            repo.set_line(doc_id, key, new_qty)
        else:
            repo.set_unknown(doc_id, key, new_qty)
        if new_qty == 0:
            repo.forget_units(doc_id, key)  # its marked units may be scanned again
        return {"doc_id": doc_id, "line": key, "kind": kind, "qty": new_qty}

    return run_once(uow, idem_key, "receiving.set_qty", correct)


def resolve_unknown_code(
    uow,
    doc_id: str,
    code: str,
    sku: str,
    *,
    by: Staff,
    pack: int = 1,
    learn: bool = True,
    idem_key: str | None = None,
) -> dict:
    """A manager says what an unknown code is: its scans become `scans × pack` units of `sku`.
    learn=True also adds the barcode to the local catalog, so the next scan finds it; the
    link is exported in `receiving.posted` (`resolved_codes`) for the cloud to add it to its
    catalog (the cloud's next catalog.upsert of that product is authoritative)."""

    def resolve() -> dict:
        require(uow, by, LINK_CODE, detail=f"{doc_id} {code}")
        _draft(uow, doc_id, "link a code in")
        key = clean_code(code)
        scans = uow.receiving.unknown_scans(doc_id, key)
        if not scans:
            raise NotFound(f"receiving {doc_id} has no unknown code {key}")
        refuse_not_a_barcode(key)  # a draft from before the rule may hold one
        variant = _named_variant(uow, require_id(sku, "sku"))
        size = require_int(pack, "pack", minimum=1)
        units = scan_units(scans, size)
        total = checked_total(uow.receiving.line_qty(doc_id, variant.sku), units, variant.sku)
        if learn:
            taken = [
                m.sku for m in uow.catalog.find_barcode(lookup_codes(key)) if m.sku != variant.sku
            ]
            if taken:
                raise InvalidInput(
                    f"barcode {key} already belongs to {', '.join(taken)} in the catalog:"
                    " link it for this document only (learn=False) or fix the catalog",
                    reason="barcode_taken",
                )
            uow.catalog.add_barcode(key, variant.sku, size)
        uow.receiving.move_unknown_to_line(doc_id, key, variant.sku, units)
        uow.receiving.rekey_units(doc_id, key, variant.sku)
        uow.receiving.add_link(
            doc_id, CodeLink(key, variant.sku, size, scans, learn, by.name, by.id)
        )
        return {
            "doc_id": doc_id,
            "code": key,
            "sku": variant.sku,
            "name": variant.name,
            "pack": size,
            "learned": learn,
            "added": units,
            "qty": total,
        }

    return run_once(uow, idem_key, "receiving.resolve", resolve)


def post_receiving(
    uow,
    doc_id: str,
    *,
    by: Staff,
    allow_unresolved: bool = False,
    idem_key: str | None = None,
) -> dict:
    """Add the goods to stock (ledger reason `receipt`, ref the document), fill short orders
    first come first served, publish `receiving.posted`. A posted document posted again (a
    double tap, a retry with another key) changes nothing and returns the same result."""

    def post() -> dict:
        doc = _load(uow, doc_id)
        if doc.status == POSTED:
            filled = uow.orders.filled_by(f"receiving {doc_id}")
            return {**_posted_result(uow, doc), "filled_orders": filled, "already": True}
        doc.require_draft("post")
        lines = uow.receiving.lines(doc_id)
        unknown = uow.receiving.unknowns(doc_id)
        if not lines and not unknown:
            raise InvalidInput(f"receiving {doc_id} is empty: scan the goods first", reason="empty")
        if unknown and not allow_unresolved:
            codes = ", ".join(u.code for u in unknown)
            raise InvalidTransition(
                f"receiving {doc_id} has {len(unknown)} unknown code(s) ({codes}): link them to"
                " a sku, or post anyway (allow_unresolved) and they are not added to stock",
                reason="unresolved_codes",
            )
        require(uow, by, POST_UNRESOLVED if unknown else RECEIVE, detail=doc_id)
        uow.stock.ensure_levels([line.sku for line in lines])
        for line in sorted(lines, key=lambda line: line.sku):
            change_on_hand(uow, line.sku, line.qty, reason="receipt", ref_id=doc_id, by=by)
        doc.status, doc.posted_at = POSTED, uow.now
        doc.posted_by, doc.posted_by_id = by.name, by.id
        uow.receiving.save(doc)
        uow.outbox.emit("receiving.posted", _posted_event(uow, doc))
        # The receiving screen says which waiting orders the goods filled.
        filled = refill(uow, {line.sku for line in lines}, by, ref=f"receiving {doc_id}")
        return {**_posted_result(uow, doc), "filled_orders": filled}

    return run_once(uow, idem_key, "receiving.post", post)


def void_receiving(uow, doc_id: str, *, by: Staff, idem_key: str | None = None) -> dict:
    """Throw a draft away. A posted document cannot be voided (DOMAIN.md 33): its goods may
    already be reserved or shipped; correct the stock with a stocktake or an adjustment."""

    def void() -> dict:
        require(uow, by, RECEIVE, detail=doc_id)
        doc = _load(uow, doc_id)
        if doc.status == VOIDED:
            return {**_header(doc), "already": True}
        if doc.status == POSTED:
            raise InvalidTransition(
                f"receiving {doc_id} is posted: its goods may already be reserved or shipped,"
                " so it cannot be voided — correct the stock with a stocktake or an adjustment",
                reason="posted",
            )
        doc.status, doc.voided_at = VOIDED, uow.now
        doc.voided_by, doc.voided_by_id = by.name, by.id
        uow.receiving.save(doc)
        return _header(doc)

    return run_once(uow, idem_key, "receiving.void", void)


def receiving_view(uow, doc_id: str) -> dict:
    """The screen and the printed receiving report: lines with sku, name and qty, unknown codes
    with their scans, the codes linked here, who posted it and when. Reads only: pass a unit
    of work, or `receiving_repo.receiving_view(conn, doc_id)` on a read connection."""
    doc = _load(uow, doc_id)
    lines = uow.receiving.lines(doc_id)
    return {
        **_header(doc),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "qty": line.qty,
                "last_code": line.last_code,
                "archived": line.archived,
            }
            for line in lines
        ],
        "unknown": unknown_codes(uow.receiving, doc_id),
        "resolved_codes": [link.as_dict() for link in uow.receiving.links(doc_id)],
        "total_units": sum(line.qty for line in lines),
    }


def receiving_drafts(uow) -> list[dict]:
    """Open drafts, oldest first (the «Приёмка» screen offers to continue one)."""
    return [_header(doc) for doc in uow.receiving.drafts()]


# --- helpers ---------------------------------------------------------------------------------


def _load(uow, doc_id: str) -> ReceivingDoc:
    return load_document("receiving", doc_id, uow.receiving.get)


def _draft(uow, doc_id: str, action: str) -> ReceivingDoc:
    doc = _load(uow, doc_id)
    doc.require_draft(action)
    return doc


def _named_variant(uow, text: str):
    """The variant (модификация) a typed article names: its own sku, or the article of a product
    with exactly one live variant. A product with several must be chosen from (the screen lists
    them by their characteristics)."""
    variant = uow.catalog.variant(text)
    if variant is not None:
        return variant
    skus = uow.receiving.article_variants(text)
    if not skus:
        raise NotFound(f"unknown sku {text}")
    if len(skus) > 1:
        raise InvalidInput(
            f"product {text} has {len(skus)} variants ({', '.join(skus)}): choose one",
            reason="choose_variant",
        )
    return uow.catalog.variant(skus[0])


def _header(doc: ReceivingDoc) -> dict:
    return {
        "doc_id": doc.doc_id,
        "status": doc.status,
        "supplier_ref": doc.supplier_ref,
        "sync_id": doc.sync_id,
        "created_by": doc.created_by,
        "created_at": doc.created_at,
        "posted_by": doc.posted_by,
        "posted_at": doc.posted_at,
        "voided_by": doc.voided_by,
        "voided_at": doc.voided_at,
    }


def _posted_event(uow, doc: ReceivingDoc) -> dict:
    """`receiving.posted`: the contract's fields, then extensions for the cloud's supply."""
    unknown = uow.receiving.unknowns(doc.doc_id)
    return {
        "doc_id": doc.doc_id,
        "lines": [{"sku": line.sku, "qty": line.qty} for line in uow.receiving.lines(doc.doc_id)],
        "unknown_codes": [u.code for u in unknown],
        "by": doc.posted_by,
        "staff_id": doc.posted_by_id,
        "sync_id": doc.sync_id,
        "supplier_ref": doc.supplier_ref,
        "unknown": [{"code": u.code, "scans": u.scans} for u in unknown],
        "resolved_codes": [link.as_dict() for link in uow.receiving.links(doc.doc_id)],
    }


def _posted_result(uow, doc: ReceivingDoc) -> dict:
    event = _posted_event(uow, doc)
    return {
        **_header(doc),
        "lines": event["lines"],
        "unknown_codes": event["unknown_codes"],
        "resolved_codes": event["resolved_codes"],
    }
