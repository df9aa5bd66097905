"""A database on a disk mounted read-only (or a file that cannot be written): `storegw orders`
and `storegw run` say, in one line, which database and what to check -- not "database (from
the configuration)"."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup_shop import make_shop, remount_read_only, storegw, tmpfs
from tests.clean_env import storegw_free_env

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
TODO = "the gateway's user must be able to write the file and its folder, on a disk mounted"


def test_orders_on_a_read_only_mount_names_the_database_and_the_fix(tmp_path, capsys):
    with tmpfs(tmp_path / "disk", size="16m") as disk:
        config = make_shop(disk)
        remount_read_only(disk)

        status, _, err = storegw(capsys, "orders", "--config", config)

    assert status == 1
    assert err.count("\n") == 1, err
    assert err.startswith(f"storegw: error: database {disk / 'gateway.db'}: ") and TODO in err


def test_run_with_a_read_only_database_file_names_it_and_the_fix(tmp_path):
    config = make_shop(tmp_path)
    db = tmp_path / "gateway.db"
    bound = subprocess.run(["mount", "--bind", str(db), str(db)], capture_output=True)
    if bound.returncode != 0:  # root is needed: for root, chmod is no bar anyway
        pytest.skip(f"cannot bind-mount here: {bound.stderr.decode()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(db)], check=True)
        done = subprocess.run(
            [str(STOREGW), "run", "--config", str(config)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path, env=ENV,
        )  # fmt: skip
    finally:
        subprocess.run(["umount", "-l", str(db)], check=True)

    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1, done.stderr
    assert last.startswith(f"storegw: error: database {db}: attempt to write a readonly database")
    assert TODO in last
