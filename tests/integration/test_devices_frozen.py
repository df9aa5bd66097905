"""The printer and the register simulators frozen for real (SIGSTOP on their processes): the
printer's state turns to not answering within seconds of a job that does not print, the slip
waits and prints once the printer is back; the devices page then says so in staff words."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.printer import PrinterWorker
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.services.printing import queue_print
from gateway.web.app import page_view
from gateway.web.frame import frame
from tests.builders import CASHIER

ROOT = Path(__file__).resolve().parents[2]
FAST_LINK = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01, "poll": 0.1}


def wait_for(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    yield writer
    writer.stop()


@pytest.fixture
def printer_sim(tmp_path):
    out = tmp_path / "printed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.printer", "--port", "0", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
    yield proc, port, out
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    proc.wait(10)


def test_a_frozen_printer_reads_not_answering_within_seconds_and_the_slip_waits(
    writer, printer_sim
):
    proc, port, out = printer_sim
    # The shipped defaults (timeout 3 s, poll 5 s): what `make run` and a shop use.
    worker = PrinterWorker({"url": f"tcp://127.0.0.1:{port}"}, writer)
    writer.on_commit(worker.wake)
    worker.start()
    try:
        wait_for(lambda: worker.state == "ok", "the printer found")
        os.kill(proc.pid, signal.SIGSTOP)
        writer.call(queue_print, "test_page", {}, by=CASHIER)
        started = time.monotonic()
        wait_for(lambda: worker.state != "ok", "not answering", timeout=10)
        assert time.monotonic() - started < 3.0  # was 6 s or more: two socket timeouts
        snapshot = worker.snapshot()
        assert snapshot["state"] == "offline" and snapshot["queued"] == 1
        status = {
            "ok": True,
            "invariants": {"ok": True},
            "devices": {"printer": worker.state},
            "printer": snapshot,
        }
        view = page_view(status, "ru")
        assert view["headline"]["ok"] is False
        (printer,) = view["devices"]
        assert printer["advice"].startswith("Принтер не отвечает")
        assert printer["waiting"] == ["Ждут печати: 1"]
        bar = frame(status, "ru", "/orders/W-1")["bar"]
        assert bar[-1]["word"] == "нет связи · ждут печати: 1"
        os.kill(proc.pid, signal.SIGCONT)
        wait_for(lambda: list(out.glob("slip-*.txt")), "the test page printed", timeout=40)
        wait_for(lambda: worker.snapshot()["queued"] == 0, "the queue empty", timeout=10)
        wait_for(lambda: worker.state == "ok", "working again", timeout=40)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        worker.stop()


@pytest.fixture
def register_sim(tmp_path):
    link = tmp_path / "ttyFISCAL"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.fiscal_register", "--link", str(link),
         "--archive", str(tmp_path / "fn.json")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for(link.exists, "the register's pty")
    yield proc, link
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    proc.wait(10)


def test_a_frozen_register_turns_the_page_red_with_what_to_do(writer, register_sim):
    proc, link = register_sim
    worker = FiscalWorker(FiscalConfig(port=str(link), **FAST_LINK), writer)
    worker.start()
    try:
        wait_for(lambda: worker.state == "ok", "the register found")
        os.kill(proc.pid, signal.SIGSTOP)
        wait_for(lambda: worker.state == "offline", "the register offline")
        device = worker.snapshot()
        assert "ENQ" in device["detail"] or "No link" in device["detail"]  # the driver's words
        status = {
            "ok": True,  # the books hold: only the register is away
            "invariants": {"ok": True},
            "devices": {"fiscal": worker.state},
            "fiscal": {"device": device, "receipts": {}},
        }
        view = page_view(status, "ru")
        assert view["headline"] == view["headline"] | {"ok": False, "tone": "bad"}
        (register,) = view["devices"]
        assert register["advice"].startswith("Касса не отвечает. Проверьте, что она включена")
        assert "No link" not in register["advice"] and "ENQ" not in register["advice"]
        assert register["specialist"].startswith("Для специалиста: ")
        assert register["test"] == "Проверить кассу (X-отчёт)"
        os.kill(proc.pid, signal.SIGCONT)
        wait_for(lambda: worker.state == "ok", "the register back", timeout=40)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        worker.stop()
