"""`storegw doctor` on real parts: a Mosquitto broker (tests/brokers.py), a database made by a
gateway that ran, the fiscal register simulator on a pty, `storegw run` as a process. A healthy
box shows no error; a stopped broker, a nearly full disk (a fake statvfs: the one thing no test
can arrange for real), a device gone and a wrong password are each named with what to do.

Some checks depend on the machine the tests run on, not on the box under test: the disk and
its mount, the clock (timedatectl) and the power (vcgencmd). They may warn here (a full
developer disk, a clock not synchronised); they never decide whether the box is healthy."""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway import cli
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Probes, cmd_doctor, diagnose, exit_status
from gateway.doctor_gateway import fetch_status
from gateway.doctor_system import clock_finding, throttled_finding
from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from tests import builders
from tests.clean_env import storegw_free_env
from tests.integration.test_mqtt_security import password_broker  # noqa: F401 (a fixture)
from tests.loopback import free_port

ENVIRONMENT = {"disk", "filesystem", "clock", "power"}  # this machine's, not the box's
STOREGW = Path(sys.executable).parent / "storegw"
LINE = re.compile(r"^(ok|warning|error|skip) +([^:]+): (.*)$")
MB = 1_000_000


def write_config(
    folder: Path, broker_url: str, *, fiscal: str | None = None, mqtt: str = "", extra: str = ""
):
    folder.mkdir(parents=True, exist_ok=True)
    text = (
        f'[store]\nid = "shop-001"\n[mqtt]\nurl = "{broker_url}"\n{mqtt}'
        f'[database]\npath = "{folder / "gateway.db"}"\n'
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n'
        f'[backup]\ndir = "{folder / "backups"}"\n'
    )
    if fiscal is not None:
        text += (
            f'[fiscal]\nport = "{fiscal}"\npoll = 0.1\n'
            "control_timeout = 0.08\nbyte_timeout = 0.1\ntimeout_scale = 0.01\n"
        )
    path = folder / "gateway.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def doctor(capsys, config: Path) -> tuple[int, dict[str, tuple[str, str]]]:
    """Run the real CLI; {check name: (level, the rest of its line)}."""
    status = cli.main(["doctor", "--config", str(config)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[-1].startswith("doctor: "), out
    found = {}
    for line in lines[:-1]:
        match = LINE.match(line)
        assert match, f"not a doctor line: {line!r}"
        found[match[2]] = (match[1], match[3])
    return status, found


def levels(found: dict, level: str) -> set[str]:
    return {name for name, (lvl, _) in found.items() if lvl == level}


def ran_once(config: Path, *orders: str) -> None:
    """The box as a gateway leaves it: database, store id, the drive's reading, a backup."""
    gateway = Gateway(load_config(config, env={})).start()
    try:
        gateway.run(
            apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
        )
        for order_id in orders:
            gateway.run(create_order, builders.order(order_id, ("MUG", 1)))
        if gateway.fiscal is not None:
            deadline = time.monotonic() + 20
            while not (gateway.status()["fiscal"]["health"] or {}).get("fn"):
                assert time.monotonic() < deadline, "the drive was never read"
                time.sleep(0.05)
    finally:
        gateway.stop()
    assert cli.main(["backup", "--auto", "--config", str(config)]) == 0


@pytest.fixture
def box(tmp_path, broker, sim, capsys):
    config = write_config(tmp_path / "box", broker.url, fiscal=sim.slave_path)
    ran_once(config, "W-1")
    capsys.readouterr()
    return config


def test_a_healthy_stopped_box_has_no_error_and_the_register_is_asked_directly(box, sim, capsys):
    status, found = doctor(capsys, box)

    assert levels(found, ERROR) == set(), found
    assert levels(found, WARNING) <= ENVIRONMENT | {"gateway"}, found
    assert found["gateway"] == (
        WARNING,
        "not running -> sudo systemctl start storegw (ignore this if you stopped it on"
        " purpose); why it stopped: journalctl -u storegw -n 50",
    )
    assert status == 1  # the gateway is stopped: worth a warning on a real box
    for name in ("config", "database", "sqlite", "store id", "integrity", "invariants"):
        assert found[name][0] == OK, found[name]
    assert "journal WAL, synchronous FULL" in found["sqlite"][1]
    assert found["store id"][1] == "shop-001, as configured"
    assert found["fiscal register"][0] == OK
    assert found["fiscal register"][1].startswith(
        f"answers on {sim.slave_path}: FN {sim.fn_serial}"
    )
    assert (
        found["fiscal drive"][0] == OK
        and "0 document(s) waiting for the OFD" in found["fiscal drive"][1]
    )
    assert found["broker"][0] == OK and "accepts the gateway" in found["broker"][1]
    assert found["backup"][0] == OK and found["outbox"][0] == OK
    assert found["clock"][0] in (OK, SKIP) or "clock" in levels(found, WARNING)
    assert "printer" not in found and "scanner" not in found  # not configured: not checked


def test_a_running_box_is_reported_as_the_gateway_sees_it(tmp_path, broker, sim, capsys):
    config = write_config(tmp_path / "box", broker.url, fiscal=sim.slave_path)
    ran_once(config)
    capsys.readouterr()
    url = f"http://127.0.0.1:{load_config(config, env={}).web_port}/healthz"
    env = storegw_free_env()
    process = subprocess.Popen(
        [str(STOREGW), "run", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _settled(fetch_status(url, 1.0)):
            assert process.poll() is None and time.monotonic() < deadline, "storegw run"
            time.sleep(0.1)

        status, found = doctor(capsys, config)

        after = fetch_status(url, 5.0)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert levels(found, ERROR) == set(), found
    assert levels(found, WARNING) <= ENVIRONMENT, found
    assert status == (1 if levels(found, WARNING) else 0)
    assert found["gateway"] == (OK, f"running, {url} answers")
    seen = f"ok at {sim.slave_path} (as the running gateway sees it)"
    assert found["fiscal register"] == (OK, seen)
    assert found["fiscal drive"][0] == OK
    assert found["broker"][0] == OK
    # The doctor's own MQTT connection took nothing from the gateway's session.
    assert after["mqtt"]["state"] == "connected" and after["devices"]["fiscal"] == "ok"


def _settled(status: dict | None) -> bool:
    return bool(
        status
        and status["devices"]["fiscal"] == "ok"
        and status["mqtt"]["state"] == "connected"
        and (status["fiscal"]["health"] or {}).get("fn")
    )


def test_a_stopped_broker_is_named(box, broker, capsys):
    broker.stop()

    status, found = doctor(capsys, box)

    assert status == 2
    level, text = found["broker"]
    assert level == ERROR
    assert text.startswith(f"refused: nothing listens on 127.0.0.1:{broker.port} -> ")
    assert "is the broker running" in text


def test_a_wrong_password_is_named_not_authorised(tmp_path, password_broker, capsys):  # noqa: F811
    def configured(password: str) -> Path:
        credentials = f'username = "storegw"\npassword = "{password}"\n'
        return write_config(tmp_path / password, password_broker.url, mqtt=credentials)

    _, found = doctor(capsys, configured("nope"))
    level, text = found["broker"]
    assert level == ERROR
    assert text.startswith("not authorised (127.0.0.1:")
    assert "check mqtt.username and mqtt.password" in text

    _, found = doctor(capsys, configured("s3cret"))
    assert found["broker"] == (
        OK,
        f"127.0.0.1:{password_broker.port} accepts the gateway as storegw",
    )


def test_a_nearly_full_disk_is_named(box):
    def disk(free_mb: int, total_mb: int):
        block = 4096
        blocks, free = total_mb * MB // block, free_mb * MB // block
        return lambda path: os.statvfs_result((block, block, blocks, free, free, 0, 0, 0, 0, 255))

    found = {f.name: f for f in diagnose(box, probes=Probes(statvfs=disk(60, 30_000)))}
    assert found["disk"].level == ERROR
    assert found["disk"].found.startswith("60 MB free of 30,000 MB (0%)")
    assert "free space" in found["disk"].todo

    found = {f.name: f for f in diagnose(box, probes=Probes(statvfs=disk(1_500, 30_000)))}
    assert found["disk"].level == WARNING  # 5 %: less than a tenth left

    found = {f.name: f for f in diagnose(box, probes=Probes(statvfs=disk(20_000, 30_000)))}
    assert found["disk"].level == OK


def test_devices_gone_or_silent_are_each_named(tmp_path, broker, capsys):
    # Unplugged: its udev link is gone. (Not a closed pty: another process may get its number.)
    gone = tmp_path / "storegw-fiscal"
    _, found = doctor(capsys, write_config(tmp_path / "gone", broker.url, fiscal=str(gone)))
    assert found["fiscal register"][0] == ERROR
    assert found["fiscal register"][1].startswith(f"{gone} does not exist -> check the cable")

    master, slave = os.openpty()  # a port where nothing answers
    silent = os.ttyname(slave)
    devices = (
        f'[scanner]\nport = "{tmp_path / "ttyScanner"}"\n'
        f'[printer]\nurl = "tcp://127.0.0.1:{free_port()}"\ntimeout = 1\n'
    )
    config = write_config(tmp_path / "silent", broker.url, fiscal=silent, extra=devices)
    try:
        status, found = doctor(capsys, config)
    finally:
        os.close(master)
        os.close(slave)
    assert status == 2
    assert found["fiscal register"][0] == ERROR
    assert found["fiscal register"][1].startswith(f"nothing answers on {silent}")
    assert "is the register switched on?" in found["fiscal register"][1]
    assert found["scanner"] == (
        ERROR,
        f"{tmp_path / 'ttyScanner'} does not exist -> check the cable and the power, and"
        " `ls -l /dev/storegw-*` (the udev rules)",
    )
    assert found["printer"][0] == ERROR and "nothing answers at 127.0.0.1:" in found["printer"][1]


def test_a_broken_configuration_is_an_error_line_and_the_rest_still_runs(tmp_path, capsys):
    config = tmp_path / "gateway.toml"
    config.write_text('[store]\nid = "shop-001"\n[mqtt]\nurll = "mqtt://127.0.0.1:1"\n')

    status = cmd_doctor(argparse.Namespace(config=str(config)), None)

    lines = capsys.readouterr().out.splitlines()
    assert status == 2
    assert lines[0].startswith(f"error    config: {config}: mqtt.urll: unknown key")
    assert "did you mean 'url'?" in lines[0] and "run the doctor again" in lines[0]
    assert [line.split()[1] for line in lines[1:-1]] == ["clock:", "power:"]


def test_an_old_unsent_outbox_is_a_warning_then_an_error(box):
    def outbox(later: timedelta):
        probes = Probes(now=lambda: datetime.now(UTC) + later)
        return {f.name: f for f in diagnose(box, probes=probes)}["outbox"]

    assert outbox(timedelta(0)).level == OK
    assert outbox(timedelta(hours=2)).level == WARNING
    late = outbox(timedelta(days=2))
    assert late.level == ERROR
    assert re.match(
        r"\d+ message\(s\) not yet confirmed by the cloud, the oldest from ", late.found
    )
    assert "2 days ago" in late.found and "look at the broker line above" in late.todo


def test_throttling_bits_and_the_clock_in_words():
    assert throttled_finding(0).level == OK
    now = throttled_finding(0x50005)
    assert now.level == ERROR
    assert now.found == (
        "now: under-voltage, throttled; since boot: under-voltage, throttled (0x50005)"
    )
    assert "power supply" in now.todo
    assert throttled_finding(0x20000).level == WARNING  # capped once since boot: heat
    assert "air" in throttled_finding(0x20000).todo

    def clock(answer):
        return clock_finding(Probes(run=lambda argv, timeout: answer))

    assert clock(None).level == SKIP
    assert clock((1, "Failed to connect to bus")).found == (
        "not checked (timedatectl: Failed to connect to bus)"
    )
    assert clock((0, "yes")).level == OK
    assert clock((0, "no")).level == WARNING
    assert exit_status([clock(None), clock((0, "yes"))]) == 0  # "not checked" is no warning


def test_a_destroyed_database_is_named_and_the_rest_still_runs(box, capsys):
    database = box.parent / "gateway.db"
    database.write_bytes(b"\x00destroyed" * 4096)

    status, found = doctor(capsys, box)

    assert status == 2
    assert found["database"] == (
        ERROR,
        f"{database} is not an SQLite database -> restore the last good backup:"
        " storegw restore FILE (see the README)",
    )
    assert found["broker"][0] == OK and found["fiscal register"][0] == OK
