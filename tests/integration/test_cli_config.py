"""Which configuration a command reads without --config: $STOREGW_CONFIG, else the installed
/etc/storegw/gateway.toml, else the built-in defaults with a warning naming the database. A
`storegw staff add` typed on the box from any folder works on the gateway's own database, never
quietly on a new ./var/gateway.db. The real console script, run as a subprocess; the installed
file's place is moved into the test's folder (in process, `INSTALLED_CONFIG`)."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from gateway import cli, config_location
from gateway.config_location import choose_config

STOREGW = Path(sys.executable).parent / "storegw"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("STOREGW_")}


def box_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "gateway.toml"
    config.write_text(f'[store]\nid = "shop-042"\n[database]\npath = "{folder / "gateway.db"}"\n')
    return config


def staff_names(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM staff")]


def storegw(
    cwd: Path, *args: str, env: dict[str, str], pin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STOREGW), *args], cwd=cwd, env=env, input=pin, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_staff_add_without_config_uses_storegw_config(tmp_path):
    config = box_config(tmp_path / "etc")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    env = ENV | {"STOREGW_CONFIG": str(config)}

    done = storegw(elsewhere, "staff", "add", "Ольга", "--role", "manager", env=env, pin="1111\n")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert staff_names(tmp_path / "etc" / "gateway.db") == ["Ольга"]
    assert not (elsewhere / "var").exists()


def test_without_config_or_variable_the_installed_file_is_read(tmp_path, monkeypatch, capsys):
    config = box_config(tmp_path / "etc")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.setattr(config_location, "INSTALLED_CONFIG", config)
    monkeypatch.delenv("STOREGW_CONFIG")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr("gateway.staff_cli._read_pin", lambda *a: "1111")

    assert cli.main(["staff", "add", "Ольга", "--role", "manager"]) == 0

    assert staff_names(tmp_path / "etc" / "gateway.db") == ["Ольга"]
    assert not (elsewhere / "var").exists()
    assert capsys.readouterr().err == ""


def test_nothing_installed_warns_and_names_the_database(tmp_path):
    env = ENV  # no STOREGW_CONFIG; /etc/storegw/gateway.toml: absent on a test machine
    if choose_config(None, env).path is not None:
        pytest.skip("this machine has /etc/storegw/gateway.toml installed")

    done = storegw(tmp_path, "staff", "list", env=env)

    assert done.returncode == 0, done.stderr
    [warning] = done.stderr.splitlines()
    assert warning.startswith("storegw: warning: no --config, no $STOREGW_CONFIG and no ")
    assert warning.endswith(f"built-in defaults, database {tmp_path / 'var' / 'gateway.db'}")


def test_an_explicit_database_or_empty_variable_needs_no_warning(tmp_path):
    with_db = storegw(tmp_path, "staff", "list", "--db", str(tmp_path / "g.db"), env=ENV)
    on_purpose = storegw(tmp_path, "staff", "list", env=ENV | {"STOREGW_CONFIG": ""})

    assert (with_db.returncode, with_db.stderr) == (0, "")
    assert (on_purpose.returncode, on_purpose.stderr) == (0, "")


def test_the_choice_in_order(tmp_path):
    installed = box_config(tmp_path)
    missing = tmp_path / "nowhere.toml"
    given = tmp_path / "given.toml"
    assert choose_config(given, {"STOREGW_CONFIG": "x"}, installed).path == given
    assert choose_config(None, {"STOREGW_CONFIG": "x"}, installed).path == Path("x")
    assert choose_config(None, {"STOREGW_CONFIG": ""}, installed).path is None
    assert choose_config(None, {}, installed).path == installed
    nothing = choose_config(None, {}, missing)
    assert (nothing.path, nothing.by_default) == (None, True)


def test_the_doctor_reads_the_same_file(tmp_path, monkeypatch, capsys):
    config = box_config(tmp_path / "etc")
    monkeypatch.setattr(config_location, "INSTALLED_CONFIG", config)
    monkeypatch.delenv("STOREGW_CONFIG")

    cli.main(["doctor"])

    config_line = capsys.readouterr().out.splitlines()[0]
    assert config_line == f"ok       config: {config} loaded (store shop-042)"
