"""`storegw fiscal ...`: the real console script, run as a subprocess against the register
simulator on a pty: status, open and close the shift, X report, and one-line errors."""

import json
import os
import pty
import subprocess
import sys
import tty
from pathlib import Path

import pytest

from simulators.fiscal_register import FiscalRegisterSimulator
from tests.clean_env import storegw_free_env

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
DAY = 24 * 3600


def storegw(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STOREGW), "fiscal", *map(str, args)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(*args) -> dict:
    result = storegw(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def one_line_error(result: subprocess.CompletedProcess, exit_code: int) -> str:
    assert result.returncode == exit_code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("storegw: error: ")
    assert "Traceback" not in result.stderr
    return line


@pytest.fixture
def simulator(tmp_path):
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "archive.json")
    simulator.start()
    yield simulator
    simulator.stop()


def test_status_of_a_fresh_register(simulator):
    status = ok("status", "--port", simulator.slave_path)
    assert (status["mode"], status["mode_text"]) == (4, "shift closed")
    assert (status["submode"], status["submode_text"]) == (0, "paper present, idle")
    assert status["paper_present"] is True
    assert status["shift_open"] is False and status["shift_expired"] is False
    assert status["receipt_open"] is False
    fn = status["fn"]
    assert fn["number"] and fn["last_fd"] == 0 and fn["shift_open"] is False
    assert "fiscal mode open" in fn["life_phase_text"]
    assert status["last_document"] is None


def test_a_shift_opened_reported_and_closed(simulator):
    port = simulator.slave_path
    opened = ok("open-shift", "--port", port, "--cashier", "Анна Петрова", "--inn", "500100732259")
    assert opened["opened"] is True and opened["cashier"] == "Анна Петрова"
    assert (opened["shift"], opened["fd"]) == (1, 1) and opened["fp"]

    status = ok("status", "--port", port, "--password", "30", "--baud", "115200")
    assert status["mode"] == 2 and status["shift_open"] is True
    assert status["fn"]["shift_open"] is True and status["fn"]["last_fd"] == 1
    assert status["shift"] == {"open": True, "number": 1, "receipt_number": 0}
    last = status["last_document"]
    assert (last["fd"], last["doc_type_text"], last["shift"]) == (1, "open shift", 1)

    report = ok("x-report", "--port", port)
    assert report["printed"] is True and report["shift"]["number"] == 1

    closed = ok("close-shift", "--port", port, "--cashier", "Анна Петрова")
    assert closed["closed"] is True and (closed["shift"], closed["fd"]) == (1, 2)
    assert ok("status", "--port", port)["shift_open"] is False

    kinds = [document["type"] for document in simulator.archive]
    assert kinds == ["open_shift", "close_shift"]
    assert any(text.startswith("ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ") for text in simulator.printed)


def test_opening_an_open_shift_is_a_one_line_error(simulator):
    port = simulator.slave_path
    ok("open-shift", "--port", port, "--cashier", "Анна")
    line = one_line_error(storegw("open-shift", "--port", port, "--cashier", "Анна"), 1)
    assert "the shift is already open" in line
    assert len(simulator.archive) == 1


def test_closing_a_closed_shift_is_a_one_line_error(simulator):
    line = one_line_error(
        storegw("close-shift", "--port", simulator.slave_path, "--cashier", "Анна"), 1
    )
    assert "Shift is not open" in line and "Смена не открыта" in line


def test_an_expired_shift_shows_in_status_and_must_be_closed(simulator):
    port = simulator.slave_path
    ok("open-shift", "--port", port, "--cashier", "Анна")
    simulator.advance_clock(DAY + 60)
    status = ok("status", "--port", port)
    assert status["mode"] == 3 and status["shift_expired"] is True
    assert "over 24 hours" in status["mode_text"]
    line = one_line_error(storegw("open-shift", "--port", port, "--cashier", "Анна"), 1)
    assert "over 24" in line
    assert ok("close-shift", "--port", port, "--cashier", "Анна")["closed"] is True


def test_a_wrong_password_is_the_registers_message(simulator):
    line = one_line_error(storegw("status", "--port", simulator.slave_path, "--password", "7"), 1)
    assert "Wrong password" in line


def test_a_port_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-tty"
    line = one_line_error(storegw("status", "--port", missing), 3)
    assert str(missing) in line and "No such file or directory" in line


def test_a_bad_url_and_a_bad_inn_are_one_line_errors(simulator):
    one_line_error(storegw("status", "--port", "nonsense://x"), 2)
    line = one_line_error(
        storegw("open-shift", "--port", simulator.slave_path, "--cashier", "A", "--inn", "12"), 2
    )
    assert "INN" in line
    typo = storegw("open-shift", "--port", simulator.slave_path, "--cashier", "A", "--inn",
                   "123456789012")  # fmt: skip
    assert "check digits" in one_line_error(typo, 2)  # a typo is never printed on receipts
    assert simulator.archive == []


def test_a_register_that_does_not_answer_is_link_down():
    """A pty nobody serves: ENQ goes unanswered, the driver gives up after its retries."""
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        line = one_line_error(storegw("status", "--port", os.ttyname(slave), timeout=90), 3)
        assert "No link to the fiscal register" in line
    finally:
        os.close(master)
        os.close(slave)
