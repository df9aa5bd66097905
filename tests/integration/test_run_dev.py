"""`make run` (tools/run_dev.py) as a real process: a broker, the cloud simulator and the gateway
come up, the UI answers (a demo manager and cashier can sign in by PIN), SIGTERM stops them in
order and exits 0; a child that dies takes the others down. Ports and var/ are the test's own: a
developer's `make run` may be running."""

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path

import psutil
import pytest

from tests import brokers
from tests.clean_env import storegw_free_env

ROOT = Path(__file__).resolve().parents[2]
RUN_DEV = ROOT / "tools" / "run_dev.py"
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 40  # each child gets up to 10 s after its SIGTERM
ROLES = {"broker", "cloud", "fiscal", "printer", "scanner", "gateway"}


class RunDev:
    def __init__(self, tmp_path: Path):
        brokers.find_mosquitto()  # fails with the install hint if it is missing
        self.web_port = brokers.free_port()
        self.broker_port = brokers.free_port()
        self.var_dir = tmp_path / "var"
        env = storegw_free_env()
        env |= {
            "STOREGW_WEB_LISTEN": f"127.0.0.1:{self.web_port}",
            "STOREGW_DEV_BROKER_PORT": str(self.broker_port),
            "STOREGW_DEV_PRINTER_PORT": str(brokers.free_port()),
            "STOREGW_DEV_VAR_DIR": str(self.var_dir),
        }
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, str(RUN_DEV)],
            cwd=tmp_path,  # it must find its way to the repository root itself
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_healthy(self) -> dict:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = f"http://127.0.0.1:{self.web_port}/healthz"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"run_dev exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                return json.loads(exc.read())
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"/healthz did not answer within {START_TIMEOUT_S} s:\n{self.output()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web_port}{path}"

    def wait_for_line(self, text: str, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline:
                pytest.fail(f"no line with {text!r} within {timeout} s:\n{self.output()}")
            time.sleep(0.1)

    def children(self) -> dict[str, psutil.Process]:
        """The children by role, told apart by their command lines."""
        found = {}
        for child in psutil.Process(self.proc.pid).children():
            cmdline = " ".join(child.cmdline())
            if "mosquitto" in cmdline:
                found["broker"] = child
            elif "simulators.backoffice" in cmdline:
                found["cloud"] = child
            elif "simulators.fiscal_register" in cmdline:
                found["fiscal"] = child
            elif "simulators.printer" in cmdline:
                found["printer"] = child
            elif "simulators.scanner" in cmdline:
                found["scanner"] = child
            elif "storegw" in cmdline and " run " in cmdline:
                found["gateway"] = child
        return found

    def wait(self) -> int:
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run_dev did not exit within {STOP_TIMEOUT_S} s:\n{self.output()}")
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        """Teardown: the whole tree, whatever state the test left it in."""
        with suppress(psutil.NoSuchProcess):
            for process in psutil.Process(self.proc.pid).children(recursive=True):
                with suppress(psutil.NoSuchProcess):
                    process.kill()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def run_dev(tmp_path):
    started = RunDev(tmp_path)
    yield started
    started.kill()


def assert_gone(processes) -> None:
    gone, alive = psutil.wait_procs(list(processes), timeout=5)
    assert alive == [], f"still running: {alive}"


def test_make_run_starts_everything_and_sigterm_stops_it_in_order(run_dev):
    run_dev.wait_healthy()
    run_dev.wait_for_line("Store gateway UI:")
    run_dev.wait_for_line("fiscal: offline -> ok")  # the gateway reached the register simulator
    health = run_dev.wait_healthy()
    deadline = time.monotonic() + START_TIMEOUT_S
    while any(health["devices"][d] != "ok" for d in ("fiscal", "printer", "scanner")):
        assert time.monotonic() < deadline, health["devices"]
        time.sleep(0.2)
        health = run_dev.wait_healthy()
    children = run_dev.children()
    assert set(children) == ROLES, run_dev.output()
    assert brokers.port_accepts(run_dev.broker_port)
    the_ui_answers_the_demo_staff(run_dev)

    run_dev.proc.send_signal(signal.SIGTERM)
    assert run_dev.wait() == 0, run_dev.output()
    assert_gone(children.values())

    out = run_dev.output()
    assert f"Store gateway UI: http://127.0.0.1:{run_dev.web_port}/" in run_dev.lines
    assert (
        f"Cloud back-office simulator: publishing to mqtt://127.0.0.1:{run_dev.broker_port}"
        in run_dev.lines
    )
    for tag in ("[broker]", "[cloud]", "[fiscal]", "[printer]", "[gateway]"):
        assert any(line.startswith(tag) for line in run_dev.lines), f"no {tag} line:\n{out}"
    names = ("gateway", "scanner simulator", "printer simulator", "fiscal register simulator")
    names += ("cloud", "broker")
    stops = [out.index(f"stopping the {name}") for name in names]
    assert stops == sorted(stops), out
    # Its files went to the test's var dir, none to the repository's.
    assert (run_dev.var_dir / "gateway.db").is_file()
    assert (run_dev.var_dir / "mosquitto" / "mosquitto.conf").is_file()
    for link in ("ttyFISCAL", "ttySCANNER"):
        assert not (run_dev.var_dir / link).exists(), link  # no stale link for the next run


def the_ui_answers_the_demo_staff(run_dev: RunDev) -> None:
    """The banner names the demo staff; the PIN pad lists them and the manager's PIN opens the
    board and the status page (signed out, `/` is the sign-in screen, never the first-run
    setup)."""
    run_dev.wait_for_line("Demo staff")
    with urllib.request.urlopen(run_dev.url("/"), timeout=5) as response:
        assert urllib.parse.urlsplit(response.url).path == "/signin"
    with urllib.request.urlopen(run_dev.url("/api/signin"), timeout=5) as response:
        people = {person["name"]: person for person in json.loads(response.read())}
    assert {people["Ольга"]["role"], people["Анна"]["role"]} == {"manager", "cashier"}
    request = urllib.request.Request(
        run_dev.url("/api/signin"),
        data=json.dumps({"staff_id": people["Ольга"]["id"], "pin": "1111"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    home = urllib.request.Request(run_dev.url("/"), headers={"Cookie": cookie})
    with urllib.request.urlopen(home, timeout=5) as response:  # the home screen: the board
        assert urllib.parse.urlsplit(response.url).path == "/orders"
    page = urllib.request.Request(run_dev.url("/devices"), headers={"Cookie": cookie})
    with urllib.request.urlopen(page, timeout=5) as response:
        assert "Шлюз магазина" in response.read().decode("utf-8")


def test_a_child_that_dies_takes_the_others_down(run_dev):
    run_dev.wait_healthy()
    children = run_dev.children()
    assert set(children) == ROLES, run_dev.output()

    children["cloud"].kill()
    assert run_dev.wait() == 1, run_dev.output()
    assert "the cloud simulator exited with status -9: stopping the others" in run_dev.output()
    assert_gone(children.values())


def test_a_taken_broker_port_is_refused_with_a_hint(tmp_path):
    with brokers.Broker(tmp_path / "taken") as taken:
        env = storegw_free_env()
        env |= {"STOREGW_DEV_BROKER_PORT": str(taken.port), "STOREGW_DEV_VAR_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, str(RUN_DEV)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"port {taken.port} is taken" in result.stdout
