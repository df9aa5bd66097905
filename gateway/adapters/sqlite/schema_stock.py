"""Tables of the stock desk (issue 10): migration m009.

- `variant.min_stock`: the back-office's «неснижаемый остаток» from the catalog (contract 1.1).
- `stock_threshold`: a manager's own threshold for a sku; the cloud's catalog never touches it.
- `stock_low`: the skus announced low (`stock.low`) and not recovered since, so a sku that stays
  low is announced once, and again only after it was above its threshold.
- `stock_setting`: the configured default threshold, as the writer last saw it.
- `stock_correction`: why a manager corrected the stock (the ledger row points here).
- `stock_search`: one row per variant (rowid = the variant's rowid) with its name, article, sku
  and barcodes folded to lower case in Python — SQLite's lower() knows ASCII only — in a trigram
  index, so a piece of a word finds an item among 100 000 without reading them all."""

import sqlite3

from sqlite_utils import Database

from gateway.domain.catalog import search_text


def create_stock_tables(db: Database) -> None:
    db.executescript(
        """
ALTER TABLE variant ADD COLUMN min_stock INTEGER CHECK (min_stock IS NULL OR min_stock >= 0);
CREATE INDEX variant_min_stock ON variant(sku) WHERE min_stock IS NOT NULL;
-- Typing an article finds its product at once.
CREATE INDEX product_article ON product(article);

CREATE TABLE stock_threshold(
  sku TEXT PRIMARY KEY REFERENCES variant(sku),
  min_stock INTEGER NOT NULL CHECK (min_stock >= 0),
  set_by TEXT,
  staff_id INTEGER,
  set_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE stock_low(
  sku TEXT PRIMARY KEY REFERENCES variant(sku),
  available INTEGER NOT NULL,
  min_stock INTEGER NOT NULL,
  since TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE stock_setting(name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;

CREATE TABLE stock_correction(
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL REFERENCES variant(sku),
  reason TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  delta INTEGER NOT NULL CHECK (delta != 0),
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
  actor TEXT,
  staff_id INTEGER,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX stock_correction_sku ON stock_correction(sku);

CREATE VIRTUAL TABLE stock_search USING fts5(text, tokenize = 'trigram case_sensitive 0');
"""
    )
    rebuild_search(db.conn)


# A variant's barcodes in its search text: in code order, as a catalog's import stages them.
SEARCH_CODES = (
    "SELECT group_concat(code, ' ') FROM (SELECT code FROM barcode b WHERE b.sku = v.sku"
    " ORDER BY code)"
)


def rebuild_search(conn: sqlite3.Connection, product_id: str | None = None) -> None:
    """(Re)write the search rows of every variant, or of one product's variants."""
    where, args = ("WHERE v.product_id = ?", (product_id,)) if product_id else ("", ())
    rows = conn.execute(
        f"SELECT v.rowid, v.name, p.article, v.sku, ({SEARCH_CODES})"
        f" FROM variant v JOIN product p ON p.id = v.product_id {where}",
        args,
    ).fetchall()
    conn.executemany(
        "INSERT OR REPLACE INTO stock_search(rowid, text) VALUES (?, ?)",
        [
            (rowid, search_text(name, article, sku, codes or ""))
            for rowid, name, article, sku, codes in rows
        ],
    )


def refresh_search_of_sku(conn: sqlite3.Connection, sku: str) -> None:
    row = conn.execute("SELECT product_id FROM variant WHERE sku = ?", (sku,)).fetchone()
    if row is not None:
        rebuild_search(conn, row[0])


def search_without_positions(db: Database) -> None:
    """m027: the search index keeps which rows hold a trigram, not where in them (`detail=none`),
    nor each row's length (`columnsize=0`: only ranking reads it, and the search does not rank),
    and does not fold case again (`case_sensitive 1`: the text is folded in Python already).
    A piece of a word is then found by `GLOB`, which FTS5 answers from the index and checks on
    the row's text. The positions were 60 % of the index, written at every catalog import."""
    db.executescript(
        """
DROP TABLE stock_search;
CREATE VIRTUAL TABLE stock_search USING fts5(
  text, tokenize = 'trigram case_sensitive 1', detail = none, columnsize = 0);
"""
    )
    rebuild_search(db.conn)
