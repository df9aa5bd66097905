"""A big catalog file read by several processes (gateway/catalog_readers.py): the same result as
one reader and as the same message over MQTT, whichever process meets which product; a reader
that dies fails the import and changes nothing; nothing is left behind."""

import errno
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from gateway.adapters.sqlite.database import Database
from gateway.catalog_cli import import_catalog_file
from gateway.catalog_readers import (
    MAX_READERS,
    READERS_FROM_BYTES,
    SCRATCH_PREFIX,
    SHARE_RUN,
    readers_for,
)
from gateway.cli_errors import CliError
from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from tests.builders import simple_product
from tests.integration.test_catalog_stream import TRICKY_REJECTED, dump, prepared, shirt, write


def placed(products: int, at: dict[int, dict]) -> list:
    """`products` simple products, with the given ones at their places instead."""
    return [at.get(n, simple_product(f"F-{n}", 100 + n)) for n in range(products)]


# Each rule's products in the shares of different readers (runs of SHARE_RUN products), and in
# the last, short run: a product twice, a sku claimed by two products, a sku still live in a
# product the message leaves alone, a sku moving with its old product's consent, broken ones.
AT = {
    2: shirt("P-1", "A-S", "A-L"),  # A-M dropped: archived
    SHARE_RUN + 1: {"id": "P-BROKEN", "vat": "vat22", "variants": []},
    SHARE_RUN + 2: 42,
    5: shirt("P-TWICE", "T-S"),
    2 * SHARE_RUN + 5: shirt("P-TWICE", "T-M"),
    SHARE_RUN + 7: shirt("P-X", "SHARED"),
    3 * SHARE_RUN + 7: shirt("P-Y", "SHARED", "Y-M"),
    2 * SHARE_RUN + 9: shirt("P-THIEF", "B-S"),  # still live in P-2
    3 * SHARE_RUN + 11: shirt("P-MOVE", "A-M"),  # P-1 dropped it in this same message
}
PRODUCTS = 3 * SHARE_RUN + 20
BIG = {"full": True, "products": placed(PRODUCTS, AT)}


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """Where the readers' scratch files go: checked empty after each import."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def attached(database: Database) -> list[str]:
    return [row[1] for row in database._conn.execute("PRAGMA database_list")]


def children() -> set[int]:
    return {child.pid for child in psutil.Process().children()}


@pytest.mark.parametrize("readers", [2, 3, 4])
def test_several_readers_give_what_one_reader_and_mqtt_give(tmp_path, scratch, readers):
    over_mqtt = prepared(tmp_path / "mqtt.db")
    one, several = prepared(tmp_path / "one.db"), prepared(tmp_path / "several.db")
    file = write(tmp_path / "catalog.json", BIG)
    try:
        expected = over_mqtt.run(apply_catalog, parse_catalog_upsert(BIG), report=False)
        assert one.run(import_catalog_file, file) == expected
        assert several.run(import_catalog_file, file, readers=readers) == expected
        assert dump(several) == dump(one) == dump(over_mqtt)
        assert attached(several) == ["main", "temp"]  # detached once the transaction ended
    finally:
        for database in (over_mqtt, one, several):
            database.close()
    assert list(scratch.iterdir()) == []
    assert expected["applied"][:2] == ["P-F-0", "P-F-1"] and "P-MOVE" in expected["applied"]
    assert [(r["product_id"], r["reason"]) for r in expected["rejected"]] == TRICKY_REJECTED
    assert expected["archived"] == ["P-2", "P-OLD"]


def test_a_reader_killed_fails_the_import_which_changes_nothing(tmp_path, scratch):
    database = prepared(tmp_path / "g.db")
    before = dump(database)
    file = write(tmp_path / "catalog.json", BIG)
    killed: list[int] = []

    others = children()

    def kill_the_reader(_: int) -> None:
        if not killed:  # the first product this process meets: the reader is running
            for pid in children() - others:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    try:
        with pytest.raises(CliError, match=r"catalog.json failed \(killed by signal 9\);"):
            database.run(import_catalog_file, file, readers=2, progress=kill_the_reader)
        assert len(killed) == 1
        assert dump(database) == before
        assert attached(database) == ["main", "temp"]
    finally:
        database.close()
    assert list(scratch.iterdir()) == []


def test_a_reader_that_cannot_be_started_fails_the_import_and_stops_the_others(
    tmp_path, scratch, monkeypatch
):
    """The kernel refuses the second fork (no memory left): the first reader is stopped."""
    database = prepared(tmp_path / "g.db")
    before, others = dump(database), children()
    forks = iter([os.fork, OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))])

    def fork() -> int:
        outcome = next(forks)
        if isinstance(outcome, OSError):
            raise outcome
        return outcome()

    file = write(tmp_path / "catalog.json", BIG)
    monkeypatch.setattr(os, "fork", fork)
    try:
        with pytest.raises(CliError, match=r"cannot start a process to read .*catalog.json"):
            database.run(import_catalog_file, file, readers=3)
    finally:
        monkeypatch.undo()
    try:
        assert dump(database) == before
    finally:
        database.close()
    assert children() == others
    assert list(scratch.iterdir()) == []


def test_a_broken_file_stops_every_reader_and_changes_nothing(tmp_path, scratch):
    database = prepared(tmp_path / "g.db")
    before = dump(database)
    text = write(tmp_path / "whole.json", BIG).read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(text[: len(text) * 3 // 4] + "}{ oops", encoding="utf-8")
    others = children()
    try:
        with pytest.raises(CliError, match=r"broken.json is not valid UTF-8 JSON"):
            database.run(import_catalog_file, broken, readers=3)
        assert dump(database) == before
    finally:
        database.close()
    assert children() == others  # each reader stopped and reaped
    assert list(scratch.iterdir()) == []


def test_the_scratch_of_an_importer_killed_earlier_is_removed_by_the_next(tmp_path, scratch):
    """An importer killed with SIGKILL cannot remove its readers' scratch folder: the next
    import does, and leaves alone the folder of an importer still running."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = scratch / f"{SCRATCH_PREFIX}{gone.pid}-x1"
    running = scratch / f"{SCRATCH_PREFIX}{os.getpid()}-x2"
    for folder in (stale, running):
        folder.mkdir()
        (folder / "reader-1.db").write_bytes(b"staged")
    database = Database(tmp_path / "g.db")
    try:
        database.run(import_catalog_file, write(tmp_path / "c.json", BIG), readers=2)
    finally:
        database.close()
    assert list(scratch.iterdir()) == [running]


def test_a_big_file_is_read_by_every_core_a_small_one_by_one(tmp_path):
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text("{}")
    with big.open("wb") as file:
        file.truncate(READERS_FROM_BYTES)
    assert readers_for(small) == 1
    assert readers_for(big) == min(len(os.sched_getaffinity(0)), MAX_READERS)
    assert readers_for(tmp_path / "absent.json") == 1  # the import says why
