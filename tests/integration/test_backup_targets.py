"""`storegw backup FILE` refuses a FILE it must not or cannot write, in one line naming FILE and
what to do, exit 2, with nothing touched and no FILE.tmp left: the live database itself (by any
path: `..`, a symlink, a hard link, its -wal/-shm), a folder, a full disk, a read-only disk, a
place where no file can be made (/proc)."""

import os
from pathlib import Path

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.services.orders import create_order
from tests import builders
from tests.backup_shop import count, fingerprint, make_shop, storegw, tmpfs


def refused(result: tuple[int, str, str], target) -> str:
    status, _, err = result
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith(f"storegw: error: backup {target} "), err
    return err


@pytest.mark.parametrize(
    "spelling", ["same path", "through ..", "symlink", "hard link", "its -wal", "its -shm"]
)
def test_backup_onto_the_live_database_is_refused_and_the_gateway_keeps_its_writes(
    tmp_path, capsys, spelling
):
    folder = tmp_path / "shop"
    config = make_shop(folder)
    db = folder / "gateway.db"
    live = Database(db)  # the running gateway's writer: the -wal and -shm exist meanwhile
    try:
        target = {
            "same path": db,
            "through ..": folder / ".." / "shop" / "gateway.db",
            "symlink": tmp_path / "link.db",
            "hard link": tmp_path / "hard.db",
            "its -wal": folder / "gateway.db-wal",
            "its -shm": folder / "gateway.db-shm",
        }[spelling]
        if spelling == "symlink":
            target.symlink_to(db)
        if spelling == "hard link":
            os.link(db, target)
        inode = db.stat().st_ino

        err = refused(storegw(capsys, "backup", target, "--config", config), target)

        assert f"it is the live database {db}" in err and "choose a file elsewhere" in err
        assert db.stat().st_ino == inode  # not renamed over
        assert not target.with_name(target.name + ".tmp").exists()
        live.run(create_order, builders.order("W-AFTER", ("MUG", 1)))
    finally:
        live.close()
    assert count(db, "customer_order") == 3  # the write after it is in the file on the disk


def test_backup_into_a_folder_names_it_and_leaves_no_tmp(tmp_path, capsys):
    config = make_shop(tmp_path / "shop")
    folder = tmp_path / "some" / "dir"
    folder.mkdir(parents=True)

    err = refused(storegw(capsys, "backup", folder, "--config", config), folder)

    assert "it is a folder; name a file in it" in err
    assert sorted(p.name for p in folder.parent.iterdir()) == ["dir"]  # no dir.tmp
    assert list(folder.iterdir()) == []


def test_backup_onto_a_full_disk_blames_the_target_and_leaves_nothing(tmp_path, capsys):
    config = make_shop(tmp_path / "shop")
    before = fingerprint(tmp_path / "shop")
    with tmpfs(tmp_path / "full", size="64k") as disk:
        target = disk / "b.db"

        err = refused(storegw(capsys, "backup", target, "--config", config), target)

        assert "disk is full" in err and "free space on that disk" in err, err
        assert "database (from the configuration)" not in err
        assert list(disk.iterdir()) == []
    assert fingerprint(tmp_path / "shop") == before


def test_backup_onto_a_read_only_disk_says_so(tmp_path, capsys):
    config = make_shop(tmp_path / "shop")
    with tmpfs(tmp_path / "ro", read_only=True) as disk:
        target = disk / "b.db"

        err = refused(storegw(capsys, "backup", target, "--config", config), target)

        assert "Read-only file system" in err and "mounted read-write" in err, err
        assert list(disk.iterdir()) == []


def test_backup_where_no_file_can_be_made_names_the_target(tmp_path, capsys):
    config = make_shop(tmp_path / "shop")
    target = Path("/proc/b.db")

    err = refused(storegw(capsys, "backup", target, "--config", config), target)

    assert "cannot create it" in err and "choose a folder" in err, err
    assert "database (from the configuration)" not in err
    assert not Path("/proc/b.db.tmp").exists()


def test_a_good_backup_still_goes_through(tmp_path, capsys):
    config = make_shop(tmp_path / "shop")
    target = tmp_path / "before-update.db"

    status, out, err = storegw(capsys, "backup", target, "--config", config)

    assert status == 0, err
    assert out.startswith(f"backup {target}: store shop-001, 2 orders,")
    assert count(target, "customer_order") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["before-update.db", "shop"]
