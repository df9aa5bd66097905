"""`storegw catalog import FILE` read as a stream (issue 12): the same result as the same document
sent over MQTT (`catalog.upsert`), the same rejections, a file broken halfway changes nothing,
and the products are staged while the file is still being read. The MQTT route stages the
received products the same way (`import_catalog`), each rule applied once."""

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.catalog_cli import import_catalog_file
from gateway.cli_errors import CliError
from gateway.domain.catalog import parse_catalog_upsert, search_text
from gateway.domain.errors import InvalidInput
from gateway.services.catalog import apply_catalog, import_catalog
from tests.builders import catalog, product, simple_product, variant

STOREGW = Path(sys.executable).parent / "storegw"
TABLES = ("product", "variant", "barcode", "stock_level", "stock_search", "stock_low")


def shirt(product_id: str, *skus: str, **fields) -> dict:
    sizes = ("S", "M", "L", "XL")
    return product(
        product_id,
        [
            variant(sku, 1000 + n, [{"code": f"46{n:011d}", "pack": 1}], Размер=sizes[n])
            for n, sku in enumerate(skus)
        ],
        **fields,
    )


EARLIER = catalog(shirt("P-1", "A-S", "A-M"), shirt("P-2", "B-S"), simple_product("OLD"))
# Everything the rules look at: a broken product, a product twice, a sku claimed by two products,
# a sku still live in a product the message leaves alone, a sku moving with its old product's
# consent, a changed barcode and threshold, and a full snapshot that archives the rest.
TRICKY = {
    "full": True,
    "products": [
        shirt("P-1", "A-S", "A-L", min_stock=None),  # A-M dropped: archived
        {"id": "P-BROKEN", "vat": "vat22", "variants": []},
        42,
        shirt("P-TWICE", "T-S"),
        shirt("P-TWICE", "T-M"),
        shirt("P-X", "SHARED"),
        shirt("P-Y", "SHARED", "Y-M"),
        shirt("P-THIEF", "B-S"),  # still live in P-2, which the message does not change
        shirt("P-MOVE", "A-M"),  # P-1 dropped it in this same message
        product("P-3", [variant("C-1", 500, [{"code": "4600000000017", "pack": 6}])], []),
    ],
}
TRICKY["products"][-1]["variants"][0]["min_stock"] = 4
# What TRICKY's rules refuse, in the order the result lists them.
TRICKY_REJECTED = [
    ("P-BROKEN", "invalid"),
    (None, "invalid"),
    ("P-TWICE", "invalid"),
    ("P-X", "characteristics_mismatch"),
    ("P-Y", "characteristics_mismatch"),
    ("P-THIEF", "characteristics_mismatch"),
]


def dump(database: Database) -> dict[str, list[tuple]]:
    with closing(database.reader()) as conn:
        found = {
            t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES
        }
        found["outbox"] = [
            tuple(r) for r in conn.execute("SELECT type, data_json FROM outbox ORDER BY seq")
        ]
        # The variants' rowids (the catalog's order, which receiving shows) and their search rows.
        found["rowids"] = [
            tuple(r)
            for r in conn.execute(
                "SELECT v.rowid, v.sku, s.text FROM variant v"
                " LEFT JOIN stock_search s ON s.rowid = v.rowid ORDER BY v.rowid"
            )
        ]
    return found


def prepared(path: Path) -> Database:
    database = Database(path)
    database.run(apply_catalog, parse_catalog_upsert(EARLIER), report=False)
    return database


def write(path: Path, document, envelope: bool = True) -> Path:
    body = (
        {"v": 1, "id": "m-1", "type": "catalog.upsert", "data": document} if envelope else document
    )
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("envelope", [True, False], ids=["envelope", "data only"])
def test_a_streamed_file_gives_what_the_same_message_gives_over_mqtt(tmp_path, envelope):
    over_mqtt, streamed = prepared(tmp_path / "mqtt.db"), prepared(tmp_path / "file.db")
    try:
        expected = over_mqtt.run(apply_catalog, parse_catalog_upsert(TRICKY), report=False)
        file = write(tmp_path / "catalog.json", TRICKY, envelope)
        assert streamed.run(import_catalog_file, file) == expected
        assert dump(streamed) == dump(over_mqtt)
    finally:
        over_mqtt.close()
        streamed.close()
    assert expected["applied"] == ["P-1", "P-MOVE", "P-3"]
    assert expected["archived"] == ["P-2", "P-OLD"]
    assert [(r["product_id"], r["reason"]) for r in expected["rejected"]] == TRICKY_REJECTED


def test_the_mqtt_route_stages_the_received_products_with_the_same_result(tmp_path):
    """inbox `_catalog` hands the received body to `import_catalog`: each product is read once
    by `parse_product`, the message-wide rules run on the stage."""
    parsed, received = prepared(tmp_path / "parsed.db"), prepared(tmp_path / "received.db")
    try:
        expected = parsed.run(apply_catalog, parse_catalog_upsert(TRICKY), ref_id="m-1")
        assert received.run(import_catalog, TRICKY, ref_id="m-1") == expected
        assert dump(received) == dump(parsed)
        assert [t for t, _ in dump(received)["outbox"]].count("message.rejected") == 6
        with pytest.raises(InvalidInput, match=r"data.products must be a list"):
            received.run(import_catalog, {"full": True, "products": {"id": "P-1"}})
    finally:
        parsed.close()
        received.close()


@pytest.mark.parametrize("envelope", [True, False], ids=["envelope", "data only"])
def test_flags_after_the_products_are_read_before_anything_is_decided(tmp_path, envelope):
    """`full` (and the envelope's `type`) may come after the products: the products are staged
    as they come, the decision waits for the end of the file."""
    over_mqtt, streamed = prepared(tmp_path / "mqtt.db"), prepared(tmp_path / "file.db")
    document = {"products": TRICKY["products"], "full": True}
    body = {"v": 1, "data": document, "type": "catalog.upsert"} if envelope else document
    path = tmp_path / "late.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    try:
        expected = over_mqtt.run(apply_catalog, parse_catalog_upsert(TRICKY), report=False)
        assert streamed.run(import_catalog_file, path) == expected
        assert expected["archived"] == ["P-2", "P-OLD"]  # full, read after the products
        assert dump(streamed) == dump(over_mqtt)
        if envelope:
            body["type"] = "stock.set"
            path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            with pytest.raises(CliError, match="holds a 'stock.set' message, not a catalog"):
                streamed.run(import_catalog_file, path)
    finally:
        over_mqtt.close()
        streamed.close()


def test_the_search_index_follows_the_catalog(tmp_path):
    """Every variant of an applied product has the search row its name, article, sku and
    barcodes (in code order) give, a variant dropped from the message (archived) too, even
    when products the rules refuse claim it; rows of products the message leaves alone are not
    rewritten."""
    database = prepared(tmp_path / "g.db")
    renamed = shirt("P-1", "A-S", article="NEW-ART")  # A-M dropped: archived, still searchable
    renamed["variants"][0]["barcodes"].insert(0, {"code": "4690000000010", "pack": 2})
    claims = [shirt("P-Q", "A-M"), shirt("P-R", "A-M")]  # both refused: a sku of two products
    try:
        with closing(database.reader()) as conn:
            before = dict(conn.execute("SELECT rowid, text FROM stock_search"))
        result = database.run(import_catalog, {"products": [renamed, *claims]}, report=False)
        with closing(database.reader()) as conn:
            after = dict(conn.execute("SELECT rowid, text FROM stock_search"))
            variants = conn.execute(
                "SELECT v.rowid, v.name, p.article, v.sku, v.product_id,"
                " (SELECT group_concat(code, ' ') FROM barcode b WHERE b.sku = v.sku)"
                " FROM variant v JOIN product p ON p.id = v.product_id"
            ).fetchall()
    finally:
        database.close()
    assert result["applied"] == ["P-1"] and len(result["rejected"]) == 2
    assert after == {
        rowid: search_text(name, article, sku, " ".join(sorted((codes or "").split())))
        for rowid, name, article, sku, _, codes in variants
    }
    assert (
        "4600000000000 4690000000010" in after[next(r for r, *_, s, _, _ in variants if s == "A-S")]
    )
    assert "new-art" in after[next(r for r, *_, sku, _, _ in variants if sku == "A-M")]
    untouched = [rowid for rowid, *_, product_id, _ in variants if product_id != "P-1"]
    assert untouched and all(after[rowid] == before[rowid] for rowid in untouched)


def test_the_rejections_read_as_the_domain_words_them(tmp_path):
    """The message-wide rules run on the stage; their words are the domain's, one for one."""
    database = Database(tmp_path / "g.db")
    try:
        document = {"products": TRICKY["products"][:7]}
        result = database.run(import_catalog_file, write(tmp_path / "c.json", document))
    finally:
        database.close()
    domain = parse_catalog_upsert(document).rejected
    assert result["rejected"] == [
        {"product_id": r.product_id, "reason": r.reason, "detail": r.detail} for r in domain
    ]


def test_a_file_broken_halfway_changes_nothing(tmp_path):
    database = prepared(tmp_path / "g.db")
    before = dump(database)
    text = json.dumps({"data": {"products": [shirt(f"N-{n}", f"N-{n}-S") for n in range(50)]}})
    broken = tmp_path / "broken.json"
    broken.write_text(text[: len(text) // 2] + "}{ oops", encoding="utf-8")
    try:
        with pytest.raises(CliError, match=r"broken.json is not valid UTF-8 JSON .* after \d+"):
            database.run(import_catalog_file, broken)
        assert dump(database) == before
    finally:
        database.close()


def test_another_message_type_is_refused(tmp_path):
    database = Database(tmp_path / "g.db")
    path = tmp_path / "order.json"
    path.write_text(json.dumps({"type": "order.created", "data": {"products": []}}))
    try:
        with pytest.raises(CliError, match="holds a 'order.created' message, not a catalog"):
            database.run(import_catalog_file, path)
        with pytest.raises(CliError, match="data.products"):
            database.run(import_catalog_file, write(tmp_path / "none.json", {"full": True}))
    finally:
        database.close()


class CountingFile:
    """A binary file that records how much of itself had been read at each staged product."""

    def __init__(self, path: Path):
        self.file = open(path, "rb")  # noqa: SIM115 (closed by __exit__)
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.read_so_far += len(chunk)
        return chunk

    def seek(self, offset: int) -> int:
        self.read_so_far = offset
        return self.file.seek(offset)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()


def test_20000_variants_are_staged_while_the_file_is_still_being_read(tmp_path, monkeypatch):
    """The memory-light path: the first products are staged long before the end of the file
    (a whole-document parser would read it all first); the command-line tool applies it all."""
    products = [shirt(f"P-{p:05d}", *(f"S-{p:05d}-{v}" for v in range(4))) for p in range(5000)]
    path = write(tmp_path / "big.json", {"full": False, "products": products})
    size = path.stat().st_size
    seen_at: list[int] = []  # bytes of the file read when each product was staged
    opened: list[CountingFile] = []

    def counting_open(self, mode="r", *args, **kwargs):
        assert mode == "rb"
        opened.append(CountingFile(self))
        return opened[-1]

    database = Database(tmp_path / "g.db")
    monkeypatch.setattr(Path, "open", counting_open)
    try:
        result = database.run(
            import_catalog_file, path, progress=lambda n: seen_at.append(opened[-1].read_so_far)
        )
    finally:
        monkeypatch.undo()
        database.close()
    assert len(result["applied"]) == 5000 and result["rejected"] == []
    assert seen_at[0] < size / 10 and seen_at[2500] < size * 0.75

    again = subprocess.run(
        [str(STOREGW), "--db", str(tmp_path / "g.db"), "catalog", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "applied 5000 products, archived 0, rejected 0" in again.stdout
    with closing(sqlite3.connect(tmp_path / "g.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM variant").fetchone()[0] == 20000
        assert conn.execute("SELECT COUNT(*) FROM stock_search").fetchone()[0] == 20000
        # Written in bulk (bigger segments, merged later), then FTS5's defaults again.
        config = dict(conn.execute("SELECT k, v FROM stock_search_config"))
        assert config.get("automerge", 4) == 4 and config.get("hashsize", 2**20) == 2**20
