"""systemd's notify protocol spoken by `storegw run`, heard on a NOTIFY_SOCKET the test listens on
(a datagram socket, as systemd's): STATUS= lines while it starts, READY=1 only once the web server
answers /healthz, WATCHDOG=1 pings while the writer commits, STOPPING=1 on SIGTERM and exit 0.
A web server that cannot start is never called ready. A writer blocked on purpose stops the pings
(in-process: the gateway and the watchdog loop); released, the pings come back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, suppress
from pathlib import Path

import pytest

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.systemd_notify import Notifier, watchdog_interval
from gateway.watchdog import Watchdog
from tests.loopback import free_port

STOREGW = Path(sys.executable).parent / "storegw"
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("STOREGW_", "WATCHDOG_"))}
WAIT_S = 30.0


class NotifySocket:
    """What systemd would hear: every datagram, when it came, and (at READY=1) whether the web
    server answered /healthz at that very moment."""

    def __init__(self, web_port: int | None = None):
        self.dir = tempfile.mkdtemp(prefix="sd-")  # a short path: AF_UNIX allows 108 bytes
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.web_port = web_port
        self.messages: list[list[str]] = []
        self.healthz_at_ready: int | None = None
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._closed.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            lines = data.decode("utf-8").split("\n")
            if "READY=1" in lines and self.web_port is not None:
                self.healthz_at_ready = healthz(self.web_port)
            self.messages.append(lines)

    def lines(self) -> list[str]:
        return [line for message in list(self.messages) for line in message]

    def statuses(self) -> list[str]:
        return [line.removeprefix("STATUS=") for line in self.lines() if line.startswith("STATUS=")]

    def count(self, line: str) -> int:
        return self.lines().count(line)

    def wait_for(self, line: str, count: int = 1, timeout: float = WAIT_S, proc=None) -> None:
        deadline = time.monotonic() + timeout
        while self.count(line) < count:
            if proc is not None and proc.poll() is not None:
                pytest.fail(f"storegw exited with {proc.returncode} before {line}: {self.lines()}")
            if time.monotonic() > deadline:
                pytest.fail(f"not {count}× {line} within {timeout} s: {self.lines()}")
            time.sleep(0.02)

    def close(self) -> None:
        self._closed.set()
        self.sock.close()
        self._thread.join(timeout=2)
        with suppress(OSError):
            os.unlink(self.path)
            os.rmdir(self.dir)


def healthz(port: int) -> int | None:
    """The HTTP status /healthz answers with, None if nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def write_config(tmp_path: Path, web_port: int) -> Path:
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[store]\nid = "shop-notify"\n[database]\npath = "{tmp_path / "g.db"}"\n'
        f'[web]\nlisten = "127.0.0.1:{web_port}"\n'
        f'[mqtt]\nurl = "mqtt://127.0.0.1:{free_port()}"\n',  # nobody there: not needed to run
        encoding="utf-8",
    )
    return config


@pytest.fixture
def listener():
    made: list[NotifySocket] = []

    def make(web_port: int | None = None) -> NotifySocket:
        made.append(NotifySocket(web_port))
        return made[-1]

    yield make
    for sock in made:
        sock.close()


@pytest.fixture
def storegw(tmp_path):
    started: list[subprocess.Popen] = []

    def start(config: Path, env: dict[str, str]) -> subprocess.Popen:
        log = (tmp_path / "stderr.log").open("ab")
        started.append(
            subprocess.Popen(
                [str(STOREGW), "run", "--config", str(config)],
                cwd=tmp_path,
                env={**ENV, **env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        )
        return started[-1]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_ready_only_once_the_web_server_answers_then_pings_then_stopping(
    tmp_path, listener, storegw
):
    web_port = free_port()
    notify = listener(web_port)
    proc = storegw(
        write_config(tmp_path, web_port),
        {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"},  # a ping every 1/3 s
    )
    notify.wait_for("READY=1", proc=proc)
    assert notify.healthz_at_ready == 200, notify.lines()  # answering when READY=1 was sent
    before_ready = notify.statuses()[: notify.lines().index("READY=1")]
    said = " | ".join(notify.statuses())
    for step in ("opening the database", "starting devices", "starting the web server"):
        assert any(s.startswith(step) for s in before_ready), said
    ready_message = next(m for m in notify.messages if "READY=1" in m)
    assert "STATUS=ready, 0 open order(s), outbox backlog 0" in ready_message[1], ready_message

    notify.wait_for("WATCHDOG=1", count=3, proc=proc)
    assert notify.lines().index("READY=1") < notify.lines().index("WATCHDOG=1")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert notify.count("STOPPING=1") == 1
    assert (tmp_path / "stderr.log").read_text().count("Traceback") == 0


def test_a_web_server_that_cannot_listen_is_never_ready(tmp_path, listener, storegw):
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        web_port = taken.getsockname()[1]
        notify = listener()
        proc = storegw(write_config(tmp_path, web_port), {"NOTIFY_SOCKET": notify.path})
        assert proc.wait(timeout=WAIT_S) != 0
    time.sleep(0.2)  # the last datagrams are in the socket's buffer already; let them be read
    assert any(s.startswith("starting the web server") for s in notify.statuses()), notify.lines()
    assert notify.count("READY=1") == 0


def test_the_watchdog_is_ours_only_when_systemd_says_so():
    assert watchdog_interval({"WATCHDOG_USEC": "3000000"}) == 3.0
    assert watchdog_interval({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": str(os.getpid())}) == 3.0
    assert (
        watchdog_interval({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "1"}) is None
    )  # a parent's
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({}) is None
    assert Notifier({}).notify("READY=1") is False  # no NOTIFY_SOCKET: nothing, no error


def test_an_abstract_socket_name_is_reached():
    name = f"storegw-test-{os.getpid()}-{time.monotonic_ns()}"
    with closing(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready("ready, all good")
        assert sock.recv(1024) == b"READY=1\nSTATUS=ready, all good"


@pytest.fixture
def gateway(tmp_path):
    (tmp_path / "gateway.toml").write_text(
        f'[store]\nid = "shop-dog"\n[database]\npath = "{tmp_path / "g.db"}"\n'
        f'[mqtt]\nurl = "mqtt://127.0.0.1:{free_port()}"\n',
        encoding="utf-8",
    )
    started = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    yield started
    started.stop()


def test_a_blocked_writer_stops_the_pings_and_a_released_one_resumes_them(gateway, listener):
    notify = listener()
    env = {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "600000"}  # a ping every 0.2 s
    watchdog = Watchdog(gateway.writer, Notifier(env), gateway.status_line).start()
    release = threading.Event()
    try:
        notify.wait_for("WATCHDOG=1", count=2)
        blocked = gateway.writer.submit(lambda uow: release.wait(60))  # holds the writer
        # Once the watchdog says it is stalled, no ping can come until the writer answers.
        deadline = time.monotonic() + WAIT_S
        while not any(s.startswith("stalled") for s in notify.statuses()):
            assert time.monotonic() < deadline, notify.lines()[-6:]
            time.sleep(0.02)
        pings = notify.count("WATCHDOG=1")
        time.sleep(3 * watchdog.period)
        assert notify.count("WATCHDOG=1") == pings, notify.lines()[-6:]
        assert not blocked.done()
        release.set()
        blocked.result(timeout=10)
        notify.wait_for("WATCHDOG=1", count=pings + 2)
    finally:
        release.set()
        watchdog.stop()
    stalled = [s for s in notify.statuses() if s.startswith("stalled")]
    assert stalled and "database writer" in stalled[0]
