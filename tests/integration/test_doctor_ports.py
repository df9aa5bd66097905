"""The doctor's advice for a fiscal port it cannot open fits the reason (not a serial device,
nothing listening, permission), and with the gateway running each device line keeps what the
gateway knows: its reason and the device's address."""

import errno
import socket

import pytest

from gateway.config import FiscalConfig, load_config
from gateway.doctor import ERROR
from gateway.doctor_devices import fiscal_register, open_advice
from gateway.doctor_gateway import Running, reported_findings
from tests.integration.test_doctor import write_config


def closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]  # closed again: nothing listens there


def register_line(port: str):
    fiscal = FiscalConfig(port=port, control_timeout=0.1, byte_timeout=0.1, timeout_scale=0.01)
    finding, health = fiscal_register(fiscal)
    assert finding.level == ERROR and health is None
    return finding


@pytest.mark.parametrize(
    ("port", "advice"),
    [
        ("/dev/null", "is not a serial port"),
        ("DIRECTORY", "is not a serial port"),
        ("rfc2217://127.0.0.1:CLOSED", "nothing listens at rfc2217://127.0.0.1:"),
        ("socket://127.0.0.1:CLOSED", "nothing listens at socket://127.0.0.1:"),
    ],
)
def test_a_port_that_cannot_be_opened_is_not_blamed_on_groups(tmp_path, port, advice):
    # Chosen at run time, not collection: pytest-xdist's processes must collect the same names.
    port = str(tmp_path) if port == "DIRECTORY" else port.replace("CLOSED", str(closed_port()))
    finding = register_line(port)
    assert advice in finding.todo, finding.line()
    assert "group" not in finding.todo and "dialout" not in finding.todo


def test_a_refused_permission_is_about_the_group():
    denied = OSError(None, "could not open port /dev/ttyACM0: [Errno 13] Permission denied")
    assert "dialout" in open_advice("/dev/ttyACM0", denied)
    assert "dialout" in open_advice("/dev/ttyACM0", PermissionError(errno.EACCES, "denied"))


def test_a_running_gateways_reason_and_the_address_are_shown(tmp_path):
    devices = '[printer]\nurl = "tcp://10.0.0.5:9100"\n'
    config = load_config(
        write_config(
            tmp_path, "mqtt://127.0.0.1:1883", fiscal="/dev/storegw-fiscal", extra=devices
        ),
        env={},
    )
    status = {
        "store_id": "shop-001",
        "devices": {"fiscal": "offline", "printer": "offline"},
        "fiscal": {"device": {"state": "offline", "detail": "no answer to ENQ"}},
        "printer": {"state": "offline", "detail": "connection refused"},
    }

    fiscal, printer = reported_findings(config, Running(True, status, "http://x/healthz"))

    assert fiscal.found == (
        "offline at /dev/storegw-fiscal (as the running gateway sees it): no answer to ENQ"
    )
    assert printer.found == (
        "offline at tcp://10.0.0.5:9100 (as the running gateway sees it): connection refused"
    )
