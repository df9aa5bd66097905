"""The catalog replica in SQLite. Nothing here deletes a variant: archiving is a flag."""

import json
import sqlite3
from dataclasses import dataclass

from gateway.domain.catalog import Product, ProductRejection, search_text
from gateway.domain.receiving import BarcodeMatch

from .schema_catalog_stage import LIVE_VARIANTS, create_stage, drop_stage, staged_rejections
from .schema_stock import refresh_search_of_sku

STAGE_BATCH = 500  # products staged per executemany
SEARCH_SLICE = 2000  # products whose search rows are recomputed at once
BULK_SEARCH_PRODUCTS = 5000  # from this many products on, the search index is merged once


@dataclass(frozen=True)
class VariantRow:
    sku: str
    product_id: str
    name: str
    price: int
    archived: bool
    vat: str
    marked: bool


class CatalogRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def owners(self, skus: list[str]) -> dict[str, tuple[str, bool]]:
        """sku → (the product it belongs to locally, archived?), for the skus asked about."""
        owners: dict[str, tuple[str, bool]] = {}
        for start in range(0, len(skus), 500):
            chunk = skus[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for sku, product_id, archived in self.conn.execute(
                f"SELECT sku, product_id, archived FROM variant WHERE sku IN ({marks})", chunk
            ):
                owners[sku] = (product_id, bool(archived))
        return owners

    def variant(self, sku: str) -> VariantRow | None:
        row = self.conn.execute(
            "SELECT v.sku, v.product_id, v.name, v.price, v.archived, p.vat, p.marked"
            " FROM variant v JOIN product p ON p.id = v.product_id WHERE v.sku = ?",
            (sku,),
        ).fetchone()
        if row is None:
            return None
        return VariantRow(row[0], row[1], row[2], row[3], bool(row[4]), row[5], bool(row[6]))

    # --- a catalog.upsert, staged then applied set-based (schema_catalog_stage.py) -------------
    def begin_stage(self) -> None:
        create_stage(self.conn)
        self._staged: list[Product] = []
        self._positions = 0

    def stage(self, product: Product) -> None:
        """One parsed product of the message; written to the stage in batches."""
        self._staged.append(product)
        if len(self._staged) >= STAGE_BATCH:
            self._flush_stage()

    def stage_named(self, product_id: str) -> None:
        """A product the message names but could not parse (a full snapshot keeps it)."""
        self.conn.execute("INSERT INTO temp.stage_named(id) VALUES (?)", (product_id,))

    def _flush_stage(self) -> None:
        products, variants, barcodes = [], [], []
        for product in self._staged:
            self._positions += 1
            pos = self._positions
            products.append(
                (
                    pos,
                    product.id,
                    product.article,
                    product.name,
                    product.vat,
                    int(product.marked),
                    json.dumps(list(product.characteristics), ensure_ascii=False),
                    int(product.archived),
                )
            )
            for v in product.variants:
                variants.append(
                    (
                        pos,
                        product.id,
                        v.sku,
                        product.variant_name(v),
                        json.dumps(v.characteristics, ensure_ascii=False),
                        v.char_key,
                        v.price,
                        v.min_stock,
                    )
                )
                barcodes += [(v.sku, b.code, b.pack) for b in v.barcodes]
        self._staged = []
        conn = self.conn
        conn.executemany(
            "INSERT INTO temp.stage_product(pos, id, article, name, vat, marked,"
            " characteristics_json, archived) VALUES (?,?,?,?,?,?,?,?)",
            products,
        )
        conn.executemany(
            "INSERT INTO temp.stage_variant(product_pos, product_id, sku, name,"
            " characteristics_json, char_key, price, min_stock) VALUES (?,?,?,?,?,?,?,?)",
            variants,
        )
        conn.executemany("INSERT INTO temp.stage_barcode(sku, code, pack) VALUES (?,?,?)", barcodes)

    def check_stage(self) -> list[ProductRejection]:
        self._flush_stage()
        return staged_rejections(self.conn)

    def apply_stage(self, catalog_version: int) -> tuple[list[str], list[str]]:
        """Write every staged product not rejected, in a few statements. Returns (the ids
        applied, in message order; the skus whose catalog threshold `min_stock` changed).
        Rows that would not change are not rewritten: a daily identical catalog writes
        almost nothing to the SD card."""
        conn = self.conn
        live = f"SELECT * FROM ({LIVE_VARIANTS})"
        applied = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM temp.stage_product WHERE verdict IS NULL ORDER BY pos"
            )
        ]
        thresholds = [
            row[0]
            for row in conn.execute(
                f"SELECT s.sku FROM ({live}) s LEFT JOIN variant v"
                " ON v.sku = s.sku AND v.product_id = s.product_id"
                " WHERE s.min_stock IS NOT v.min_stock"
                " UNION SELECT v.sku FROM variant v JOIN temp.stage_product p"
                " ON p.id = v.product_id AND p.verdict IS NULL WHERE v.min_stock IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM temp.stage_variant s"
                " WHERE s.sku = v.sku AND s.product_id = v.product_id) ORDER BY 1"
            )
        ]
        conn.execute(
            "INSERT INTO product(id, article, name, vat, marked, characteristics_json, archived,"
            " catalog_version) SELECT id, article, name, vat, marked, characteristics_json,"
            " archived, ? FROM temp.stage_product WHERE verdict IS NULL ORDER BY pos"
            " ON CONFLICT(id) DO UPDATE SET article = excluded.article, name = excluded.name,"
            " vat = excluded.vat, marked = excluded.marked,"
            " characteristics_json = excluded.characteristics_json,"
            " archived = excluded.archived, catalog_version = excluded.catalog_version",
            (catalog_version,),
        )
        # Variants absent from the message are archived (never deleted), and so are those whose
        # characteristics change: two variants may swap characteristics in one message.
        conn.execute(
            "UPDATE variant SET archived = 1 WHERE archived = 0 AND product_id IN"
            " (SELECT id FROM temp.stage_product WHERE verdict IS NULL) AND NOT EXISTS"
            " (SELECT 1 FROM temp.stage_variant s WHERE s.sku = variant.sku"
            " AND s.product_id = variant.product_id AND s.char_key = variant.char_key)"
        )
        conn.execute(
            "INSERT INTO variant(sku, product_id, name, characteristics_json, char_key, price,"
            f" archived, min_stock) SELECT sku, product_id, name, characteristics_json, char_key,"
            f" price, product_archived, min_stock FROM ({live}) ORDER BY pos"
            " ON CONFLICT(sku) DO UPDATE SET product_id = excluded.product_id,"
            " name = excluded.name, characteristics_json = excluded.characteristics_json,"
            " char_key = excluded.char_key, price = excluded.price, archived = excluded.archived,"
            " min_stock = excluded.min_stock"
            " WHERE (product_id, name, characteristics_json, char_key, price, archived, min_stock)"
            " IS NOT (excluded.product_id, excluded.name, excluded.characteristics_json,"
            " excluded.char_key, excluded.price, excluded.archived, excluded.min_stock)"
        )
        # A variant's barcodes are the message's: others go (a locally learned one too).
        conn.execute(
            f"DELETE FROM barcode WHERE sku IN (SELECT sku FROM ({live})) AND NOT EXISTS"
            " (SELECT 1 FROM temp.stage_barcode b WHERE b.sku = barcode.sku"
            " AND b.code = barcode.code)"
        )
        conn.execute(
            "INSERT INTO barcode(code, sku, pack_qty) SELECT b.code, b.sku, b.pack"
            f" FROM temp.stage_barcode b WHERE b.sku IN (SELECT sku FROM ({live})) ORDER BY b.pos"
            " ON CONFLICT(code, sku) DO UPDATE SET pack_qty = excluded.pack_qty"
            " WHERE pack_qty != excluded.pack_qty"
        )
        self._refresh_staged_search()
        return applied, thresholds

    def _refresh_staged_search(self) -> None:
        """The search rows of every variant of the applied products, rewritten only where the
        text changed; in slices of products, never all rows in memory at once."""
        conn = self.conn
        (top,) = conn.execute("SELECT COALESCE(MAX(pos), 0) FROM temp.stage_product").fetchone()
        bulk = top >= BULK_SEARCH_PRODUCTS
        if bulk:  # merging index segments as they are written costs more than once at the end
            conn.execute("INSERT INTO stock_search(stock_search, rank) VALUES ('automerge', 0)")
        changed = 0
        for first in range(1, top + 1, SEARCH_SLICE):
            changed += self._refresh_search_slice(first, first + SEARCH_SLICE - 1)
        if bulk:
            conn.execute("INSERT INTO stock_search(stock_search, rank) VALUES ('automerge', 4)")
            if changed >= BULK_SEARCH_PRODUCTS:
                conn.execute("INSERT INTO stock_search(stock_search) VALUES ('optimize')")

    def _refresh_search_slice(self, first: int, last: int) -> int:
        conn = self.conn
        rows = conn.execute(
            "SELECT v.rowid, v.name, p.article, v.sku,"
            " (SELECT group_concat(code, ' ') FROM barcode b WHERE b.sku = v.sku),"
            " (SELECT text FROM stock_search s WHERE s.rowid = v.rowid)"
            " FROM temp.stage_product sp JOIN product p ON p.id = sp.id"
            " JOIN variant v ON v.product_id = p.id"
            " WHERE sp.pos BETWEEN ? AND ? AND sp.verdict IS NULL",
            (first, last),
        ).fetchall()
        changed = []
        for rowid, name, article, sku, codes, before in rows:
            text = search_text(name, article, sku, codes or "")
            if text != before:
                changed.append((rowid, text, before))
        conn.executemany(
            "DELETE FROM stock_search WHERE rowid = ?",
            [(rowid,) for rowid, _, before in changed if before is not None],
        )
        conn.executemany(
            "INSERT INTO stock_search(rowid, text) VALUES (?, ?)",
            [(rowid, text) for rowid, text, _ in changed],
        )
        return len(changed)

    def staged_skus_query(self) -> str:
        """SQL selecting the skus of the applied products (a statement for 100 000 skus)."""
        return f"SELECT sku FROM ({LIVE_VARIANTS})"

    def archive_unstaged(self) -> list[str]:
        """After a full snapshot: archive every live product the message did not name."""
        conn = self.conn
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM product WHERE archived = 0"
                " AND id NOT IN (SELECT id FROM temp.stage_product)"
                " AND id NOT IN (SELECT id FROM temp.stage_named) ORDER BY rowid"
            )
        ]
        conn.executemany("UPDATE product SET archived = 1 WHERE id = ?", [(i,) for i in ids])
        conn.executemany(
            "UPDATE variant SET archived = 1 WHERE product_id = ? AND archived = 0",
            [(i,) for i in ids],
        )
        return ids

    def end_stage(self) -> None:
        drop_stage(self.conn)

    # --- barcode lookup (receiving, stocktake) ---------------------------------------------------
    def barcode_matches(self, code: str) -> list[BarcodeMatch]:
        """Every sku this exact barcode belongs to (MoySklad allows one barcode on several)."""
        rows = self.conn.execute(
            "SELECT b.code, b.sku, b.pack_qty, v.name, v.archived"
            " FROM barcode b JOIN variant v ON v.sku = b.sku WHERE b.code = ? ORDER BY b.sku",
            (code,),
        )
        return [BarcodeMatch(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def barcodes_of(self, sku: str) -> list[BarcodeMatch]:
        rows = self.conn.execute(
            "SELECT b.code, b.sku, b.pack_qty, v.name, v.archived"
            " FROM barcode b JOIN variant v ON v.sku = b.sku WHERE b.sku = ? ORDER BY b.code",
            (sku,),
        )
        return [BarcodeMatch(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def find_barcode(self, codes: list[str]) -> list[BarcodeMatch]:
        """The matches of the first of `codes` the catalog knows (best form first), or []."""
        for code in codes:
            matches = self.barcode_matches(code)
            if matches:
                return matches
        return []

    def add_barcode(self, code: str, sku: str, pack: int) -> None:
        """A barcode learned locally (a manager linked an unknown code). The cloud learns it
        from the receiving.posted event; its next catalog.upsert of the product replaces it."""
        self.conn.execute(
            "INSERT INTO barcode(code, sku, pack_qty) VALUES (?, ?, ?)"
            " ON CONFLICT(code, sku) DO UPDATE SET pack_qty = excluded.pack_qty",
            (code, sku, pack),
        )
        refresh_search_of_sku(self.conn, sku)
