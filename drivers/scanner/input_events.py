"""Reading Linux input events from /dev/input/eventN: with python-evdev when it is installed,
else straight from the device file (``struct input_event``: timeval, type, code, value).

Both sources grab the device (EVIOCGRAB) by default, so the scanner's key presses reach only
us, not the console or the kiosk browser. A vanished device raises OSError (ENODEV)."""

from __future__ import annotations

import errno
import fcntl
import os
import select
import struct
from typing import Protocol

INPUT_EVENT = struct.Struct("llHHi")  # native long: 24 bytes on 64-bit, 16 on 32-bit Pi OS
EVIOCGRAB = 0x40044590  # _IOW('E', 0x90, int)

KeyEvent = tuple[int, int, int]  # (type, code, value)
BACKENDS = ("auto", "evdev", "raw")


class EventSource(Protocol):
    def read_events(self, timeout: float) -> list[KeyEvent]: ...

    def close(self) -> None: ...


class RawEventSource:
    """The device file read with ``os.read``; also works on a FIFO of packed events (tests)."""

    def __init__(self, path: str, *, grab: bool = True):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._partial = b""
        if grab:
            try:
                fcntl.ioctl(self.fd, EVIOCGRAB, 1)
            except OSError:
                os.close(self.fd)
                raise

    def read_events(self, timeout: float) -> list[KeyEvent]:
        readable, _, _ = select.select([self.fd], [], [], timeout)
        if not readable:
            return []
        try:
            data = os.read(self.fd, INPUT_EVENT.size * 64)
        except BlockingIOError:
            return []
        if not data:  # end of file: the device (or the FIFO's writer) went away
            raise OSError(errno.ENODEV, "input device closed")
        data, size = self._partial + data, INPUT_EVENT.size
        whole = len(data) - len(data) % size
        self._partial = data[whole:]
        return [INPUT_EVENT.unpack_from(data, at)[2:] for at in range(0, whole, size)]

    def close(self) -> None:
        os.close(self.fd)  # closing releases the grab


class EvdevEventSource:
    def __init__(self, path: str, *, grab: bool = True):
        import evdev  # optional dependency: imported only when this source is used

        self.device = evdev.InputDevice(path)
        if grab:
            try:
                self.device.grab()
            except OSError:
                self.device.close()
                raise

    def read_events(self, timeout: float) -> list[KeyEvent]:
        readable, _, _ = select.select([self.device.fd], [], [], timeout)
        if not readable:
            return []
        try:
            return [(event.type, event.code, event.value) for event in self.device.read()]
        except BlockingIOError:
            return []

    def close(self) -> None:
        self.device.close()


def evdev_available() -> bool:
    try:
        import evdev  # noqa: F401
    except ImportError:
        return False
    return True


def open_event_source(path: str, *, grab: bool = True, backend: str = "auto") -> EventSource:
    """``backend``: 'evdev', 'raw', or 'auto' (evdev when installed)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown input backend {backend!r}")
    if backend == "evdev" or (backend == "auto" and evdev_available()):
        return EvdevEventSource(path, grab=grab)
    return RawEventSource(path, grab=grab)
