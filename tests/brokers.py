"""Real Mosquitto brokers and a cuttable TCP proxy for tests (design: RELIABILITY.md §3.5).

A pytest plugin: register it with `pytest_plugins = ["tests.brokers"]`, which also loads its
fixtures from tests/broker_fixtures.py:

- `broker`: a started `Broker` on a free loopback port, stopped after the test;
- `make_broker(**options)`: a factory for brokers with options (`max_queued_messages=5`,
  `persistence=True`, `autosave_interval=1`, `extra_conf=...`, `start=False`);
- `proxy_to(broker_or_port)`: a factory for `TcpProxy` (tests/tcp_proxy.py) in front of a
  broker, to cut the "WAN".

Every broker and proxy is cleaned up after the test, and when a test fails, the logs of its
brokers are added to the report. Without the `mosquitto` binary these tests FAIL (never skip):
CI installs it (`.ci/run`, `make deps`).

PYTEST_DONT_REWRITE: no asserts here, and test modules may import it before it is registered.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path

from tests.loopback import HOST, free_port, port_accepts, port_is_bindable
from tests.tcp_proxy import TcpProxy

__all__ = [  # also what tests and benches import from here
    "HOST",
    "Broker",
    "BrokerError",
    "MosquittoNotFound",
    "TcpProxy",
    "find_mosquitto",
    "free_port",
    "port_accepts",
    "port_is_bindable",
    "tail",
]

pytest_plugins = ["tests.broker_fixtures"]  # the fixtures and report hooks

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
        self._write_conf()  # options changed since (extra_conf) apply from this start
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
