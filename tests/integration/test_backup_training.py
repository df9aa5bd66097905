"""Training mode and the shop's real data, through the same entry point as the installed command:
the training database starts as a copy of the shop's (its staff and orders), marked as a
training one; its backups are named `….training.db` and pruned apart from the real ones; a
training database is restored only in training mode."""

import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx

from gateway.adapters.sqlite.connection import open_connection
from tests.backup_shop import STORE, count, fingerprint, make_shop, storegw
from tests.clean_env import storegw_free_env
from tests.loopback import free_port

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
STAMPS = [f"2024010{day}-030000" for day in (1, 2, 3, 4)]


def is_training_database(db: Path) -> bool:
    """The mark a training gateway refuses to run without (gateway/training.claim_mode)."""
    with closing(open_connection(db, readonly=True)) as conn:
        query = "SELECT value FROM counter WHERE name = 'training_database'"
        row = conn.execute(query).fetchone()
    return row is not None and row[0] == 1


def add_staff(capsys, config: Path, name: str, role: str, pin: str) -> None:
    status, _, err = storegw(
        capsys, "staff", "add", name, "--role", role, "--config", config, stdin=pin + "\n"
    )
    assert status == 0, err


def real_files(real: Path) -> dict:
    """The real database's file and the contents of its -wal: a read-only reader may leave an
    empty -wal and a -shm beside it, but never a written page."""
    files = fingerprint(real.parent)
    wal = real.with_name(real.name + "-wal")
    return {real.name: files[real.name], "-wal bytes": wal.stat().st_size if wal.exists() else 0}


def test_run_training_starts_from_a_copy_of_the_shops_staff_and_orders(tmp_path, capsys):
    port = free_port()
    config = make_shop(tmp_path / "shop", orders=3, web_port=port)
    add_staff(capsys, config, "Ольга", "manager", "1111")
    add_staff(capsys, config, "Анна", "cashier", "2222")
    real, training = tmp_path / "shop" / "gateway.db", tmp_path / "shop" / "gateway.training.db"
    before = real_files(real)
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen(
        [str(STOREGW), "run", "--training", "--config", str(config)],
        cwd=tmp_path, env=ENV, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        people = httpx.get(f"http://127.0.0.1:{port}/api/signin", timeout=5).json()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert health["training"] is True and health["database"] == str(training)
    assert sorted(p["name"] for p in people) == ["Анна", "Ольга"]  # their own PINs to practise
    assert count(training, "staff") == 2 and count(training, "customer_order") == 3
    assert is_training_database(training) and not is_training_database(real)
    assert real_files(real) == before  # the real database was only read


def test_a_first_training_command_copies_the_shops_database_too(tmp_path, capsys):
    config = make_shop(tmp_path / "shop", orders=2)
    add_staff(capsys, config, "Ольга", "manager", "1111")

    status, out, err = storegw(capsys, "--training", "staff", "list", "--config", config)

    assert status == 0, err
    assert "Ольга" in out
    assert count(tmp_path / "shop" / "gateway.training.db", "customer_order") == 2


def auto_backup(capsys, config: Path, *training: str) -> Path:
    status, out, err = storegw(capsys, *training, "backup", "--auto", "--config", config)
    assert status == 0, err
    return Path(re.match(r"backup (\S+): ", out).group(1))


def test_training_backups_have_their_own_name_and_never_prune_real_ones(tmp_path, capsys):
    config = make_shop(tmp_path / "shop", keep=2)
    folder = tmp_path / "shop" / "backups"
    one = auto_backup(capsys, config)
    real_old = [f"storegw-{STORE}-{stamp}.db" for stamp in STAMPS[:2]]
    for name in real_old:
        shutil.copy(one, folder / name)

    made = [auto_backup(capsys, config, "--training") for _ in range(3)]

    for path in made:
        assert re.fullmatch(rf"storegw-{STORE}-\d{{8}}-\d{{6}}\.training\.db", path.name)
        assert is_training_database(path)
    names = {p.name for p in folder.iterdir()}
    assert {one.name, *real_old} <= names  # three real ones with keep = 2: none removed
    assert len([n for n in names if n.endswith(".training.db")]) <= 2  # its own kept 2

    # ... and the real pruning never counts or removes a training backup.
    training_left = {n for n in names if n.endswith(".training.db")}
    old_training = f"storegw-{STORE}-{STAMPS[0]}.training.db"
    shutil.copy(made[-1], folder / old_training)
    auto_backup(capsys, config)
    names = {p.name for p in folder.iterdir()}
    assert training_left | {old_training} <= names
    assert len([n for n in names if not n.endswith(".training.db")]) == 2


def test_a_training_database_is_restored_only_in_training_mode(tmp_path, capsys):
    config = make_shop(tmp_path / "shop", orders=1)
    practice = tmp_path / "practice.db"
    assert storegw(capsys, "--training", "backup", practice, "--config", config)[0] == 0
    real = tmp_path / "shop" / "gateway.db"
    before = fingerprint(real.parent)

    status, _, err = storegw(capsys, "restore", practice, "--config", config)

    assert status == 2 and err.count("\n") == 1, err
    assert f"{practice} is a training database" in err and "--training" in err
    assert fingerprint(real.parent) == before  # nothing restored, nothing kept aside

    status, out, err = storegw(capsys, "--training", "restore", practice, "--config", config)

    assert status == 0, err
    training = tmp_path / "shop" / "gateway.training.db"
    assert f"restored {practice} to {training}" in out
    assert is_training_database(training) and not is_training_database(real)
