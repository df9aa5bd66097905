"""A catalog.upsert staged in TEMP tables before it is applied (issue 12).

The products of one message are written here as they are parsed, so a 100 000-variant catalog
is never held in memory, and the message-wide rules are then checked with a few set-based
queries: a product repeated in the message, a sku claimed by two of its products, a sku still
live in a product the message does not change. Each rejection reads exactly as the domain's
(`gateway/domain/catalog.py`). TEMP tables live in the connection's own temporary file: nothing
staged reaches the WAL, and a rolled-back command takes them back with everything else."""

import sqlite3

from gateway.domain.catalog import CHARACTERISTICS_MISMATCH, ProductRejection

# `verdict` NULL: the product applies; 'rejected' once a rule refused it. `pos`: the product's
# place in the message (from 1); a variant's `pos` orders it within its product.
_CREATE = """
CREATE TABLE {schema}.stage_product(
  pos INTEGER PRIMARY KEY, id TEXT NOT NULL, article TEXT NOT NULL, name TEXT NOT NULL,
  vat TEXT NOT NULL, marked INTEGER NOT NULL, characteristics_json TEXT NOT NULL,
  archived INTEGER NOT NULL, verdict TEXT);
CREATE TABLE {schema}.stage_variant(
  pos INTEGER PRIMARY KEY, product_pos INTEGER NOT NULL, product_id TEXT NOT NULL,
  sku TEXT NOT NULL, name TEXT NOT NULL, characteristics_json TEXT NOT NULL,
  char_key TEXT NOT NULL, price INTEGER NOT NULL, min_stock INTEGER, search TEXT NOT NULL);
CREATE TABLE {schema}.stage_barcode(
  pos INTEGER PRIMARY KEY, sku TEXT NOT NULL, code TEXT NOT NULL, pack INTEGER NOT NULL);
-- Products the message names but could not parse: a full snapshot does not archive them.
CREATE TABLE {schema}.stage_named(id TEXT NOT NULL);
-- The search text of each applied variant (by its rowid), compared with the index's.
CREATE TABLE {schema}.stage_search(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
"""
# Built once everything is staged: one sort instead of 100 000 index insertions.
_INDEXES = """
CREATE INDEX temp.stage_product_id ON stage_product(id);
CREATE INDEX temp.stage_variant_sku ON stage_variant(sku, product_id);
CREATE INDEX temp.stage_variant_product ON stage_variant(product_pos);
CREATE INDEX temp.stage_barcode_sku ON stage_barcode(sku, code);
"""
_TABLES = ("stage_product", "stage_variant", "stage_barcode", "stage_named", "stage_search")
# What one reader of a file staged, appended to another's stage (gateway/catalog_readers.py):
# a variant's and a barcode's `pos` are given anew, after the stage's own.
STAGED_COLUMNS = {
    "stage_product": "pos, id, article, name, vat, marked, characteristics_json, archived",
    "stage_variant": "product_pos, product_id, sku, name, characteristics_json, char_key, price,"
    " min_stock, search",
    "stage_barcode": "sku, code, pack",
    "stage_named": "id",
}

# The variants of the products that apply, with their product's flags.
LIVE_VARIANTS = (
    "SELECT s.*, p.archived AS product_archived FROM temp.stage_variant s"
    " JOIN temp.stage_product p ON p.pos = s.product_pos WHERE p.verdict IS NULL"
)


def create_stage(conn: sqlite3.Connection, schema: str = "temp") -> None:
    """In the connection's TEMP tables; a reader process's in its own scratch file (`main`)."""
    drop_stage(conn, schema)
    _script(conn, _CREATE.format(schema=schema))


def index_stage(conn: sqlite3.Connection) -> None:
    _script(conn, _INDEXES)


def _script(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): that would COMMIT the command's transaction first.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def drop_stage(conn: sqlite3.Connection, schema: str = "temp") -> None:
    for table in _TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {schema}.{table}")


def staged_rejections(conn: sqlite3.Connection) -> list[ProductRejection]:
    """The message-wide rules, in the domain's order; each refused product is marked."""
    index_stage(conn)
    rejected = _repeated(conn)
    rejected += _shared(conn)
    rejected += _held_elsewhere(conn)
    return rejected


def _reject(conn: sqlite3.Connection, positions: list[int]) -> None:
    conn.executemany(
        "UPDATE temp.stage_product SET verdict = 'rejected' WHERE pos = ?",
        [(pos,) for pos in positions],
    )


def _repeated(conn: sqlite3.Connection) -> list[ProductRejection]:
    """The same product twice in one message: which one is meant? Neither is applied."""
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM temp.stage_product GROUP BY id HAVING COUNT(*) > 1 ORDER BY id"
        )
    ]
    conn.executemany(
        "UPDATE temp.stage_product SET verdict = 'rejected' WHERE id = ?", [(i,) for i in ids]
    )
    return [
        ProductRejection(i, "invalid", f"product {i} appears more than once in the message")
        for i in ids
    ]


def _shared(conn: sqlite3.Connection) -> list[ProductRejection]:
    """A sku listed by two products of the message: both are refused."""
    # One index probe per staged variant (not a GROUP BY over all of them).
    clashes = conn.execute(
        "SELECT s.product_pos, s.product_id, s.sku, MIN(s.pos) FROM temp.stage_variant s"
        " JOIN temp.stage_product p ON p.pos = s.product_pos AND p.verdict IS NULL"
        " WHERE EXISTS (SELECT 1 FROM temp.stage_variant o JOIN temp.stage_product op"
        " ON op.pos = o.product_pos AND op.verdict IS NULL"
        " WHERE o.sku = s.sku AND o.product_id != s.product_id)"
        " GROUP BY s.product_pos ORDER BY s.product_pos"
    ).fetchall()
    rejected = []
    for _, product_id, sku, _ in clashes:
        others = ", ".join(
            row[0]
            for row in conn.execute(
                f"SELECT DISTINCT product_id FROM ({LIVE_VARIANTS})"
                " WHERE sku = ? AND product_id != ? ORDER BY product_id",
                (sku, product_id),
            )
        )
        rejected.append(
            ProductRejection(
                product_id,
                CHARACTERISTICS_MISMATCH,
                f"product {product_id}: sku {sku} also belongs to product {others}"
                " in the same message (a sku belongs to one product)",
            )
        )
    _reject(conn, [row[0] for row in clashes])
    return rejected


def _held_elsewhere(conn: sqlite3.Connection) -> list[ProductRejection]:
    """A sku may move to another product only once its old product no longer offers it:
    archived there, or dropped from it in this same message."""
    held = conn.execute(
        f"WITH live AS ({LIVE_VARIANTS})"
        " SELECT s.product_pos, s.product_id, s.sku, v.product_id, MIN(s.pos) FROM live s"
        " JOIN main.variant v ON v.sku = s.sku"
        " WHERE v.product_id != s.product_id AND v.archived = 0"
        " AND (v.product_id NOT IN (SELECT product_id FROM live)"
        " OR EXISTS (SELECT 1 FROM live o WHERE o.sku = s.sku AND o.product_id = v.product_id))"
        " GROUP BY s.product_pos ORDER BY s.product_pos"
    ).fetchall()
    _reject(conn, [row[0] for row in held])
    return [
        ProductRejection(
            product_id,
            CHARACTERISTICS_MISMATCH,
            f"product {product_id}: sku {sku} already belongs to product {owner}"
            " (a sku belongs to one product)",
        )
        for _, product_id, sku, owner, _ in held
    ]
