"""The stock search's index without positions (m027, issue 12): a piece of a word is found
through the index by LIKE (of a code, its end) and each word is then matched exactly,
wildcards and all; a database from before m027 gets the new index with every variant's row."""

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlite_utils

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.schema import migrations
from gateway.adapters.sqlite.schema_stock import rebuild_search
from gateway.adapters.sqlite.stock_queries import search_stock
from tests import builders

OLD_CATALOG = """
INSERT INTO product(id, article, name, vat, catalog_version)
  VALUES ('P', 'ART-7', 'Ёлка', 'vat22', 1);
INSERT INTO variant(sku, product_id, name, price) VALUES ('ELKA-1', 'P', 'Ёлка (зелёная)', 100);
INSERT INTO barcode(code, sku) VALUES ('4600000000091', 'ELKA-1'), ('4600000000008', 'ELKA-1');
INSERT INTO stock_level(sku, location_id) VALUES ('ELKA-1', 'main');"""


def found(conn: sqlite3.Connection, text: str) -> list[str]:
    return sorted(item["sku"] for item in search_stock(conn, text)["items"])


def test_a_word_with_wildcards_or_a_backslash_matches_only_itself(shop):
    codes = ("A_B-10", "AXB-10", "50%-OFF", "50X-OFF", "A*B-20", "A?B-20", "AXB-20", "[AB]-30")
    shop.load_catalog(
        *[builders.simple_product(sku) for sku in codes], builders.simple_product("C\\D-1")
    )
    with closing(shop.db.reader()) as conn:
        assert found(conn, "a_b") == ["A_B-10"]
        assert found(conn, "50%-o") == ["50%-OFF"]
        assert found(conn, "a*b-2") == ["A*B-20"] and found(conn, "a?b-2") == ["A?B-20"]
        assert found(conn, "[ab]-3") == ["[AB]-30"] and found(conn, "[ab") == ["[AB]-30"]
        assert found(conn, "c\\d") == ["C\\D-1"]
        assert found(conn, "b-10 товар") == ["AXB-10", "A_B-10"]  # every word, in any order
        assert found(conn, "b-10 нет") == []


def test_a_piece_of_a_code_finds_only_the_codes_holding_all_of_it(shop):
    """The index is asked for the code's end only; the rest of it must still match."""
    shop.load_catalog(
        builders.simple_product("4600000012345"), builders.simple_product("4699999912345")
    )
    with closing(shop.db.reader()) as conn:
        assert found(conn, "00001234") == ["4600000012345"]
        assert found(conn, "12345") == ["4600000012345", "4699999912345"]


def test_a_database_from_before_m027_is_searchable_through_the_new_index(tmp_path: Path):
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.apply(sqlite_utils.Database(conn), stop_before="m027_search_without_positions")
        conn.executescript(OLD_CATALOG)
        rebuild_search(conn)
    database = Database(path)  # migrates
    try:
        with closing(database.reader()) as conn:
            (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'stock_search'")
            assert "detail = none" in sql[0]
            (text,) = conn.execute("SELECT text FROM stock_search").fetchone()
            assert found(conn, "елка") == found(conn, "00009") == found(conn, "t-7") == ["ELKA-1"]
    finally:
        database.close()
    assert text == "елка (зеленая) art-7 elka-1 4600000000008 4600000000091"  # codes in order
