"""install.sh's arguments and the shop's store id, in a scratch root (--root, --no-venv): every
argument is checked before anything changes, an option without its value is one line and exit
status 2, and the service is not started on the example's placeholder store id (a first start
would stamp the database with it) unless --store-id puts the shop's own id in the configuration.

Every run that could go wrong passes --dry-run before the option under test, so that even a
broken argument check could change nothing on this machine."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.integration.test_install import copy_of_checkout, install, scratch_root, tree

NEXT_STEP = "next: set [store] id"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return copy_of_checkout(tmp_path_factory.mktemp("checkout"))


def refused(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    script = checkout / "firmware-config" / "install.sh"
    result = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, f"{args}: {result.returncode}\n{result.stdout}{result.stderr}"
    assert result.stderr.splitlines()[-1].startswith("install.sh: "), result.stderr
    return result


def store_id(root: Path) -> str:
    return tomllib.loads((root / "etc/storegw/gateway.toml").read_text())["store"]["id"]


def test_the_example_store_id_is_not_started_and_the_next_step_is_said(checkout, tmp_path):
    root = scratch_root(tmp_path / "root")

    out = install(checkout, root, "--no-venv")

    assert store_id(root) == "shop-001"
    [next_step] = [line for line in out.splitlines() if line.startswith(NEXT_STEP)]
    assert "/etc/storegw/gateway.toml" in next_step
    assert next_step.endswith("then: sudo systemctl start storegw")


def test_store_id_sets_the_placeholder_once_and_is_kept(checkout, tmp_path):
    root = scratch_root(tmp_path / "root")
    install(checkout, root, "--no-venv")
    example = (checkout / "firmware-config/gateway.example.toml").read_text()

    out = install(checkout, root, "--no-venv", "--store-id", "shop-042")

    assert "changed: /etc/storegw/gateway.toml (updated)" in out and NEXT_STEP not in out
    assert store_id(root) == "shop-042"
    text = (root / "etc/storegw/gateway.toml").read_text()
    assert text == example.replace('id = "shop-001"', 'id = "shop-042"', 1)
    again = install(checkout, root, "--no-venv", "--store-id", "shop-042")
    assert again.rstrip().endswith("nothing changed")
    before = tree(root)
    result = refused(checkout, "--dry-run", "--root", str(root), "--no-venv", "--store-id", "x")
    assert "--store-id x, but /etc/storegw/gateway.toml says" in result.stderr
    assert tree(root) == before


def test_a_new_box_with_store_id_gets_it_in_its_first_configuration(checkout, tmp_path):
    root = scratch_root(tmp_path / "root")
    out = install(checkout, root, "--no-venv", "--store-id", "shop-042")
    assert "changed: /etc/storegw/gateway.toml (created)" in out and NEXT_STEP not in out
    assert store_id(root) == "shop-042"


@pytest.mark.parametrize(
    "args",
    [
        ("--store-id", "shop/042"),
        ("--with-mosquitto", "--bridge-url", "http://broker"),
        ("--with-mosquitto", "--bridge-url", "mqtts://:8883"),
        ("--with-mosquitto", "--bridge-url", "mqtts://broker:99999"),
        ("--with-mosquitto", "--bridge-url", "mqtts://broker", "--bridge-user", "a b"),
        ("--with-mosquitto", "--bridge-url", "mqtts://broker", "--bridge-password", "pw"),
        ("--bridge-user", "shop-001"),
    ],
)
def test_a_bad_argument_changes_nothing(checkout, tmp_path, args):
    root = scratch_root(tmp_path / "root")
    before = tree(root)
    refused(checkout, "--root", str(root), "--no-venv", *args)
    assert tree(root) == before


@pytest.mark.parametrize("option", ["--root", "--store-id", "--bridge-url", "--wheelhouse"])
def test_an_option_without_its_value_is_one_line_and_status_2(checkout, tmp_path, option):
    root = scratch_root(tmp_path / "root")
    first = () if option == "--root" else ("--root", str(root))
    result = refused(checkout, "--dry-run", "--no-venv", *first, option)
    assert result.stderr.splitlines()[-1] == f"install.sh: {option} needs " + {
        "--root": "a directory", "--store-id": "an id", "--bridge-url": "a URL",
        "--wheelhouse": "a directory",
    }[option]  # fmt: skip


def test_the_bridge_template_points_to_files_that_exist():
    """Its header and the ACL example name documents a technician can open."""
    repo = Path(__file__).resolve().parents[2]
    for name in ("storegw-bridge.conf.template", "acl.example"):
        text = (repo / "firmware-config/mosquitto" / name).read_text()
        for document in set(re.findall(r"[\w./-]+\.(?:md|yaml)\b", text)):
            assert (repo / document).exists() or (repo / "docs" / document).exists(), document
