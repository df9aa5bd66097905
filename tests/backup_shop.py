"""A shop's real database and configuration for the backup, restore and training tests, made
without a broker; `storegw()` runs the CLI in-process; `tmpfs()` mounts a small or read-only
disk (root only: the tests that need one are skipped elsewhere)."""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from gateway import cli
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.store_identity import claim_store
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders

STORE = "shop-001"


def make_shop(folder: Path, *, orders: int = 2, keep: int = 3, web_port: int = 1) -> Path:
    """`folder/gateway.db` with a catalog, stock and `orders` orders; returns its gateway.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "gateway.toml"
    config.write_text(
        f'[store]\nid = "{STORE}"\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\n'
        f'[database]\npath = "{folder / "gateway.db"}"\n'
        f'[web]\nlisten = "127.0.0.1:{web_port}"\n'
        f'[backup]\ndir = "{folder / "backups"}"\nkeep = {keep}\n',
        encoding="utf-8",
    )
    database = Database(folder / "gateway.db")
    try:
        database.run(claim_store, STORE)
        products = builders.catalog(builders.simple_product("MUG"))
        database.run(apply_catalog, parse_catalog_upsert(products))
        database.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=100)))
        for n in range(orders):
            database.run(create_order, builders.order(f"W-{n + 1}", ("MUG", 1)))
    finally:
        database.close()
    return config


def storegw(capsys, *argv, stdin: str = "") -> tuple[int, str, str]:
    """`storegw ARGV` through cli.main, as the installed command runs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        status = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def count(db: Path, table: str) -> int:
    with closing(open_connection(db, readonly=True)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in `folder` and its contents' hash: what "nothing touched" means."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.is_symlink()
    }


@contextmanager
def tmpfs(where: Path, *, size: str = "1m", read_only: bool = False) -> Iterator[Path]:
    """A real small disk at `where` (a full one with a small `size`), read-only if asked."""
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {mounted.stderr.decode()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
