"""A scanner in serial mode (USB-CDC / USB-COM, or a real UART) read with pyserial.

    reader = SerialScannerReader("/dev/scanner", on_scan=print)   # or a pty path, 'loop://'
    reader.start(); ...; reader.stop()

Each scan ends at a terminator byte (CR and LF by default; add b'\\t' for a Tab suffix) or,
with ``idle_timeout``, after a pause for scanners set to send no suffix. Bytes pass through
``decode_scan_bytes``: GS (0x1D) is kept, a leading 0xE8 is FNC1. A port that fails or
disappears (unplugged) is reopened with backoff; a half code from before it is dropped."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import serial

from .backoff import Backoff
from .framing import LineFramer
from .reader_loop import ScanCallback, ScanReader, StatusCallback
from .scan import decode_scan_bytes, scan_from_text

log = logging.getLogger(__name__)


class SerialScannerReader(ScanReader):
    name = "serial-scanner"

    def __init__(
        self,
        url: str,
        on_scan: ScanCallback | None = None,
        *,
        baudrate: int = 9600,
        terminators: bytes = b"\r\n",
        idle_timeout: float | None = None,
        stale_after: float = 0.5,
        encoding: str = "utf-8",
        fallback_encoding: str = "cp1251",
        read_timeout: float = 0.05,
        open_port: Callable[..., Any] = serial.serial_for_url,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ):
        super().__init__(on_scan, on_status=on_status, backoff=backoff)
        self.url = url
        self.baudrate = baudrate
        self.encoding = encoding
        self.fallback_encoding = fallback_encoding
        self.read_timeout = read_timeout
        self.open_port = open_port
        self.framer = LineFramer(terminators, idle_timeout, stale_after)
        self._port: Any = None

    def open_device(self) -> None:
        self.framer.reset()
        self._log_dropped()
        self._port = self.open_port(self.url, baudrate=self.baudrate, timeout=self.read_timeout)

    def read_device(self) -> None:
        port = self._port
        data = port.read(max(1, port.in_waiting))
        now = time.monotonic()
        frames = self.framer.feed(data, now) if data else self.framer.expire(now)
        self._log_dropped()
        for raw in frames:
            text = decode_scan_bytes(raw, self.encoding, self.fallback_encoding)
            self.deliver(scan_from_text(text, raw))

    def close_device(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except OSError as error:  # closing a vanished device may fail; it is gone anyway
                log.debug("%s: close failed: %s", self.name, error)

    def interrupt(self) -> None:
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            # the port may close under us: the loop then sees the stop flag anyway
            with contextlib.suppress(OSError):
                port.cancel_read()

    def _log_dropped(self) -> None:
        for noise in self.framer.dropped:
            log.warning("%s: dropped %r: no terminator", self.name, noise)
        self.framer.dropped.clear()
