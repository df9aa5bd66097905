"""firmware-config/install.sh in a scratch root (--root): twice (the second run changes nothing),
--dry-run, a kept config; `systemd-analyze verify` on the installed units; the udev rules'
syntax; the Mosquitto bridge it writes, between two real brokers.

Needs root (useradd --prefix, chown), `systemd-analyze` (apt: systemd), `useradd`/`usermod`
(apt: passwd), `mosquitto` and `mosquitto_passwd` (apt: mosquitto) and python3 -m venv
(apt: python3-venv). A missing tool FAILS these tests, never skips them.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import shutil
import stat
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.brokers import HOST

REPO = Path(__file__).resolve().parents[2]
# What install.sh reads from its checkout; copied so that the runs see one fixed source.
CHECKOUT_PARTS = ("firmware-config", "systemd", "pyproject.toml", "README.md", "gateway",
                  "drivers", "simulators")  # fmt: skip
UNITS = ("storegw.service", "storegw-backup.service", "storegw-backup.timer")
STORE = "shop-001"
WAIT_S = 15.0  # a bound on waiting for a broker or a message, never an assertion on speed


def need(tool: str) -> str:
    found = shutil.which(tool) or next(
        (f"{d}/{tool}" for d in ("/usr/sbin", "/sbin") if os.access(f"{d}/{tool}", os.X_OK)), None
    )
    if not found:
        pytest.fail(f"`{tool}` is not installed; CI must apt-get install it", pytrace=False)
    return found


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return copy_of_checkout(tmp_path_factory.mktemp("checkout"))


def copy_of_checkout(copy: Path) -> Path:
    if os.geteuid() != 0:
        pytest.fail("install.sh needs root (useradd --prefix, chown): run as root", pytrace=False)
    for tool in ("useradd", "usermod", "groupadd", "python3"):
        need(tool)
    for part in CHECKOUT_PARTS:
        source = REPO / part
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(source, copy / part, ignore=ignore)
        else:
            shutil.copy2(source, copy / part)
    return copy


def scratch_root(path: Path) -> Path:
    """A root with the accounts a Raspberry Pi OS image starts with (the ones install.sh uses)."""
    etc = path / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    groups = {"root": 0, "lp": 7, "dialout": 20, "gpio": 997}
    (etc / "group").write_text("".join(f"{g}:x:{gid}:\n" for g, gid in groups.items()))
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("".join(f"{g}:*::\n" for g in groups))
    for name in ("shadow", "gshadow"):
        (etc / name).chmod(0o640)
    return path


def install(checkout: Path, root: Path, *args: str) -> str:
    script = checkout / "firmware-config" / "install.sh"
    result = subprocess.run(
        [str(script), "--root", str(root), *args], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"install.sh {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


def tree(root: Path) -> dict[str, tuple]:
    """Every path under root with its mode, owner and content hash (or link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            what = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            what = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            what = None
        found[str(path.relative_to(root))] = (oct(info.st_mode), info.st_uid, info.st_gid, what)
    return found


def ids(root: Path, name: str, table: str) -> int:
    for line in (root / "etc" / table).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return int(fields[2])
    raise AssertionError(f"{name} is not in {table}")


@pytest.fixture(scope="module")
def installed(checkout, tmp_path_factory) -> tuple[Path, str, str]:
    """A root installed twice, venv included: (root, first output, second output)."""
    root = scratch_root(tmp_path_factory.mktemp("installed") / "root")
    first = install(checkout, root)
    before = tree(root)
    second = install(checkout, root)
    assert tree(root) == before, "the second run changed files, modes or owners"
    return root, first, second


def test_first_run_puts_everything_in_place(installed, checkout):
    root, first, _ = installed
    for path in ("/etc/storegw/gateway.toml (created)", "/etc/udev/rules.d/99-storegw.rules",
                 "/etc/systemd/system/storegw-backup.timer", "user storegw (created)",
                 "user storegw in group gpio", "/opt/storegw/.venv",
                 "/usr/local/bin/storegw -> /opt/storegw/.venv/bin/storegw"):  # fmt: skip
        assert f"changed: {path}" in first
    assert ":/var/lib/storegw:/usr/sbin/nologin" in (root / "etc/passwd").read_text()
    group = (root / "etc/group").read_text()
    for name in ("dialout", "lp", "gpio"):
        assert re.search(rf"^{name}:x:\d+:storegw$", group, re.M), f"storegw is not in {name}"
    storegw_gid = ids(root, "storegw", "group")
    config = root / "etc/storegw/gateway.toml"
    assert config.read_bytes() == (checkout / "firmware-config/gateway.example.toml").read_bytes()
    for path in (config, root / "etc/storegw/gateway.env"):
        info = path.stat()
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, 0, storegw_gid)
    assert (root / "etc/storegw/gateway.env").read_bytes() == b""
    for unit in UNITS:
        installed_unit = root / "etc/systemd/system" / unit
        assert installed_unit.read_bytes() == (checkout / "systemd" / unit).read_bytes()
    storegw = root / "opt/storegw/.venv/bin/storegw"
    result = subprocess.run([str(storegw), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "storegw" in result.stdout, result.stderr
    # On PATH, as the README, the /setup page and the log say: `storegw staff add ...`.
    assert os.readlink(root / "usr/local/bin/storegw") == "/opt/storegw/.venv/bin/storegw"


def test_second_run_changes_nothing_and_says_so(installed):
    _, _, second = installed
    assert "changed:" not in second
    assert second.rstrip().endswith("nothing changed")


def test_dry_run_changes_nothing(checkout, tmp_path):
    root = scratch_root(tmp_path / "root")
    before = tree(root)
    out = install(checkout, root, "--dry-run")
    assert "would change: /etc/storegw/gateway.toml (created)" in out
    assert "would change: /opt/storegw/.venv" in out
    assert not re.search(r"^changed:", out, re.M)
    assert tree(root) == before
    install(checkout, root, "--no-venv")
    unit = root / "etc/systemd/system/storegw.service"
    unit.write_text("[Unit]\n")  # a hand edit: the next run puts the unit back
    before = tree(root)
    out = install(checkout, root, "--no-venv", "--dry-run")
    assert "would change: /etc/systemd/system/storegw.service (updated)" in out
    assert tree(root) == before
    out = install(checkout, root, "--no-venv")
    assert "changed: /etc/systemd/system/storegw.service (updated)" in out
    assert out.rstrip().endswith("1 change(s) made")
    assert unit.read_bytes() == (checkout / "systemd/storegw.service").read_bytes()


def test_an_existing_config_is_kept(checkout, tmp_path):
    root = scratch_root(tmp_path / "root")
    config = root / "etc/storegw/gateway.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[store]\nid = "shop-042"\n')
    config.chmod(0o644)
    (root / "etc/storegw/gateway.env").write_text("STOREGW_MQTT_PASSWORD=secret\n")
    out = install(checkout, root, "--no-venv")
    assert config.read_text() == '[store]\nid = "shop-042"\n'
    assert "changed: /etc/storegw/gateway.toml (mode or owner)" in out
    info = config.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, ids(root, "storegw", "group"))
    assert (root / "etc/storegw/gateway.env").read_text() == "STOREGW_MQTT_PASSWORD=secret\n"
    assert not (root / "opt/storegw/.venv").exists()


def test_installed_units_pass_systemd_analyze_verify(installed):
    """--root: ExecStart is looked up in the scratch root, where the venv really is."""
    analyze = need("systemd-analyze")
    root = installed[0]
    # The targets the units name (multi-user.target, timers.target ...) come from the host.
    shutil.copytree(
        "/usr/lib/systemd/system",
        root / "usr/lib/systemd/system",
        symlinks=True,
        dirs_exist_ok=True,
    )
    result = subprocess.run(
        [analyze, "verify", "--man=no", f"--root={root}", *UNITS],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # Unknown keys and bad values are only warnings: any output at all is a failure.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- udev rules ---------------------------------------------------------------------------------

MATCH_KEYS = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "ATTR", "ATTRS", "ENV",
              "DRIVERS", "TAG"}  # fmt: skip
ASSIGN_KEYS = {"SYMLINK", "GROUP", "MODE", "OWNER", "ENV", "GOTO", "LABEL", "TAG"}
TOKEN = re.compile(r'^([A-Z]+)(?:\{([A-Za-z0-9_]+)\})?(==|!=|\+=|:=|=)"([^"]*)"$')
NAMES = {"storegw-fiscal": "dialout", "storegw-scanner": "dialout", "storegw-printer": "lp"}


def parse_rule(line: str) -> list[tuple[str, str | None, str, str]]:
    tokens = []
    for raw in re.split(r",\s*", line.strip()):
        token = TOKEN.match(raw)
        assert token, f'not KEY=="value" or KEY="value": {raw!r} in {line!r}'
        key, attribute, op, value = token.groups()
        known = MATCH_KEYS if op in ("==", "!=") else ASSIGN_KEYS
        assert key in known, f"{key}{op} is not a udev {'match' if op[0] in '=!' else 'assignment'}"
        tokens.append((key, attribute, op, value))
    return tokens


def test_udev_rules_parse_and_name_the_three_devices():
    text = (REPO / "firmware-config/99-storegw.rules").read_text()
    active: list[list] = []
    for line in text.splitlines():
        commented = line.startswith("#SUBSYSTEM")  # an example to uncomment: valid too
        if not line.strip() or (line.startswith("#") and not commented):
            continue
        rule = parse_rule(line.lstrip("#"))
        values = {(k, a, op): v for k, a, op, v in rule}
        if not commented:
            active.append(rule)
        ids_ = [v for k, a, op, v in rule if a in ("idVendor", "idProduct")]
        assert all(re.fullmatch(r"[0-9a-f]{4}", v) for v in ids_), line
        attrs = {a for k, a, op, v in rule if k == "ATTRS"}
        assert not (attrs & {"idVendor"} and attrs & {"bInterfaceNumber"}), "ATTRS on two parents"
        if values.get(("ATTRS", "idVendor", "==")) in ("0403", "067b", "10c4", "1a86"):
            assert commented, "a USB-serial adapter's line must stay an example"
            assert attrs & {"serial"} or ("KERNELS", None, "==") in values, line
        link = values.get(("SYMLINK", None, "+="))
        if link is not None:
            assert link in NAMES, f"SYMLINK+={link!r}: not one of {sorted(NAMES)}"
            assert values.get(("GROUP", None, "=")) == NAMES[link], line
        if link is not None or ("GROUP", None, "=") in values:
            assert values.get(("MODE", None, "=")) == "0660", line
        elif not values.get(("GOTO", None, "=")) and not values.get(("LABEL", None, "=")):
            raise AssertionError(f"a rule that neither names nor permits a device: {line}")
    links = {v for rule in active for k, a, op, v in rule if k == "SYMLINK"}
    assert links == set(NAMES)
    gotos = {v for rule in active for k, a, op, v in rule if k == "GOTO"}
    labels = {v for rule in active for k, a, op, v in rule if k == "LABEL"}
    assert gotos <= labels


# --- the Mosquitto bridge -----------------------------------------------------------------------


class Client:
    """A paho client on one broker, its received messages in a queue."""

    def __init__(self, port: int, name: str, auth: tuple[str, str] | None = None):
        self.name = name
        self.messages: queue.Queue = queue.Queue()
        self.connected: queue.Queue = queue.Queue()
        self.subscribed: queue.Queue = queue.Queue()
        self.mqtt = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=name)
        if auth:
            self.mqtt.username_pw_set(*auth)
        self.mqtt.on_connect = lambda c, u, flags, reason, props: self.connected.put(reason)
        self.mqtt.on_message = lambda c, u, msg: self.messages.put((msg.topic, msg.payload))
        self.mqtt.on_subscribe = lambda c, u, mid, reasons, props: self.subscribed.put(reasons)
        self.mqtt.connect(HOST, port)
        self.mqtt.loop_start()
        self.reason = self.connected.get(timeout=WAIT_S)

    def subscribe(self, topic: str) -> None:
        """Returns once the broker granted it (SUBACK): a message published after is seen."""
        self.mqtt.subscribe(topic, qos=1)
        reasons = self.subscribed.get(timeout=WAIT_S)
        assert not any(r.is_failure for r in reasons), f"subscribe {topic}: {reasons}"

    def publish(self, topic: str, payload: bytes) -> None:
        self.mqtt.publish(topic, payload, qos=1).wait_for_publish(WAIT_S)

    def next(self) -> tuple[str, bytes]:
        try:
            return self.messages.get(timeout=WAIT_S)
        except queue.Empty:
            raise AssertionError(f"{self.name}: no message within {WAIT_S:.0f} s") from None

    def close(self) -> None:
        self.mqtt.loop_stop()
        self.mqtt.disconnect()


def test_bridge_carries_the_shop_topics_both_ways(checkout, tmp_path, make_broker):
    users = tmp_path / "cloud-users"
    subprocess.run([need("mosquitto_passwd"), "-b", "-c", str(users), STORE, "pa&ss"], check=True)
    cloud = make_broker(extra_conf=f"allow_anonymous false\npassword_file {users}")
    root = scratch_root(tmp_path / "root")
    url = f"mqtt://{HOST}:{cloud.port}"
    args = ("--no-venv", "--with-mosquitto", "--bridge-url", url, "--bridge-user", STORE)
    out = install(checkout, root, *args, "--bridge-password", "pa&ss")
    assert "changed: /etc/mosquitto/conf.d/storegw-bridge.conf (created)" in out
    conf = root / "etc/mosquitto/conf.d/storegw-bridge.conf"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640  # it holds the cloud password
    local = make_broker(extra_conf=conf.read_text())
    clients = []
    try:
        anonymous = Client(cloud.port, "nobody")
        clients.append(anonymous)
        assert anonymous.reason.is_failure, "the cloud broker must refuse anonymous clients"
        shop = Client(local.port, "gateway")
        office = Client(cloud.port, "office", auth=(STORE, "pa&ss"))
        clients += [shop, office]
        shop.subscribe(f"$SYS/broker/connection/storegw-{STORE}-bridge/state")
        assert shop.next()[1] == b"1", "the bridge did not connect to the cloud"
        shop.subscribe(f"storegw/{STORE}/in/#")
        office.subscribe("storegw/#")
        # Another shop's topic is not bridged: had it been, it would arrive before ours.
        shop.publish("storegw/shop-002/out/events", b"not ours")
        shop.publish(f"storegw/{STORE}/out/events", b'{"type": "order.reserved"}')
        assert office.next() == (f"storegw/{STORE}/out/events", b'{"type": "order.reserved"}')
        office.publish(f"storegw/{STORE}/in/orders", b'{"type": "order.created"}')
        assert shop.next() == (f"storegw/{STORE}/in/orders", b'{"type": "order.created"}')
    finally:
        for client in clients:
            client.close()
