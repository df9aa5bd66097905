"""Real Mosquitto brokers and a cuttable TCP proxy for tests (design: RELIABILITY.md §3.5).

A pytest plugin: register it with `pytest_plugins = ["tests.brokers"]`. Fixtures:

- `broker`: a started `Broker` on a free loopback port, stopped after the test;
- `make_broker(**options)`: a factory for brokers with options (`max_queued_messages=5`,
  `persistence=True`, `autosave_interval=1`, `extra_conf=...`, `start=False`);
- `proxy_to(broker_or_port)`: a factory for `TcpProxy` in front of a broker, to cut the "WAN".

Every broker and proxy is cleaned up after the test, and when a test fails, the logs of its
brokers are added to the report. Without the `mosquitto` binary these tests FAIL (never skip):
CI installs it (`.ci/run`, `make deps`).

PYTEST_DONT_REWRITE: no asserts here, and test modules may import it before it is registered.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from pathlib import Path

import pytest

HOST = "127.0.0.1"
# Debian puts mosquitto in /usr/sbin, which is not on a normal user's PATH.
SBIN_DIRS: tuple[str, ...] = ("/usr/sbin", "/usr/local/sbin")
INSTALL_HINT = (
    "the `mosquitto` broker is not installed, and the MQTT tests need it: "
    "install it with `sudo apt-get install mosquitto` (or run `make deps`); "
    "CI installs it in .ci/run"
)
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
LOG_TAIL_LINES = 30


class MosquittoNotFound(RuntimeError):
    """The `mosquitto` binary is missing: a broken test machine, never a reason to skip."""


class BrokerError(RuntimeError):
    """The broker did not start, or its port did not come free for a restart."""


def find_mosquitto() -> str:
    """The path of the `mosquitto` binary: on PATH, else in the sbin directories."""
    found = shutil.which("mosquitto")
    if found:
        return found
    for directory in SBIN_DIRS:
        candidate = Path(directory) / "mosquitto"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise MosquittoNotFound(INSTALL_HINT)


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_is_bindable(port: int) -> bool:
    """True if a listener could bind this port now (SO_REUSEADDR, as mosquitto binds it)."""
    with closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


class Broker:
    """One `mosquitto -c conf` process on a free 127.0.0.1 port, its files in `tmp_dir`.

    `start()`, `stop()` (SIGTERM: mosquitto saves its persistence file), `kill()` (SIGKILL: a
    crash), `restart()` (start again on the same port). Also a context manager that starts on
    entry (if not started) and stops on exit. The log of every run is appended to
    `tmp_dir/mosquitto.log` (`log_type all`); `log_text()` reads it.
    """

    def __init__(
        self,
        tmp_dir: Path,
        *,
        max_queued_messages: int | None = None,
        persistence: bool = False,
        autosave_interval: int | None = None,
        extra_conf: str = "",
    ):
        self.binary = find_mosquitto()
        self.tmp_dir = Path(tmp_dir)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.conf_path = self.tmp_dir / "mosquitto.conf"
        self.log_path = self.tmp_dir / "mosquitto.log"
        self.persistence_dir = self.tmp_dir / "persistence"
        self.max_queued_messages = max_queued_messages
        self.persistence = persistence
        self.autosave_interval = autosave_interval
        self.extra_conf = extra_conf
        self.host = HOST
        self._port = free_port()
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._has_run = False  # once it has listened, the port is its own: never change it
        self._write_conf()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"mqtt://{HOST}:{self._port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running else "stopped"
        return f"<Broker {self.url} {state}>"

    # -- configuration -----------------------------------------------------------------------

    def _write_conf(self) -> None:
        lines = ["# written by tests/brokers.py"]
        if os.geteuid() == 0:
            # As root, mosquitto would switch to the `mosquitto` user after reading this file,
            # and could then not write its persistence file in our 0700 temporary directory.
            lines.append("user root")
        lines += [
            f"listener {self._port} {HOST}",
            "allow_anonymous true",
            "log_dest stderr",
            "log_type all",
            "log_timestamp_format %H:%M:%S",
            "set_tcp_nodelay true",  # small messages, latency matters (as in the field)
        ]
        if self.persistence:
            self.persistence_dir.mkdir(exist_ok=True)
            lines += [
                "persistence true",
                f"persistence_location {self.persistence_dir}/",
                "persistence_file mosquitto.db",
            ]
        else:
            lines.append("persistence false")
        if self.autosave_interval is not None:
            lines.append(f"autosave_interval {self.autosave_interval}")
        if self.max_queued_messages is not None:
            lines.append(f"max_queued_messages {self.max_queued_messages}")
        if self.extra_conf:
            lines.append(self.extra_conf.strip("\n"))
        self.conf_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> Broker:
        """Start mosquitto and return once its port accepts connections (within ~10 s)."""
        if self.running:
            raise BrokerError(f"{self!r} is already running")
        for _ in range(3):
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            if self._launch(offset):
                self._has_run = True
                return self
            run_log = self._log_since(offset)
            # Another process took the free port between free_port() and mosquitto's bind.
            if self._has_run or "Address already in use" not in run_log:
                raise BrokerError(
                    f"mosquitto exited with status {self._proc.returncode} on start "
                    f"({self.conf_path}); log:\n{tail(run_log)}"
                )
            self._port = free_port()
            self._write_conf()
        raise BrokerError(f"mosquitto found no free port; log:\n{tail(run_log)}")

    def _launch(self, offset: int) -> bool:
        self._close_log()
        self._log_file = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.conf_path)],
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._close_log()
                return False
            # "running" is logged once the listener is bound: the port is ours, not a stranger's.
            if " running" in self._log_since(offset) and port_accepts(self._port):
                return True
            time.sleep(0.05)
        self._signal_and_wait(signal.SIGKILL)
        raise BrokerError(
            f"mosquitto did not accept connections on port {self._port} within "
            f"{START_TIMEOUT_S:.0f} s; log:\n{tail(self._log_since(offset))}"
        )

    def stop(self) -> int | None:
        """SIGTERM and wait (mosquitto saves its persistence file). Returns the exit status."""
        return self._signal_and_wait(signal.SIGTERM)

    def kill(self) -> int | None:
        """SIGKILL and wait: a crash or a power cut, nothing is saved."""
        return self._signal_and_wait(signal.SIGKILL)

    def restart(self) -> Broker:
        """Stop (if still running), wait until the same port can be bound again, start on it."""
        if self.running:
            self.stop()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not port_is_bindable(self._port):
            if time.monotonic() > deadline:
                raise BrokerError(f"port {self._port} still taken {START_TIMEOUT_S:.0f} s later")
            time.sleep(0.05)
        return self.start()

    def _signal_and_wait(self, signum: int) -> int | None:
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                proc.send_signal(signum)
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT_S)
        self._close_log()
        return proc.returncode

    def close(self) -> None:
        """Stop if running; safe to call any number of times."""
        self.stop()

    def __enter__(self) -> Broker:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- log ---------------------------------------------------------------------------------

    def log_text(self) -> str:
        """Everything mosquitto logged, over all its runs."""
        return self._log_since(0)

    def _log_since(self, offset: int) -> str:
        if self._log_file is not None:
            self._log_file.flush()
        try:
            with self.log_path.open("rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class _Pair:
    """One proxied connection: the client's socket and ours to the target."""

    def __init__(self, client: socket.socket, upstream: socket.socket):
        self.client = client
        self.upstream = upstream
        self.silent = False  # bytes are swallowed both ways and nothing is closed
        self.closed = False


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


class TcpProxy:
    """A loopback TCP proxy in front of `target_port`: the shop's WAN link, which tests can cut.

    `cut()` closes every current connection and closes each new one as soon as it is accepted
    (the client sees the connection drop, then refused attempts); `cut(silent=True)` instead
    stops forwarding bytes, both ways, without closing anything (a dead link: only keepalives
    notice), and holds new connections open without answering. `restore()` forwards again (a
    silent cut's connections are closed then: their streams lost bytes). `close()` ends it all.
    """

    def __init__(self, target_port: int, target_host: str = HOST):
        self.target = (target_host, target_port)
        self.host = HOST
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._held: list[socket.socket] = []
        self._mode: str | None = None  # None (forwarding), "close" or "silent"
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"mqtt://{HOST}:{self.port}"

    @property
    def is_cut(self) -> bool:
        return self._mode is not None

    @property
    def connections(self) -> int:
        """Connections being forwarded now."""
        with self._lock:
            return sum(1 for pair in self._pairs if not pair.silent)

    def __repr__(self) -> str:
        state = f"cut ({self._mode})" if self._mode else "forwarding"
        return f"<TcpProxy {self.url} -> {self.target[0]}:{self.target[1]} {state}>"

    def cut(self, *, silent: bool = False) -> None:
        with self._lock:
            self._mode = "silent" if silent else "close"
            pairs = list(self._pairs)
            for pair in pairs:
                pair.silent = silent
            held = [] if silent else self._held
            if not silent:
                self._held = []
        if not silent:
            for pair in pairs:
                self._close_pair(pair)
            for sock in held:
                _shut(sock)

    def restore(self) -> None:
        with self._lock:
            self._mode = None
            silent = [pair for pair in self._pairs if pair.silent]
            held, self._held = self._held, []
        for pair in silent:
            self._close_pair(pair)
        for sock in held:
            _shut(sock)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pairs = list(self._pairs)
            held, self._held = self._held, []
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        _shut(self._listener)
        for pair in pairs:
            self._close_pair(pair)
        for sock in held:
            _shut(sock)
        self._thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._closed:
                    _shut(client)
                    return
                mode = self._mode
                if mode == "silent":
                    self._held.append(client)
                    continue
            if mode == "close":
                _shut(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _shut(client)  # the target is down: the client sees it as a refusal
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                forward = self._mode is None and not self._closed
                if forward:
                    self._pairs.add(pair)
            if not forward:  # cut or closed while we were connecting
                _shut(client)
                _shut(upstream)
                continue
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(pair, src, dst), name="tcp-proxy-pump", daemon=True
                ).start()

    def _pump(self, pair: _Pair, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if not pair.silent:
                    dst.sendall(data)
        except OSError:
            pass
        if not pair.silent:  # a silent cut closes nothing: the other end must not know
            self._close_pair(pair)

    def _close_pair(self, pair: _Pair) -> None:
        with self._lock:
            if pair.closed:
                return
            pair.closed = True
            self._pairs.discard(pair)
        _shut(pair.client)
        _shut(pair.upstream)


# -- pytest plugin ---------------------------------------------------------------------------

_BROKERS = pytest.StashKey[list]()


def _new_broker(tmp_dir: Path, **options) -> Broker:
    try:
        return Broker(tmp_dir, **options)
    except MosquittoNotFound as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def make_broker(request, tmp_path) -> Iterator[Callable[..., Broker]]:
    """`make_broker(max_queued_messages=5, persistence=True, ..., start=True) -> Broker`."""
    brokers: list[Broker] = []
    request.node.stash.setdefault(_BROKERS, []).append(brokers)

    def make(*, start: bool = True, **options) -> Broker:
        broker = _new_broker(tmp_path / f"broker-{len(brokers) + 1}", **options)
        brokers.append(broker)
        if start:
            broker.start()
        return broker

    yield make
    for broker in brokers:
        broker.close()


@pytest.fixture
def broker(make_broker) -> Broker:
    """A started broker with default options on a free port, stopped after the test."""
    return make_broker()


@pytest.fixture
def proxy_to() -> Iterator[Callable[[Broker | int], TcpProxy]]:
    """`proxy_to(broker_or_port) -> TcpProxy`: closed after the test."""
    proxies: list[TcpProxy] = []

    def make(target: Broker | int) -> TcpProxy:
        port = target.port if isinstance(target, Broker) else int(target)
        proxy = TcpProxy(port)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the tail of each of its brokers' logs."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for brokers in item.stash.get(_BROKERS, []):
            for broker in brokers:
                report.sections.append(
                    (f"mosquitto log ({broker.url}, {broker.log_path})", tail(broker.log_text()))
                )
    return report


def pytest_report_header(config) -> str:
    try:
        binary = find_mosquitto()
    except MosquittoNotFound:
        return "mosquitto: NOT FOUND, the broker tests will fail (apt-get install mosquitto)"
    try:
        result = subprocess.run(
            [binary, "-h"], capture_output=True, text=True, timeout=5, check=False
        )
        version = result.stdout.splitlines()[0] if result.stdout else "version unknown"
    except (OSError, subprocess.TimeoutExpired):
        version = "version unknown"
    return f"mosquitto: {binary} ({version})"
