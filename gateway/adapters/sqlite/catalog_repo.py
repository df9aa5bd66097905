"""The catalog replica in SQLite. Nothing here deletes a variant: archiving is a flag."""

import sqlite3
from dataclasses import dataclass
from json.encoder import encode_basestring as _quoted  # json's own string quoting (C)

from gateway.domain.catalog import Product, ProductRejection, search_text
from gateway.domain.receiving import BarcodeMatch

from .schema_catalog_stage import (
    LIVE_VARIANTS,
    STAGED_COLUMNS,
    create_stage,
    drop_stage,
    staged_rejections,
)
from .schema_stock import SEARCH_CODES, refresh_search_of_sku

STAGE_BATCH = 1000  # products staged per executemany
# The search rows as FTS5 keeps them (its `_content` table: id, c0 = text), read as a plain
# table: a b-tree probe per staged row instead of a query of the virtual table (0.1 s a catalog).
SEARCH_ROWS = "stock_search_content"
BULK_SEARCH_ROWS = 5000  # from this many search rows on, the index is written in bulk
HASH, BULK_HASH = 2**20, 2**23  # FTS5's pending terms flushed as a segment: default, bulk


def _names_json(names: tuple[str, ...]) -> str:
    """json.dumps(list(names), ensure_ascii=False), without building an encoder per call."""
    return "[" + ", ".join([_quoted(name) for name in names]) + "]"


def _values_json(values: dict[str, str]) -> str:
    """json.dumps(values, ensure_ascii=False) for a dict of strings, likewise."""
    return "{" + ", ".join([f"{_quoted(k)}: {_quoted(v)}" for k, v in values.items()]) + "}"


def _stage_insert(schema: str, table: str) -> str:
    columns = STAGED_COLUMNS[table]
    marks = ",".join("?" * len(columns.split(",")))
    return f"INSERT INTO {schema}.{table}({columns}) VALUES ({marks})"


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
    def __init__(self, conn: sqlite3.Connection, stage_schema: str = "temp"):
        """`stage_schema`: where a catalog.upsert is staged; `main` in a reader process's own
        scratch file (gateway/catalog_readers.py), which stages and applies nothing else."""
        self.conn = conn
        self.stage_schema = stage_schema

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

    def archived(self, sku: str) -> bool | None:
        """Whether `sku` is archived; None if no such variant (an order's check needs no more)."""
        row = self.conn.execute("SELECT archived FROM variant WHERE sku = ?", (sku,)).fetchone()
        return None if row is None else bool(row[0])

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
        create_stage(self.conn, self.stage_schema)
        self._staged: list[tuple[int, Product]] = []

    def stage(self, product: Product, pos: int) -> None:
        """One parsed product of the message, `pos` its place there (from 1); written to the
        stage in batches."""
        self._staged.append((pos, product))
        if len(self._staged) >= STAGE_BATCH:
            self.flush_stage()

    def stage_named(self, product_id: str) -> None:
        """A product the message names but could not parse (a full snapshot keeps it)."""
        self.conn.execute(
            f"INSERT INTO {self.stage_schema}.stage_named(id) VALUES (?)", (product_id,)
        )

    def take_stage(self, schema: str) -> None:
        """Append what another reader of the same file staged in its own file, attached as
        `schema`."""
        self.flush_stage()
        for table, columns in STAGED_COLUMNS.items():
            self.conn.execute(
                f"INSERT INTO temp.{table}({columns})"
                f" SELECT {columns} FROM {schema}.{table} ORDER BY rowid"
            )

    def flush_stage(self) -> None:
        # The hot loop of a 100 000-variant import: plain tuples, JSON without an encoder each.
        products, variants, barcodes = [], [], []
        for pos, product in self._staged:
            product_id, name, names = product.id, product.name, product.characteristics
            article = product.article
            products.append(
                (
                    pos,
                    product_id,
                    article,
                    name,
                    product.vat,
                    int(product.marked),
                    _names_json(names),
                    int(product.archived),
                )
            )
            for v in product.variants:
                chars = v.characteristics
                # Product.variant_name, inlined: the values in the product's declared order.
                full_name = f"{name} ({', '.join([chars[c] for c in names])})" if chars else name
                sku = v.sku
                codes = ""
                if v.barcodes:
                    barcodes += [(sku, b.code, b.pack) for b in v.barcodes]
                    codes = " ".join(sorted({b.code for b in v.barcodes}))
                variants.append(
                    (
                        pos,
                        product_id,
                        sku,
                        full_name,
                        _values_json(chars),
                        v.char_key,
                        v.price,
                        v.min_stock,
                        # Its search row, as `rebuild_search` writes it: once the product
                        # applies, the variant's barcodes are the message's.
                        search_text(full_name, article, sku, codes),
                    )
                )
        self._staged = []
        conn, stage = self.conn, self.stage_schema
        conn.executemany(_stage_insert(stage, "stage_product"), products)
        conn.executemany(_stage_insert(stage, "stage_variant"), variants)
        conn.executemany(_stage_insert(stage, "stage_barcode"), barcodes)

    def check_stage(self) -> list[ProductRejection]:
        self.flush_stage()
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
            f" price, product_archived, min_stock FROM ({live}) ORDER BY product_pos, pos"
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
        text changed. A staged variant's text was made as it was staged; the product's other
        variants (archived, not in the message) get theirs from the tables, where the product's
        article may just have changed."""
        conn = self.conn
        conn.create_function("catalog_search_text", 4, search_text, deterministic=True)
        staged = conn.execute(
            "INSERT INTO temp.stage_search(id, text)"
            f" SELECT v.rowid, s.search FROM ({LIVE_VARIANTS}) s JOIN variant v ON v.sku = s.sku"
            " UNION ALL SELECT v.rowid, catalog_search_text(v.name, p.article, v.sku,"
            f" ({SEARCH_CODES})) FROM temp.stage_product sp JOIN product p ON p.id = sp.id"
            " JOIN variant v ON v.product_id = p.id WHERE sp.verdict IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM temp.stage_variant s WHERE s.sku = v.sku AND s.product_id = p.id)"
        ).rowcount
        conn.execute(
            "DELETE FROM stock_search WHERE rowid IN (SELECT n.id FROM temp.stage_search n"
            f" JOIN {SEARCH_ROWS} s ON s.id = n.id WHERE s.c0 IS NOT n.text)"
        )
        # In bulk, merging index segments as they are written costs more than the writing, and
        # bigger segments (8 MB of pending terms in memory, not 1) leave a few, which search as
        # fast as one (measured) and which automerge folds in over the next writes.
        bulk = staged >= BULK_SEARCH_ROWS
        if bulk:
            self._search_config(automerge=0, hashsize=BULK_HASH)
        conn.execute(
            "INSERT INTO stock_search(rowid, text) SELECT n.id, n.text FROM temp.stage_search n"
            f" WHERE NOT EXISTS (SELECT 1 FROM {SEARCH_ROWS} s WHERE s.id = n.id) ORDER BY n.id"
        )
        if bulk:
            self._search_config(automerge=4, hashsize=HASH)  # FTS5's defaults

    def _search_config(self, **settings: int) -> None:
        for name, value in settings.items():
            self.conn.execute(
                "INSERT INTO stock_search(stock_search, rank) VALUES (?, ?)", (name, value)
            )

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
