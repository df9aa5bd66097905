"""What the serial and HID readers share: a background thread that opens the device, reads
until it fails, reopens it with backoff, and hands each scan to a callback or a queue.

Health is ``status``: 'ok' (device open), 'offline' (waiting to reopen) or 'stopped'; an
``on_status(status, detail)`` callback lets a supervisor report it. Nothing happens at import
or construction: ``start()`` opens the device in the thread, ``stop()`` closes it."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

from .backoff import Backoff
from .scan import Scan

log = logging.getLogger(__name__)

ScanCallback = Callable[[Scan], None]
StatusCallback = Callable[[str, str], None]


class ScanReader:
    name = "scanner"

    def __init__(
        self,
        on_scan: ScanCallback | None = None,
        *,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ):
        self.on_scan = on_scan
        self.on_status = on_status
        self.backoff = backoff or Backoff()
        self.status = "stopped"
        self.reconnects = 0  # times the device was reopened after a failure
        self._scans: queue.Queue[Scan] = queue.Queue()
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    # --- device hooks, overridden by the readers ------------------------------------------
    def open_device(self) -> None:
        raise NotImplementedError

    def read_device(self) -> None:
        """Wait briefly for input and deliver any complete scans; raise OSError if gone."""
        raise NotImplementedError

    def close_device(self) -> None:
        raise NotImplementedError

    def interrupt(self) -> None:
        """Wake a blocked read_device() so stop() is prompt."""

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} reader already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ScanReader:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def run(self) -> None:
        """The reading loop; blocks until stop(). start() runs it in a thread."""
        opened_before = False
        while not self._stopping.is_set():
            try:
                self.open_device()
            except Exception as error:  # OSError (pyserial's too), or anything else: retry
                self._set_status("offline", str(error))
                self._stopping.wait(self.backoff.next_delay())
                continue
            self.backoff.reset()
            self.reconnects += opened_before
            opened_before = True
            self._set_status("ok", "")
            try:
                while not self._stopping.is_set():
                    self.read_device()
            except Exception as error:  # the thread must live on and say the scanner is off
                log.warning("%s: device lost: %s", self.name, error)
                self._set_status("offline", str(error))
                self._stopping.wait(self.backoff.next_delay())
            finally:
                self.close_device()
        self._set_status("stopped", "")

    # --- output -----------------------------------------------------------------------------
    def deliver(self, scan: Scan) -> None:
        if not scan.ok:
            log.info("%s: refused scan %r: %s", self.name, scan.text, scan.error)
        if self.on_scan is None:
            self._scans.put(scan)
            return
        try:
            self.on_scan(scan)
        except Exception:  # a failing consumer must not kill the reader; it is logged
            log.exception("%s: scan callback failed", self.name)

    def get_scan(self, timeout: float | None = None) -> Scan | None:
        """The next scan when no ``on_scan`` callback was given; None after ``timeout``."""
        try:
            return self._scans.get(timeout=timeout)
        except queue.Empty:
            return None

    def scans(self, poll: float = 0.1) -> Iterator[Scan]:
        """Yield scans until stop() and the queue is drained."""
        while not (self._stopping.is_set() and self._scans.empty()):
            scan = self.get_scan(poll)
            if scan is not None:
                yield scan

    def wait_connected(self, timeout: float | None = None) -> bool:
        """True once the device is open (a port opened later flushes what came before)."""
        return self._connected.wait(timeout)

    def _set_status(self, status: str, detail: str) -> None:
        if status == "ok":
            self._connected.set()
        else:
            self._connected.clear()
        if status == self.status:
            return
        self.status = status
        level = logging.INFO if status == "ok" else logging.WARNING  # `journalctl -p warning`
        log.log(level, "%s: %s%s", self.name, status, f" ({detail})" if detail else "")
        if self.on_status is not None:
            self.on_status(status, detail)
