"""ScannerSimulator: a scanner in USB-COM mode on a pseudo-terminal. It only talks: each scan
is the code's bytes (optionally mangled), then the line suffix, typed with an inter-character
delay. ``link_path`` plays the udev symlink (/dev/scanner): it survives unplug()/plug() while
the pty behind it changes, as a real USB device's node does."""

import fcntl
import os
import pty
import struct
import termios
import time
import tty
from pathlib import Path

from . import mangling

LAYOUTS = ("us", "ru")


class ScannerSimulator:
    def __init__(
        self,
        *,
        suffix: bytes = b"\r\n",
        char_delay: float = 0.0,
        layout: str = "us",
        drop_gs: bool = False,
        prefix: str = "",
        encoding: str = "utf-8",
        link_path: str | os.PathLike | None = None,
    ):
        if layout not in LAYOUTS:
            raise ValueError(f"layout is one of {LAYOUTS}: {layout!r}")
        self.suffix = suffix
        self.char_delay = char_delay
        self.layout = layout
        self.drop_gs = drop_gs
        self.prefix = prefix
        self.encoding = encoding
        self.link_path = Path(link_path) if link_path else None
        self.slave_path: str | None = None
        self.sent: list[bytes] = []  # every scan as it went on the wire
        self._master: int | None = None
        self._slave: int | None = None

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> str:
        """Open the pty; returns the path a reader opens (the link if there is one)."""
        return self.plug()

    def plug(self) -> str:
        if self._master is not None:
            raise RuntimeError("the scanner is already plugged in")
        self._master, self._slave = pty.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)  # no echo, no line editing: a byte wire
        self.slave_path = os.ttyname(self._slave)
        if self.link_path is None:
            return self.slave_path
        temporary = self.link_path.with_name(self.link_path.name + ".new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(self.slave_path)
        os.replace(temporary, self.link_path)  # the reader never sees a missing link mid-swap
        return str(self.link_path)

    def unplug(self) -> None:
        """The cable is pulled: the pty goes away and a reader's next read fails."""
        if self.link_path is not None:
            self.link_path.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def stop(self) -> None:
        self.unplug()

    def __enter__(self) -> "ScannerSimulator":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def unread_bytes(self) -> int:
        """Bytes typed that no reader has taken off the pty yet."""
        if self._slave is None:
            return 0
        count = fcntl.ioctl(self._slave, termios.FIONREAD, b"\0\0\0\0")
        return struct.unpack("i", count)[0]

    def wait_drained(self, timeout: float | None = None, settle: float = 0.2) -> bool:
        """Wait until a reader has read everything typed (closing the pty earlier loses it).
        Written bytes reach the count a moment later (the kernel moves them in a work queue),
        so the queue must stay empty for ``settle`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        empty_since = None
        while True:
            now = time.monotonic()
            if self.unread_bytes():
                empty_since = None
            elif empty_since is None:
                empty_since = now
            elif now - empty_since >= settle:
                return True
            if deadline is not None and now >= deadline:
                return False
            time.sleep(0.01)

    # --- typing -----------------------------------------------------------------------------
    def wire_bytes(
        self,
        code: str,
        *,
        layout: str | None = None,
        drop_gs: bool | None = None,
        prefix: str | None = None,
        suffix: bytes | None = None,
    ) -> bytes:
        """What the scanner sends for ``code`` with these settings (defaults: the simulator's)."""
        text = (self.prefix if prefix is None else prefix) + code
        if self.drop_gs if drop_gs is None else drop_gs:
            text = mangling.drop_gs(text)
        if (layout or self.layout) == "ru":
            text = mangling.russian_layout(text)
        return text.encode(self.encoding) + (self.suffix if suffix is None else suffix)

    def scan(self, code: str, **settings) -> bytes:
        """Type one code (settings as in ``wire_bytes``); returns the bytes sent."""
        data = self.wire_bytes(code, **settings)
        self.send_raw(data, per_char=True)
        self.sent.append(data)
        return data

    def send_raw(self, data: bytes, *, per_char: bool = False) -> None:
        """Put bytes on the wire as they are: line noise, a half code, a bare suffix."""
        if self._master is None:
            raise RuntimeError("the scanner is unplugged")
        if not per_char or self.char_delay <= 0:
            os.write(self._master, data)
            return
        for chunk in _characters(data, self.encoding):
            os.write(self._master, chunk)
            time.sleep(self.char_delay)


def _characters(data: bytes, encoding: str) -> list[bytes]:
    """The bytes of each character, so a UTF-8 letter is never split between writes."""
    try:
        return [ch.encode(encoding) for ch in data.decode(encoding)]
    except UnicodeDecodeError:
        return [bytes([b]) for b in data]
