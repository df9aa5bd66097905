"""Every warning and error of `storegw doctor` says what to do after "->", and what it says fits
the problem: a missing configuration file is not "correct that key", a broker that takes the
connection and never answers is not left without advice.

The problems are provoked for real where a test can (a missing or broken file, a port where
nothing listens, a port that accepts and never answers, a device node that is not there, a
database that is not one); only what no test can arrange (a full disk, a read-only mount, an
unsynchronised clock, under-voltage) comes through `Probes`, and the running gateway's states
as its /healthz would report them."""

import os
import socket
import sqlite3
from datetime import UTC, datetime

import pytest

from gateway import cli
from gateway.config import load_config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes, diagnose
from gateway.doctor_database import store_finding, sync_alarms_finding
from gateway.doctor_devices import drive_finding
from gateway.doctor_gateway import STATE_LEVELS, Running, gateway_finding, reported_findings
from gateway.doctor_sqlite import sqlite_finding
from gateway.doctor_system import (
    broker_findings,
    clock_finding,
    link_finding,
    throttled_finding,
)
from tests.integration.test_doctor import write_config
from tests.loopback import free_port

URL = "mqtt://127.0.0.1:1883"


def assert_advised(findings: list[Finding]) -> None:
    """Each warning and error line has '->' and a fix of some substance, not its finding again."""
    for finding in findings:
        if finding.level in (WARNING, ERROR):
            line = finding.line()
            assert " -> " in line, line
            todo = line.split(" -> ", 1)[1]
            assert len(todo) >= 20 and todo != finding.found, line


def doctor_lines(capsys, *argv: str) -> list[str]:
    cli.main(["doctor", *argv])
    return capsys.readouterr().out.splitlines()[:-1]


def test_a_missing_configuration_file_says_to_create_it_or_pass_the_right_path(tmp_path, capsys):
    missing = tmp_path / "nonexistent.toml"

    [config_line, *_] = doctor_lines(capsys, "--config", str(missing))

    assert config_line.startswith(f"error    config: {missing}: configuration file not found -> ")
    todo = config_line.split(" -> ", 1)[1]
    assert "key" not in todo
    assert "--config" in todo and "/etc/storegw/gateway.toml" in todo
    assert "firmware-config/gateway.example.toml" in todo


@pytest.mark.parametrize(
    ("content", "problem", "advice"),
    [
        (b"[store\nid = 1\n", "invalid TOML", "fix the TOML syntax"),
        (b'[store]\nid = "\xff"\n', "not a UTF-8 text file", "save the file as UTF-8"),
        (b'[mqtt]\nurll = "mqtt://x"\n', "unknown key", "correct that key"),
    ],
)
def test_each_broken_configuration_gets_its_own_advice(tmp_path, capsys, content, problem, advice):
    config = tmp_path / "gateway.toml"
    config.write_bytes(content)

    [config_line, *_] = doctor_lines(capsys, "--config", str(config))

    assert config_line.startswith("error    config: ") and problem in config_line, config_line
    assert advice in config_line.split(" -> ", 1)[1]


@pytest.fixture
def silent_port():
    """A port that takes TCP connections (the kernel's backlog) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_every_failing_check_of_a_sick_box_says_what_to_do(tmp_path, silent_port):
    devices = (
        f'[scanner]\nport = "{tmp_path / "ttyScanner"}"\n'
        f'[printer]\nurl = "tcp://127.0.0.1:{free_port()}"\ntimeout = 1\n'
    )
    sick = write_config(
        tmp_path / "sick",
        f"mqtt://127.0.0.1:{silent_port}",
        fiscal=str(tmp_path / "ttyFiscal"),
        extra=devices,
    )
    (tmp_path / "sick" / "gateway.db").write_bytes(b"not a database" * 100)
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/mmcblk0p2 / ext4 ro,noatime 0 0\n")

    def machine(argv, timeout):
        return (0, "no") if argv[0] == "timedatectl" else (0, "throttled=0x50005")

    def full(path):
        return os.statvfs_result((4096, 4096, 1_000_000, 10, 10, 0, 0, 0, 0, 255))

    probes = Probes(statvfs=full, run=machine, mounts=mounts, timeout=1.0)

    found = {f.name: f for f in diagnose(sick, probes=probes)}

    assert found["broker"].found == (
        f"timeout: 127.0.0.1:{silent_port} accepted the connection but never answered"
    )
    assert "mqtt.url" in found["broker"].todo
    provoked = {name for name, f in found.items() if f.level in (WARNING, ERROR)}
    assert provoked >= {
        "database",
        "disk",
        "filesystem",
        "backup",
        "gateway",
        "fiscal register",
        "printer",
        "scanner",
        "broker",
        "clock",
        "power",
    }, found
    assert_advised(list(found.values()))


def test_the_other_failures_of_the_database_disk_and_broker_say_what_to_do(tmp_path):
    closed = free_port()
    config = write_config(tmp_path / "box", f"mqtt://127.0.0.1:{closed}")
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/mmcblk0p2 / ext4 rw,data=writeback 0 0\n")

    def unreadable(path):
        raise PermissionError(13, "Permission denied")

    probes = Probes(statvfs=unreadable, mounts=mounts, timeout=1.0)
    found = diagnose(config, probes=probes)

    names = {f.name: f.level for f in found}
    assert names["database"] == ERROR and names["disk"] == ERROR and names["broker"] == ERROR
    assert_advised(found)


def test_the_running_gateways_reports_say_what_to_do(tmp_path):
    scanner = '[scanner]\nport = "/dev/ttySCANNER"\n'  # an empty table: run refuses it
    config = write_config(tmp_path / "box", URL, fiscal="/dev/ttyFISCAL", extra=scanner)

    def running(**status) -> Running:
        return Running(True, {"store_id": "shop-001", **status}, "http://127.0.0.1:8080/healthz")

    links = [
        {"state": "offline", "detail": "broker refused the connection: Not authorized"},
        {"state": "offline", "detail": "broker refused the connection: Bad user name or password"},
        {"state": "offline", "detail": "cannot reach the broker ([Errno 111] Connection refused)"},
        {"state": "offline", "detail": "disconnected: Session taken over"},
        {"state": "offline", "detail": "the broker's TLS certificate does not verify (expired)"},
        {"state": "connected", "detail": "cloud messages wait: the database refused them (full)"},
        {"state": "connecting", "detail": ""},
        {"state": "connected", "detail": "the broker refused our subscription: [Not authorized]"},
        {"state": "something new", "detail": ""},
    ]
    findings = [link_finding(running(mqtt={"url": URL, **link})) for link in links]
    assert [f.level for f in findings] == [ERROR] * 6 + [WARNING] * 3
    assert "mqtt.username and mqtt.password" in findings[0].todo
    assert "mqtt.username and mqtt.password" in findings[1].todo
    assert "is the broker running?" in findings[2].todo
    assert "another client" in findings[3].todo
    assert "mqtt.ca" in findings[4].todo
    assert "free space" in findings[5].todo
    assert "ACL" in findings[7].todo
    held = "message 9 is 30000 bytes, over the broker's maximum packet size of 20000: …"
    too_big = link_finding(running(mqtt={"state": "connected", "held_back": held}))
    assert too_big.level == ERROR and held in too_big.found and "max_packet_size" in too_big.todo
    ok = link_finding(running(mqtt={"state": "connected", "detail": "new session", "since": "T"}))
    assert ok.level == OK and "connected since T" in ok.found
    quiet = link_finding(Running(True, None, "http://127.0.0.1:8080/healthz"))
    assert quiet.level == SKIP and "not checked" in quiet.found

    loaded = load_config(config, env={})
    states = [*STATE_LEVELS, "unknown-state"]
    for state in states:
        status = {"devices": {"fiscal": state, "scanner": state}}
        findings += reported_findings(loaded, running(**status))
    findings += [
        gateway_finding(running(invariants={"problems": ["stock of MUG: 3 != 4"]})),
        gateway_finding(Running(True, None, "http://127.0.0.1:8080/healthz")),
        gateway_finding(Running(False, None, "http://127.0.0.1:8080/healthz")),
    ]
    assert_advised(findings)


def test_the_database_and_machine_checks_say_what_to_do():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE alarm(name TEXT, detail TEXT)")
    conn.execute("INSERT INTO alarm VALUES ('gap', 'cloud seqs 4-6 missing')")
    alarm = {"kind": "ofd_queue", "level": 25, "detail_en": "25 days unsent: check the OFD"}
    now = datetime.now(UTC).isoformat()
    findings = [
        store_finding(conn, set(), "shop-001"),
        sync_alarms_finding(conn),
        sqlite_finding(b"SQLite format 3\x00" + bytes(84)),  # a rollback-journal file
        drive_finding({"fn": "1", "unsent": 40, "alarms": [alarm], "read_at": now}),
        throttled_finding(0x20000),
        clock_finding(Probes(run=lambda argv, timeout: (0, "no"))),
    ]
    assert {f.level for f in findings} <= {WARNING, ERROR}
    assert_advised(findings)


def test_a_password_sent_in_clear_to_another_machine_is_a_warning(tmp_path):
    """QA: mqtt:// with a password and TLS files connected in clear, without a word."""
    config = write_config(tmp_path / "box", "mqtt://10.0.0.5:1883", mqtt='password = "x"\n')
    running = Running(True, {"store_id": "shop-001", "mqtt": {"state": "connected"}}, "")
    levels = {
        f.name: (f.level, f.todo)
        for f in broker_findings(load_config(config, env={}), Probes(), running)
    }
    level, todo = levels["broker tls"]
    assert level == WARNING and "mqtts://" in todo
