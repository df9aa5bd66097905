"""What every document filled by scans keeps in SQLite, whatever the document: the lines of
known skus (`{kind}_line`: the running count per sku, in scan order), the codes the catalog did
not know (`{kind}_unknown`: scans per code) and the marked units already counted (`{kind}_unit`:
one row per Честный ЗНАК code). A document kind names its tables' prefix, its id column and its
count column; the rest of its repo is its own."""

import sqlite3

from gateway.domain.scan_document import UnknownCode


class ScanDocumentRepo:
    kind = ""  # the tables' prefix: receiving, stocktake
    id_column = ""  # doc_id, take_id
    count_column = ""  # the line's running count: qty, counted

    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now
        line, unknown = f"{self.kind}_line", f"{self.kind}_unknown"
        # The next position in a document: after every line and unknown code scanned so far.
        self._next_pos = (
            f"(SELECT COALESCE(MAX(pos), 0) + 1 FROM (SELECT pos FROM {line}"
            f" WHERE {self.id_column} = :doc UNION ALL SELECT pos FROM {unknown}"
            f" WHERE {self.id_column} = :doc))"
        )

    def line_count(self, doc_id: str, line_key: str) -> int:
        """The running count of a sku's line, or the scans of an unknown code (0: neither)."""
        row = self.conn.execute(
            f"SELECT {self.count_column} FROM {self.kind}_line"
            f" WHERE {self.id_column} = ? AND sku = ?",
            (doc_id, line_key),
        ).fetchone()
        return row[0] if row is not None and row[0] else self.unknown_scans(doc_id, line_key)

    # --- codes the catalog did not know ----------------------------------------------------------
    def unknown_scans(self, doc_id: str, code: str) -> int:
        row = self.conn.execute(
            f"SELECT scans FROM {self.kind}_unknown WHERE {self.id_column} = ? AND code = ?",
            (doc_id, code),
        ).fetchone()
        return 0 if row is None else row[0]

    def set_unknown(self, doc_id: str, code: str, scans: int) -> None:
        """The code's scans (0 removes it). A new code goes after the other lines."""
        table = f"{self.kind}_unknown"
        if scans <= 0:
            self.conn.execute(
                f"DELETE FROM {table} WHERE {self.id_column} = ? AND code = ?", (doc_id, code)
            )
            return
        self.conn.execute(
            f"INSERT INTO {table}({self.id_column}, code, scans, pos)"
            f" VALUES (:doc, :code, :scans, {self._next_pos})"
            f" ON CONFLICT({self.id_column}, code) DO UPDATE SET scans = excluded.scans",
            {"doc": doc_id, "code": code, "scans": scans},
        )

    def unknowns(self, doc_id: str) -> list[UnknownCode]:
        rows = self.conn.execute(
            f"SELECT code, scans FROM {self.kind}_unknown WHERE {self.id_column} = ? ORDER BY pos",
            (doc_id,),
        )
        return [UnknownCode(row[0], row[1]) for row in rows]

    # --- marking codes: one physical unit each ---------------------------------------------------
    def remember_unit(self, doc_id: str, code: str, line_key: str) -> bool:
        """False if this unit was already counted in the document."""
        cursor = self.conn.execute(
            f"INSERT OR IGNORE INTO {self.kind}_unit({self.id_column}, code, line_key)"
            " VALUES (?,?,?)",
            (doc_id, code, line_key),
        )
        return cursor.rowcount == 1

    def forget_units(self, doc_id: str, line_key: str) -> None:
        self.conn.execute(
            f"DELETE FROM {self.kind}_unit WHERE {self.id_column} = ? AND line_key = ?",
            (doc_id, line_key),
        )
