"""Receiving documents (приёмка) in SQLite: the draft's lines, unresolved codes and links (what
every scan document keeps is in `scan_document_repo.py`)."""

import json
import sqlite3
from types import SimpleNamespace

from gateway.domain.receiving import CodeLink, ReceivingDoc, ReceivingLine
from gateway.services.receiving import receiving_view as _view

from .scan_document_repo import ScanDocumentRepo

_DOC_COLUMNS = (
    "id, status, sync_id, supplier_ref, created_by, created_at, posted_by, posted_at,"
    " voided_by, voided_at, created_by_id, posted_by_id, voided_by_id"
)
_LINK_COLUMNS = "code, sku, pack, scans, learned, linked_by, linked_by_id"
_ARTICLE_VARIANTS = (
    "SELECT v.sku FROM variant v JOIN product p ON p.id = v.product_id"
    " WHERE p.article = ? COLLATE NOCASE AND p.article != '' AND v.archived = 0"
)
_ITEM = (
    "SELECT v.sku, v.name, v.characteristics_json, p.characteristics_json, v.archived,"
    " COALESCE(s.on_hand, 0) FROM variant v JOIN product p ON p.id = v.product_id"
    " LEFT JOIN stock_level s ON s.sku = v.sku"
)


def _link(row) -> CodeLink:
    return CodeLink(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])


class ReceivingRepo(ScanDocumentRepo):
    kind, id_column, count_column = "receiving", "doc_id", "qty"

    # --- the document ----------------------------------------------------------------------------
    def add(self, doc: ReceivingDoc) -> None:
        self.conn.execute(
            f"INSERT INTO receiving_doc({_DOC_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.status,
                doc.sync_id,
                doc.supplier_ref,
                doc.created_by,
                doc.created_at,
                doc.posted_by,
                doc.posted_at,
                doc.voided_by,
                doc.voided_at,
                doc.created_by_id,
                doc.posted_by_id,
                doc.voided_by_id,
            ),
        )

    def get(self, doc_id: str) -> ReceivingDoc | None:
        row = self.conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM receiving_doc WHERE id = ?", (doc_id,)
        ).fetchone()
        return None if row is None else ReceivingDoc(*row)

    def save(self, doc: ReceivingDoc) -> None:
        self.conn.execute(
            "UPDATE receiving_doc SET status = ?, posted_by = ?, posted_by_id = ?, posted_at = ?,"
            " voided_by = ?, voided_by_id = ?, voided_at = ? WHERE id = ?",
            (
                doc.status,
                doc.posted_by,
                doc.posted_by_id,
                doc.posted_at,
                doc.voided_by,
                doc.voided_by_id,
                doc.voided_at,
                doc.doc_id,
            ),
        )

    def drafts(self) -> list[ReceivingDoc]:
        rows = self.conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM receiving_doc WHERE status = 'draft' ORDER BY created_at"
        )
        return [ReceivingDoc(*row) for row in rows]

    # --- lines of known skus ---------------------------------------------------------------------
    def line_qty(self, doc_id: str, sku: str) -> int:
        row = self.conn.execute(
            "SELECT qty FROM receiving_line WHERE doc_id = ? AND sku = ?", (doc_id, sku)
        ).fetchone()
        return 0 if row is None else row[0]

    def set_line(self, doc_id: str, sku: str, qty: int, *, code: str | None = None) -> None:
        """The line's total (0 removes it). A new line goes after the others."""
        if qty <= 0:
            self.conn.execute(
                "DELETE FROM receiving_line WHERE doc_id = ? AND sku = ?", (doc_id, sku)
            )
            return
        self.conn.execute(
            "INSERT INTO receiving_line(doc_id, sku, qty, pos, last_code)"
            f" VALUES (:doc, :sku, :qty, {self._next_pos}, :code)"
            " ON CONFLICT(doc_id, sku) DO UPDATE SET qty = excluded.qty,"
            " last_code = COALESCE(excluded.last_code, last_code)",
            {"doc": doc_id, "sku": sku, "qty": qty, "code": code},
        )

    def lines(self, doc_id: str) -> list[ReceivingLine]:
        rows = self.conn.execute(
            "SELECT l.sku, l.qty, v.name, l.last_code, v.archived FROM receiving_line l"
            " JOIN variant v ON v.sku = l.sku WHERE l.doc_id = ? ORDER BY l.pos",
            (doc_id,),
        )
        return [ReceivingLine(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    # --- codes the catalog did not know (the rest in ScanDocumentRepo) -------------------------
    def move_unknown_to_line(self, doc_id: str, code: str, sku: str, units: int) -> None:
        """A resolved code's scans become units of its sku, in the unknown line's place."""
        self.conn.execute(
            "INSERT INTO receiving_line(doc_id, sku, qty, pos, last_code)"
            " SELECT doc_id, :sku, :units, pos, code FROM receiving_unknown"
            " WHERE doc_id = :doc AND code = :code"
            " ON CONFLICT(doc_id, sku) DO UPDATE SET qty = qty + excluded.qty",
            {"doc": doc_id, "code": code, "sku": sku, "units": units},
        )
        self.set_unknown(doc_id, code, 0)

    def add_link(self, doc_id: str, link: CodeLink) -> None:
        self.conn.execute(
            f"INSERT INTO receiving_link(doc_id, {_LINK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (
                doc_id,
                link.code,
                link.sku,
                link.pack,
                link.scans,
                int(link.learned),
                link.by,
                link.by_id,
            ),
        )

    def link(self, doc_id: str, code: str) -> CodeLink | None:
        row = self.conn.execute(
            f"SELECT {_LINK_COLUMNS} FROM receiving_link WHERE doc_id = ? AND code = ?",
            (doc_id, code),
        ).fetchone()
        return None if row is None else _link(row)

    def links(self, doc_id: str) -> list[CodeLink]:
        rows = self.conn.execute(
            f"SELECT {_LINK_COLUMNS} FROM receiving_link WHERE doc_id = ? ORDER BY rowid",
            (doc_id,),
        )
        return [_link(row) for row in rows]

    def article_variants(self, article: str) -> list[str]:
        """The live variants of the product with this article (typed in any case), in catalog
        order: an article is what staff see on a label, a variant's sku may be longer."""
        rows = self.conn.execute(f"{_ARTICLE_VARIANTS} ORDER BY v.rowid", (article,))
        return [row[0] for row in rows]

    # --- marking codes (the rest in ScanDocumentRepo) -------------------------------------------
    def rekey_units(self, doc_id: str, old_key: str, new_key: str) -> None:
        self.conn.execute(
            "UPDATE receiving_unit SET line_key = ? WHERE doc_id = ? AND line_key = ?",
            (new_key, doc_id, old_key),
        )

    def unit_count(self, doc_id: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM receiving_unit WHERE doc_id = ?", (doc_id,)
        ).fetchone()[0]


def receiving_view(conn: sqlite3.Connection, doc_id: str) -> dict:
    """The receiving screen and the printed report, from a read connection."""
    return _view(SimpleNamespace(receiving=ReceivingRepo(conn, "")), doc_id)


def link_candidates(conn: sqlite3.Connection, text: str) -> dict:
    """What a typed article names, for «Привязать»: {"by": "sku", "items": [that variant]} for a
    variant's sku, {"by": "article", "items": [its live variants]} for a product's article (typed
    in any case), or {"by": None, "items": []}. Each item: sku, name, `values` (its
    characteristics, «красный, XS», to choose by), archived, on_hand."""
    rows = conn.execute(f"{_ITEM} WHERE v.sku = ? COLLATE NOCASE ORDER BY v.sku", (text,))
    items = [_item(row) for row in rows]
    if items:
        return {"by": "sku", "items": items}
    rows = conn.execute(f"{_ITEM} WHERE v.sku IN ({_ARTICLE_VARIANTS}) ORDER BY v.rowid", (text,))
    items = [_item(row) for row in rows]
    return {"by": "article" if items else None, "items": items}


def _item(row) -> dict:
    sku, name, values_json, names_json, archived, on_hand = row
    values = json.loads(values_json or "{}")
    shown = [values[n] for n in json.loads(names_json or "[]") if n in values]
    return {
        "sku": sku,
        "name": name,
        "values": ", ".join(shown),
        "archived": bool(archived),
        "on_hand": on_hand,
    }
