"""A catalog imported from the command line with nobody else on the database goes through a
rollback journal (pages appended to the file are written once, not into the WAL and again at
the checkpoint); with anyone else on it, through the WAL as always. Either way the database is
back in WAL mode afterwards, and a process killed halfway leaves it as it was."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.catalog_cli import import_catalog_file
from tests.builders import product, variant

STOREGW = Path(sys.executable).parent / "storegw"


def catalog_file(path: Path, products: int) -> Path:
    items = [
        product(f"P-{p}", [variant(f"S-{p}", 1000 + p, [{"code": f"46{p:011d}", "pack": 1}])])
        for p in range(products)
    ]
    path.write_text(json.dumps({"data": {"products": items}}), encoding="utf-8")
    return path


def journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # SQLite's rollback journal header


def journal_is_hot(journal: Path) -> bool:
    """The journal's header is written (synced): the database may now be written too. Before,
    its header is zeros, and a journal killed then is not rolled back (nothing was written to
    the database yet): it stays beside it, unused."""
    try:
        with journal.open("rb") as file:
            return file.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    except FileNotFoundError:
        return False


def import_with_modes(database: Database, file: Path) -> tuple[bool, set[str]]:
    """Import `file` the way the command does; the journal modes seen while products staged."""
    modes: set[str] = set()
    conn = database._conn  # the command's own connection, asked between two products

    def seen(_: int) -> None:
        modes.add(conn.execute("PRAGMA journal_mode").fetchone()[0])

    with database.alone() as alone:
        result = database.run(import_catalog_file, file, progress=seen)
    assert len(result["applied"]) == 30
    return alone, modes


def test_alone_the_import_writes_through_a_rollback_journal_then_wal_again(tmp_path):
    file = catalog_file(tmp_path / "c.json", 30)
    database = Database(tmp_path / "g.db")
    try:
        assert import_with_modes(database, file) == (True, {"delete"})
    finally:
        database.close()
    assert journal_mode(tmp_path / "g.db") == "wal"


def test_with_a_reader_on_the_database_the_import_stays_in_wal(tmp_path):
    file = catalog_file(tmp_path / "c.json", 30)
    database = Database(tmp_path / "g.db")
    reader = database.reader()
    try:
        reader.execute("SELECT COUNT(*) FROM variant").fetchone()
        started = time.monotonic()
        assert import_with_modes(database, file) == (False, {"wal"})
        assert time.monotonic() - started < 3  # asked once, not waited for the busy timeout
        assert reader.execute("SELECT COUNT(*) FROM variant").fetchone()[0] == 30
    finally:
        reader.close()
        database.close()


def test_an_import_killed_halfway_leaves_the_database_as_it_was(tmp_path):
    """A big file, the command killed once it is well into it: the rollback journal it leaves
    is rolled back by the next open, which also puts the WAL back."""
    db = tmp_path / "g.db"
    Database(db).close()
    file = catalog_file(tmp_path / "big.json", 20_000)
    command = subprocess.Popen(
        [str(STOREGW), "--db", str(db), "catalog", "import", str(file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not journal_is_hot(Path(f"{db}-journal")):  # the import is writing the database
        assert command.poll() is None and time.monotonic() < deadline, command.stderr.read()
        time.sleep(0.005)
    os.kill(command.pid, signal.SIGKILL)
    command.wait(timeout=10)
    command.stderr.close()
    database = Database(db)
    try:
        with closing(database.reader()) as conn:
            assert conn.execute("SELECT COUNT(*) FROM variant").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        database.close()
    assert journal_mode(db) == "wal"
    assert not Path(f"{db}-journal").exists()
