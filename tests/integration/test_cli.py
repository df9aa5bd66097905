"""The real `storegw` console script, run as a subprocess on real database files: catalog import,
stock, orders, check, and one-line errors without a traceback."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests.builders import catalog, order, product, simple_product, stock_set, variant
from tests.clean_env import storegw_free_env

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()

TSHIRT = product(
    "P-100",
    [variant("TS-RED-M", 129900, Размер="M"), variant("TS-RED-L", 129900, Размер="L")],
)
BROKEN = product("P-BAD", [variant("BAD-1", Размер="M"), variant("BAD-2", Размер="M")])


def storegw(cwd: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STOREGW), *map(str, args)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def seed(db_path: Path, *orders: dict, **on_hand: int) -> None:
    """Catalog, stock and orders through the Python API, then the database is closed."""
    database = Database(db_path)
    try:
        database.run(apply_catalog, parse_catalog_upsert(catalog(TSHIRT, simple_product("MUG"))))
        if on_hand:
            database.run(apply_stock_change, parse_stock_change("set", stock_set(**on_hand)))
        for data in orders:
            database.run(create_order, data)
    finally:
        database.close()


def sql(db_path: Path, query: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as conn, conn:
        return conn.execute(query).fetchall()


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("storegw: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "g.db"


def test_catalog_import_of_a_bare_data_object(tmp_path, db):
    file = write_json(tmp_path / "catalog.json", catalog(TSHIRT, simple_product("MUG")))

    proc = storegw(tmp_path, "catalog", "import", file, "--db", db)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["applied 2 products, archived 0, rejected 0"]
    assert sql(db, "SELECT sku FROM variant ORDER BY sku") == [
        ("MUG",),
        ("TS-RED-L",),
        ("TS-RED-M",),
    ]


def test_catalog_import_of_an_envelope_with_a_rejected_product_exits_1(tmp_path, db):
    data = catalog(BROKEN, simple_product("MUG"))
    envelope = {"v": 1, "id": "m1", "type": "catalog.upsert", "ts": "2026-11-27T10:15:00Z"}
    file = write_json(tmp_path / "m1.json", envelope | {"data": data})

    proc = storegw(tmp_path, "catalog", "import", file, "--db", db)

    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "applied 1 products, archived 0, rejected 1"
    assert lines[1].startswith("  rejected (characteristics_mismatch): product P-BAD")
    assert sql(db, "SELECT id FROM product") == [("P-MUG",)]


def test_a_full_catalog_import_reports_what_it_archived(tmp_path, db):
    seed(db)
    file = write_json(tmp_path / "full.json", catalog(simple_product("MUG"), full=True))

    proc = storegw(tmp_path, "--db", db, "catalog", "import", file)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["applied 1 products, archived 1, rejected 0"]
    assert sql(db, "SELECT id, archived FROM product ORDER BY id") == [("P-100", 1), ("P-MUG", 0)]


def test_stock_as_a_table_and_as_json(tmp_path, db):
    seed(db, order("W-1", ("TS-RED-M", 2)), **{"TS-RED-M": 5, "MUG": 1})

    table = storegw(tmp_path, "stock", "--db", db)
    as_json = storegw(tmp_path, "stock", "--json", "--db", db)

    assert table.returncode == 0, table.stderr
    header, *body = table.stdout.splitlines()
    assert header.split() == ["sku", "on_hand", "reserved", "safety", "available", "name"]
    assert [line.split()[:5] for line in body] == [
        ["MUG", "1", "0", "0", "1"],
        ["TS-RED-L", "0", "0", "0", "0"],
        ["TS-RED-M", "5", "2", "0", "3"],
    ]
    rows = {row["sku"]: row for row in json.loads(as_json.stdout)}
    assert (rows["TS-RED-M"]["on_hand"], rows["TS-RED-M"]["available"]) == (5, 3)
    assert rows["TS-RED-M"]["name"] == "Товар P-100 (M)"


def test_stock_of_one_sku_shows_its_history(tmp_path, db):
    seed(db, order("W-1", ("TS-RED-M", 2)), **{"TS-RED-M": 5})

    table = storegw(tmp_path, "stock", "TS-RED-M", "--db", db)
    as_json = json.loads(storegw(tmp_path, "stock", "TS-RED-M", "--json", "--db", db).stdout)

    assert table.returncode == 0, table.stderr
    assert "TS-RED-M  5" in table.stdout
    assert "cloud_set" in table.stdout
    assert [(row["sku"], row["reserved"]) for row in as_json["stock"]] == [("TS-RED-M", 2)]
    # the moves of goods; the reserve is the order's (m020: no index by sku for it)
    assert [(m["reason"], m["d_on_hand"], m["d_reserved"]) for m in as_json["history"]] == [
        ("cloud_set", 5, 0),
    ]


def test_orders_as_json_and_filtered_by_status(tmp_path, db):
    seed(db, order("W-1", ("TS-RED-M", 2)), order("W-2", ("TS-RED-M", 3)), **{"TS-RED-M": 4})

    everything = json.loads(storegw(tmp_path, "orders", "--json", "--db", db).stdout)
    short = json.loads(
        storegw(tmp_path, "orders", "--status", "short", "--json", "--db", db).stdout
    )
    table = storegw(tmp_path, "orders", "--db", db)

    assert [(o["order_id"], o["status"], o["reserved"], o["short"]) for o in everything] == [
        ("W-1", "reserved", 2, 0),
        ("W-2", "short", 2, 1),
    ]
    assert [o["order_id"] for o in short] == ["W-2"]
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:3] == ["order_id", "number", "status"]
    assert "W-2" in table.stdout


def test_check_passes_on_a_healthy_database(tmp_path, db):
    seed(db, order("W-1", ("TS-RED-M", 2)), **{"TS-RED-M": 5})

    proc = storegw(tmp_path, "check", "--db", db)

    assert (proc.returncode, proc.stdout.strip()) == (0, "invariants hold")


def test_check_detects_reservation_drift_and_nothing_clamps_it(tmp_path, db):  # edge 37
    seed(db, order("W-1", ("TS-RED-M", 2)), **{"TS-RED-M": 5})
    sql(db, "UPDATE stock_level SET reserved = reserved + 1 WHERE sku = 'TS-RED-M'")

    proc = storegw(tmp_path, "check", "--db", db)

    assert proc.returncode == 1
    assert "reserved differs from the sum of line reserves: TS-RED-M (3, 2)" in proc.stdout
    assert "level differs from the ledger" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "2 problem(s) found"
    assert sql(db, "SELECT reserved FROM stock_level WHERE sku = 'TS-RED-M'") == [(3,)]
    assert storegw(tmp_path, "check", "--db", db).returncode == 1  # still there: not repaired


@pytest.mark.parametrize("content", [b"", b"not a database at all " * 50])
def test_check_of_a_file_that_is_no_database_is_an_error_not_a_verdict(tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content + b"\0" * 100 if content else b"SQLite format 3\x00" + b"\xff" * 84)

    proc = storegw(tmp_path, "check", "--db", bad)

    assert proc.returncode == 2  # 1 means "invariants broken": a verdict on readable books
    assert_one_line_error(proc, str(bad))


@pytest.mark.parametrize("command", ["check", "stock", "orders"])
def test_a_missing_database_is_named_and_not_created(tmp_path, command):
    proc = storegw(tmp_path, command, "--db", "absent.db")

    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "storegw: error: database absent.db does not exist yet:"
        " start the gateway or import a catalog first\n"
    )
    assert not (tmp_path / "absent.db").exists()


def test_check_of_a_backup_leaves_it_and_its_folder_as_they_were(tmp_path, db):
    seed(db, order("W-1", ("TS-RED-M", 2)), **{"TS-RED-M": 5})
    sql(db, "PRAGMA journal_mode = DELETE")  # as `storegw backup` writes its copies
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    proc = storegw(tmp_path, "check", "--db", db)

    assert (proc.returncode, proc.stdout.strip()) == (0, "invariants hold")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # no g.db-wal or -shm, not switched to WAL, not migrated


def test_db_works_before_and_after_the_sub_command(tmp_path, db):
    file = write_json(tmp_path / "catalog.json", catalog(simple_product("MUG")))
    config = tmp_path / "gw.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "other.db"}"\n', encoding="utf-8")

    for args in (
        ["--db", db, "catalog", "import", file],
        ["catalog", "--db", db, "import", file],
        ["catalog", "import", file, "--db", db],
        ["--config", config, "catalog", "import", file, "--db", db],
    ):
        assert storegw(tmp_path, *args).returncode == 0, args
    for args in (["--db", db, "stock", "MUG"], ["stock", "MUG", "--db", db]):
        proc = storegw(tmp_path, *args)
        assert (proc.returncode, proc.stdout.split()[6]) == (0, "MUG"), args

    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["g.db"]
    assert not (tmp_path / "var").exists()  # the default database path was never used


def _error_cases(tmp_path: Path) -> dict[str, tuple[list, tuple[str, ...]]]:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[store\nid = 1\n", encoding="utf-8")
    typo = tmp_path / "typo.toml"
    typo.write_text('[store]\nid = "shop-1"\n[database]\npaht = "x.db"\n', encoding="utf-8")
    (tmp_path / "not.json").write_text("{products: [", encoding="utf-8")
    order_msg = write_json(tmp_path / "order.json", {"type": "order.created", "data": {}})
    write_json(tmp_path / "empty.json", {"v": 1, "type": "catalog.upsert", "data": {"full": True}})
    seed(tmp_path / "seeded.db")
    return {
        "missing file": (["catalog", "import", "nope.json"], ("cannot read", "nope.json")),
        "invalid json": (["catalog", "import", "not.json"], ("not valid UTF-8 JSON",)),
        "wrong type": (["catalog", "import", order_msg], ("'order.created'", "not a catalog")),
        "no products": (["catalog", "import", "empty.json"], ("data.products must be a list",)),
        "missing db": (["stock", "--db", "absent.db"], ("absent.db", "does not exist")),
        "unknown sku": (["stock", "NOPE", "--db", "seeded.db"], ("unknown sku NOPE",)),
        "bad toml": (["--config", bad_toml, "stock"], ("bad.toml", "invalid TOML")),
        "unknown key": (["--config", typo, "stock"], ("database.paht: unknown key", "'path'")),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "invalid json",
        "wrong type",
        "no products",
        "missing db",
        "unknown sku",
        "bad toml",
        "unknown key",
    ],
)
def test_errors_are_one_line_without_a_traceback(tmp_path, case):
    args, needles = _error_cases(tmp_path)[case]

    assert_one_line_error(storegw(tmp_path, *args), *needles)


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path):
    (tmp_path / "junk.db").write_bytes(b"this is not an SQLite database, just some text " * 20)

    assert_one_line_error(storegw(tmp_path, "stock", "--db", "junk.db"), "not a database")


def test_catalog_import_shows_a_progress_bar_on_a_terminal(tmp_path):
    """On a terminal the import draws a progress bar on stderr; piped, it stays quiet."""
    import fcntl
    import pty
    import struct
    import termios

    products = [simple_product(f"S{n}") for n in range(300)]
    path = write_json(tmp_path / "catalog.json", catalog(*products))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a real size
    process = subprocess.Popen(
        [str(STOREGW), "--db", str(tmp_path / "g.db"), "catalog", "import", str(path)],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    os.close(slave)
    drawn = bytearray()

    def read_terminal() -> None:  # read while it runs: Linux drops what a closed pty held
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    out, _ = process.communicate(timeout=60)
    reader.join(timeout=10)
    os.close(master)
    assert process.returncode == 0 and "applied 300 products" in out
    assert b"300/300" in drawn and b"product" in drawn
