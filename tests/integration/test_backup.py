"""`storegw backup` and `storegw restore` through the real CLI (gateway.cli.main): a backup
taken while orders arrive is a consistent snapshot that restores to a database `storegw check`
passes; restore refuses another store's file, a damaged file and a database in use, and keeps
the database it replaces; `backup --auto` keeps the [backup] keep newest of its own files."""

import re
import shutil
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from gateway import cli
from gateway.adapters.sqlite.connection import open_connection
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders

MORE_AFTER_THE_BACKUP = 5


def write_config(folder: Path, broker_url: str, store: str = "shop-001", keep: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gateway.toml"
    path.write_text(
        f'[store]\nid = "{store}"\n[mqtt]\nurl = "{broker_url}"\n'
        f'[database]\npath = "{folder / "gateway.db"}"\n'
        f'[web]\nlisten = "127.0.0.1:1"\n'
        f'[backup]\ndir = "{folder / "backups"}"\nkeep = {keep}\n',
        encoding="utf-8",
    )
    return path


def storegw(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def start(config_file: Path) -> Gateway:
    gateway = Gateway(load_config(config_file, env={})).start()
    products = [builders.simple_product("MUG"), builders.simple_product("PEN")]
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
    gateway.run(
        apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=10**6, PEN=10**6))
    )
    return gateway


def order_ids(db: Path) -> list[str]:
    with closing(open_connection(db, readonly=True)) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM customer_order ORDER BY id")]


def one_backup(tmp_path: Path, broker_url: str, store: str) -> Path:
    """A good backup of a store's database with one order in it."""
    config = write_config(tmp_path / store, broker_url, store)
    gateway = start(config)
    try:
        gateway.run(create_order, builders.order("W-1", ("MUG", 1)))
    finally:
        gateway.stop()
    target = tmp_path / f"{store}.backup.db"
    assert cli.main(["backup", str(target), "--config", str(config)]) == 0
    return target


@pytest.fixture
def shop(tmp_path, broker):
    return write_config(tmp_path / "shop", broker.url)


def test_a_backup_taken_while_orders_arrive_restores_to_a_database_that_passes_check(
    tmp_path, shop, capsys
):
    gateway = start(shop)
    placed: list[str] = []
    backup_done = threading.Event()

    def place_orders() -> None:
        n = after_it = 0
        while after_it < MORE_AFTER_THE_BACKUP:
            after_it += backup_done.is_set()  # placed once the backup had finished
            order_id = f"W-{n:05d}"
            gateway.run(create_order, builders.order(order_id, ("MUG", 1), ("PEN", 2)))
            placed.append(order_id)
            n += 1

    loader = threading.Thread(target=place_orders)
    target = tmp_path / "nightly.db"
    try:
        loader.start()
        deadline = time.monotonic() + 30
        while len(placed) < 20 and loader.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)  # the load is under way
        assert len(placed) >= 20, "the orders did not start arriving"
        before = len(placed)
        status, out, err = storegw(capsys, "backup", target, "--config", shop)
        after = len(placed)
    finally:
        backup_done.set()
        loader.join(60)
        gateway.stop()

    assert status == 0, err
    assert f"backup {target}: store shop-001," in out and "verified" in out
    assert not target.with_name("nightly.db.tmp").exists()
    in_backup = order_ids(target)
    # A snapshot of one moment: the first k orders, every one of them whole, nothing after.
    assert before <= len(in_backup) <= after + 1
    assert in_backup == placed[: len(in_backup)]
    assert len(placed) > len(in_backup)  # orders went on arriving after it
    with closing(open_connection(target, readonly=True)) as conn:
        lines = conn.execute("SELECT count(*) FROM order_line").fetchone()[0]
    assert lines == 2 * len(in_backup)

    database = tmp_path / "shop" / "gateway.db"
    status, out, err = storegw(capsys, "restore", target, "--config", shop)
    assert status == 0, err
    [aside] = [p for p in database.parent.iterdir() if ".before-restore-" in p.name]
    assert f"kept as {aside}" in out
    assert order_ids(aside) == placed  # the replaced database, whole
    assert order_ids(database) == in_backup

    status, out, err = storegw(capsys, "check", "--config", shop)
    assert (status, out.strip().splitlines()[-1]) == (0, "invariants hold"), out + err

    restarted = Gateway(load_config(shop, env={})).start()  # the store id matches: it starts
    try:
        assert restarted.check() == []
        restarted.run(create_order, builders.order("W-AFTER", ("MUG", 1)))
    finally:
        restarted.stop()
    assert order_ids(database) == [*in_backup, "W-AFTER"]


def test_restore_refuses_another_stores_backup_in_one_line(tmp_path, shop, broker, capsys):
    other = one_backup(tmp_path, broker.url, "shop-002")
    gateway = start(shop)
    gateway.stop()
    database = tmp_path / "shop" / "gateway.db"
    kept = database.read_bytes()

    status, out, err = storegw(capsys, "restore", other, "--config", shop)

    assert status == 2
    assert err.count("\n") == 1 and "storegw: error:" in err
    assert "is a backup of store 'shop-002', this gateway is store 'shop-001'" in err
    assert database.read_bytes() == kept
    assert [p.name for p in database.parent.iterdir() if "restore" in p.name] == []


def test_restore_refuses_a_damaged_file_and_a_database_in_use(tmp_path, shop, broker, capsys):
    good = one_backup(tmp_path, broker.url, "shop-001")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    for offset in range(2 * page, len(data) - page, 3 * page):  # b-tree pages overwritten
        data[offset + 8 : offset + page] = b"\xa5" * (page - 8)
    damaged.write_bytes(bytes(data))
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database\n" * 100)

    gateway = start(shop)
    try:
        status, _, err = storegw(capsys, "restore", damaged, "--config", shop)
        assert status == 2 and "not a good backup, nothing restored" in err, err
        status, _, err = storegw(capsys, "restore", not_sqlite, "--config", shop)
        assert status == 2 and "not a readable SQLite database" in err, err
        # A good file of this store, but the gateway has the database open.
        status, _, err = storegw(capsys, "restore", good, "--config", shop)
        assert status == 2 and "is in use (is the gateway running?)" in err, err
        assert "systemctl stop storegw" in err
        gateway.run(create_order, builders.order("W-LIVE", ("MUG", 1)))
    finally:
        gateway.stop()
    database = tmp_path / "shop" / "gateway.db"
    assert order_ids(database) == ["W-LIVE"]  # untouched by the refusals
    assert [p.name for p in database.parent.iterdir() if "restore" in p.name] == []

    status, out, err = storegw(capsys, "restore", good, "--config", shop)  # stopped: it goes
    assert status == 0, err
    assert order_ids(database) == ["W-1"]


def test_a_backup_that_fails_verification_is_never_called_good(tmp_path, shop, capsys):
    gateway = start(shop)
    gateway.stop()
    database = tmp_path / "shop" / "gateway.db"
    with closing(open_connection(database)) as conn:  # drift behind the gateway's back
        conn.execute("UPDATE stock_level SET reserved = reserved + 1 WHERE sku = 'MUG'")
    target = tmp_path / "bad.db"

    status, _, err = storegw(capsys, "backup", target, "--config", shop)

    assert status == 2
    assert "the copy failed verification: reserved out of range" in err or (
        "reserved differs" in err
    ), err
    assert not target.exists() and not target.with_name("bad.db.tmp").exists()


def test_backup_auto_keeps_only_the_newest_of_its_own_files(tmp_path, shop, capsys):
    gateway = start(shop)
    gateway.stop()
    folder = tmp_path / "shop" / "backups"
    folder.mkdir()
    one = tmp_path / "one.db"
    assert storegw(capsys, "backup", one, "--config", shop)[0] == 0
    older = [f"storegw-shop-001-2024010{day}-030000.db" for day in (1, 2, 3, 4)]
    strangers = ["storegw-shop-002-20240101-030000.db", "storegw-shop-001-mine.db", "notes.txt"]
    for name in older + strangers:
        shutil.copy(one, folder / name)

    status, out, err = storegw(capsys, "backup", "--auto", "--config", shop)

    assert status == 0, err
    [new] = [p for p in folder.iterdir() if p.name not in older + strangers]
    assert re.fullmatch(r"storegw-shop-001-\d{8}-\d{6}\.db", new.name)
    assert f"backup {new}: store shop-001" in out
    names = {p.name for p in folder.iterdir()}
    assert names == {*older[2:], new.name, *strangers}  # [backup] keep = 3 of its own
    assert out.count("removed the older backup") == 2


def test_restore_replaces_a_destroyed_database_and_keeps_it_aside(tmp_path, shop, broker, capsys):
    good = one_backup(tmp_path, broker.url, "shop-001")
    start(shop).stop()
    database = tmp_path / "shop" / "gateway.db"
    database.write_bytes(b"\x00destroyed" * 4096)  # not even SQLite's header is left

    status, out, err = storegw(capsys, "restore", good, "--config", shop)

    assert status == 0, err
    [aside] = [p for p in database.parent.iterdir() if ".before-restore-" in p.name]
    assert aside.read_bytes().startswith(b"\x00destroyed")
    assert order_ids(database) == ["W-1"]
    assert storegw(capsys, "check", "--config", shop)[0] == 0
