"""The catalog replica in SQLite. Nothing here deletes a variant: archiving is a flag."""

import json
import sqlite3
from dataclasses import dataclass

from gateway.domain.catalog import Product
from gateway.domain.receiving import BarcodeMatch

from .schema_stock import rebuild_search, refresh_search_of_sku


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

    def upsert_product(self, product: Product, catalog_version: int) -> list[str]:
        """Returns the skus whose catalog threshold (`min_stock`) changed."""
        conn = self.conn
        before = dict(
            conn.execute("SELECT sku, min_stock FROM variant WHERE product_id = ?", (product.id,))
        )
        conn.execute(
            "INSERT INTO product(id, article, name, vat, marked, characteristics_json, archived,"
            " catalog_version) VALUES (?,?,?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET article = excluded.article, name = excluded.name,"
            " vat = excluded.vat, marked = excluded.marked,"
            " characteristics_json = excluded.characteristics_json,"
            " archived = excluded.archived, catalog_version = excluded.catalog_version",
            (
                product.id,
                product.article,
                product.name,
                product.vat,
                int(product.marked),
                json.dumps(list(product.characteristics), ensure_ascii=False),
                int(product.archived),
                catalog_version,
            ),
        )
        # Variants absent from the message are archived (never deleted); the ones present are
        # revived below. Archiving first lets two variants swap characteristics in one message.
        conn.execute("UPDATE variant SET archived = 1 WHERE product_id = ?", (product.id,))
        archived = int(product.archived)
        conn.executemany(
            "INSERT INTO variant(sku, product_id, name, characteristics_json, char_key, price,"
            " archived, min_stock) VALUES (?,?,?,?,?,?,?,?)"
            " ON CONFLICT(sku) DO UPDATE SET product_id = excluded.product_id,"
            " name = excluded.name,"
            " characteristics_json = excluded.characteristics_json,"
            " char_key = excluded.char_key, price = excluded.price, archived = excluded.archived,"
            " min_stock = excluded.min_stock",
            [
                (
                    v.sku,
                    product.id,
                    product.variant_name(v),
                    json.dumps(v.characteristics, ensure_ascii=False),
                    v.char_key,
                    v.price,
                    archived,
                    v.min_stock,
                )
                for v in product.variants
            ],
        )
        skus = [(v.sku,) for v in product.variants]
        conn.executemany("DELETE FROM barcode WHERE sku = ?", skus)
        conn.executemany(
            "INSERT OR REPLACE INTO barcode(code, sku, pack_qty) VALUES (?,?,?)",
            [(b.code, v.sku, b.pack) for v in product.variants for b in v.barcodes],
        )
        rebuild_search(conn, product.id)
        listed = {v.sku: v.min_stock for v in product.variants}
        return sorted(
            sku for sku in listed.keys() | before.keys() if listed.get(sku) != before.get(sku)
        )

    def archive_products_except(self, keep: set[str]) -> list[str]:
        """After a full snapshot: archive every live product it did not mention."""
        ids = [
            row[0]
            for row in self.conn.execute("SELECT id FROM product WHERE archived = 0")
            if row[0] not in keep
        ]
        for product_id in ids:
            self.conn.execute("UPDATE product SET archived = 1 WHERE id = ?", (product_id,))
            self.conn.execute("UPDATE variant SET archived = 1 WHERE product_id = ?", (product_id,))
        return ids

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
