"""What systemd hears about a running gateway: READY=1 once the web server answers
(`announce_ready`), then WATCHDOG=1 only while the gateway really works (`Watchdog`).

A thread that merely wakes up proves nothing: the gateway is hung when its single writer is (an
order can neither be reserved nor acknowledged). So every period the loop hands the writer an
empty command -- an empty transaction, nothing reaches the SD card -- and pets (WATCHDOG=1) only
when it comes back within half a period. A writer that does not answer gets no ping: systemd
then restarts the gateway after WatchdogSec. The same message keeps STATUS= current."""

from __future__ import annotations

import logging
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from gateway.systemd_notify import Notifier

if TYPE_CHECKING:
    from gateway.config import Config

log = logging.getLogger("storegw")
READY_PROBE_S = 30.0  # the web server listens but /healthz does not answer: not ready
STATUS_ONLY_PERIOD_S = 30.0  # no watchdog asked for: STATUS= is still refreshed this often


def _nothing(uow) -> None:
    """The probe: a command that reads and writes nothing."""


class Watchdog:
    def __init__(
        self,
        writer,
        notifier: Notifier,
        status_line: Callable[[], str],
        period: float | None = None,
    ):
        """`period`: seconds between pings (default: systemd's WatchdogSec / 3, or STATUS=
        refreshes only when systemd set no watchdog)."""
        self.writer = writer
        self.notifier = notifier
        self.status_line = status_line
        self.pets = period is not None or notifier.watchdog_s is not None
        if period is None:
            period = notifier.watchdog_s / 3 if notifier.watchdog_s else STATUS_ONLY_PERIOD_S
        self.period = period
        self.probe_timeout = period / 2  # an answer after this is too late to count
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: Future | None = None
        self._stalled_since: float | None = None

    def start(self) -> Watchdog:
        if self.notifier.enabled:
            self._thread = threading.Thread(target=self._loop, name="storegw-watchdog", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.period + 1)

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            self.tick()
            next_at += self.period
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def tick(self) -> bool:
        """One round: True if the writer answered (and systemd was petted, if it asked to be)."""
        if not self._writer_answers():
            self.notifier.status(
                f"stalled: the database writer has not answered for {self._stalled():.0f} s"
            )
            return False
        line = _status_line(self.status_line)
        if self.pets:
            self.notifier.watchdog(line)
        else:
            self.notifier.status(line)
        return True

    def _writer_answers(self) -> bool:
        if self._pending is None:  # a probe still queued from before is waited for, not doubled
            try:
                self._pending = self.writer.submit(_nothing)
            except RuntimeError as exc:  # the writer stopped
                return self._failed(f"the database writer is not running: {exc}")
        try:
            self._pending.result(timeout=self.probe_timeout)
        except FutureTimeout:
            return self._failed("the database writer has not answered")
        except Exception as exc:  # the empty transaction could not commit (disk, I/O)
            self._pending = None
            return self._failed(f"the database writer cannot commit: {exc}")
        self._pending = None
        if self._stalled_since is not None:
            log.warning("watchdog: the database writer answers again after %.0f s", self._stalled())
            self._stalled_since = None
        return True

    def _failed(self, why: str) -> bool:
        if self._stalled_since is None:  # one line per stall, not one per period
            self._stalled_since = time.monotonic()
            then = "systemd will restart the gateway" if self.pets else "the gateway may be hung"
            log.error("watchdog: %s: not telling systemd all is well (%s)", why, then)
        return False

    def _stalled(self) -> float:
        return time.monotonic() - (self._stalled_since or time.monotonic())


def announce_ready(server, gateway, notifier: Notifier, watchdog: Watchdog, done) -> None:
    """READY=1 once the web server answers /healthz (the database and the core are up by then),
    then the watchdog. A server that never answers is never called ready: systemd restarts it."""
    while not server.started:
        if done.wait(0.05):
            return
    url = _local_url(gateway.config) + "healthz"
    deadline = time.monotonic() + READY_PROBE_S
    while not _answers(url, gateway.config.web.tls):
        if done.wait(0.1):
            return
        if time.monotonic() > deadline:
            log.error("%s does not answer: not telling systemd ready", url)
            notifier.status(f"the web server does not answer on {url}")
            return
    line = _status_line(gateway.status_line)
    notifier.ready(line)
    log.info("%s", line)
    if not done.is_set():
        watchdog.start()


def _status_line(status_line: Callable[[], str]) -> str:
    try:
        return status_line()
    except Exception as exc:  # a status we cannot read must not stop READY or the pings
        return f"ready (status unavailable: {exc})"


def _local_url(config: Config) -> str:
    """The UI's address as this machine reaches it (a wildcard listen is probed on loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(
        config.web_host, config.web_host
    )
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if config.web.tls else 'http'}://{host}:{config.web_port}/"


def _answers(url: str, tls: bool) -> bool:
    context = None
    if tls:  # our own server on this machine: its name need not match its certificate
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    # No proxy: a proxy from the environment must not answer for our own loopback server.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answers; a 503 only says something is degraded
    except OSError:
        return False
