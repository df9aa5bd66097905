"""systemd's notify protocol (sd_notify(3)) with the standard library: one datagram of
`KEY=value` lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading '@' is Linux's abstract
namespace). Without $NOTIFY_SOCKET (a terminal, `make run`, tests) every call does nothing.

`storegw run` says READY=1 once the database, the core and the web server are up, STATUS= what it
waits for, WATCHDOG=1 while the writer still commits (gateway/watchdog.py) and STOPPING=1 when
asked to stop. A notification never fails the gateway: a lost datagram is logged, once."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("storegw")


class Notifier:
    def __init__(self, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        self.address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_s = watchdog_interval(env)
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *lines: str) -> bool:
        """Send `lines` (e.g. "READY=1", "STATUS=...") as one message; True if it was sent."""
        if self.address is None:
            return False
        message = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(message)
        except OSError as exc:
            if not self._failed:  # systemd gone or the socket unusable: say so once, run on
                log.warning("systemd notify socket %s: %s", os.fsdecode(self.address), exc)
            self._failed = True
            return False
        self._failed = False
        return True

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def ready(self, text: str) -> bool:
        return self.notify("READY=1", f"STATUS={text}")

    def watchdog(self, text: str) -> bool:
        return self.notify("WATCHDOG=1", f"STATUS={text}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1", "STATUS=stopping")


def _socket_address(value: str) -> str | bytes | None:
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # the abstract namespace: no file on disk
    if value.startswith("/"):
        return value
    if value:
        log.warning("NOTIFY_SOCKET=%s is not a unix socket path: systemd is not told", value)
    return None


def watchdog_interval(env: Mapping[str, str]) -> float | None:
    """WatchdogSec= in seconds when systemd set it for this process, else None. WATCHDOG_PID names
    the process systemd watches: a child that inherited the variables must not pet for us."""
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000


# What a child process (the training simulators) must not inherit: it is not the service.
SYSTEMD_VARIABLES = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")
