"""A scanner in keyboard (HID) mode, read from its /dev/input/eventN device.

    reader = HidScannerReader("/dev/input/by-id/usb-...-event-kbd", on_scan=print)
    reader.start(); ...; reader.stop()

Key codes are decoded by ``KeyboardDecoder`` (keymap.py): the OS keyboard layout plays no part,
and GS arrives through the configured key combo. This file is the thin device loop around it:
open (and grab) the device, feed EV_KEY events, reopen with backoff when it is unplugged, and
drop a half-typed code that stalls for ``stale_after`` seconds."""

from __future__ import annotations

import logging
import time

from .backoff import Backoff
from .input_events import BACKENDS, EventSource, evdev_available, open_event_source
from .keycodes import EV_KEY
from .keymap import KeyboardDecoder, KeymapSettings
from .reader_loop import ScanCallback, ScanReader, StatusCallback
from .scan import scan_from_text

log = logging.getLogger(__name__)


class HidScannerReader(ScanReader):
    name = "hid-scanner"

    def __init__(
        self,
        device_path: str,
        on_scan: ScanCallback | None = None,
        *,
        keymap: KeymapSettings | None = None,
        grab: bool = True,
        backend: str = "auto",
        stale_after: float = 0.5,
        read_timeout: float = 0.05,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ):
        super().__init__(on_scan, on_status=on_status, backoff=backoff)
        if backend not in BACKENDS:
            raise ValueError(f"backend is one of {BACKENDS}: {backend!r}")
        if backend == "evdev" and not evdev_available():
            raise ImportError("backend 'evdev' needs python-evdev; 'raw' reads the device file")
        self.device_path = device_path
        self.decoder = KeyboardDecoder(keymap or KeymapSettings())
        self.grab = grab
        self.backend = backend
        self.stale_after = stale_after
        self.read_timeout = read_timeout
        self._source: EventSource | None = None
        self._last_key_at = 0.0

    def open_device(self) -> None:
        self._drop_pending("reconnect")
        self.decoder.held.clear()  # modifiers held on the old device are released with it
        self._source = open_event_source(self.device_path, grab=self.grab, backend=self.backend)

    def read_device(self) -> None:
        assert self._source is not None
        events = self._source.read_events(self.read_timeout)
        now = time.monotonic()
        if not events and now - self._last_key_at >= self.stale_after:
            self._drop_pending("no terminator")
        for event_type, code, value in events:
            if event_type != EV_KEY:
                continue  # EV_SYN, EV_MSC scan codes, LED echoes
            self._last_key_at = now
            text = self.decoder.feed(code, value)
            if text is not None:
                self.deliver(scan_from_text(text))

    def close_device(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            try:
                source.close()
            except OSError as error:
                log.debug("%s: close failed: %s", self.name, error)

    def _drop_pending(self, why: str) -> None:
        if self.decoder.pending:
            log.warning("%s: dropped %r (%s)", self.name, self.decoder.pending, why)
        self.decoder.reset()
