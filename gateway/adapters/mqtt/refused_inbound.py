"""Cloud messages the database refused (disk full, I/O error): kept in arrival order, with the
ones that came after them, and tried again by the relay after 1 s, doubling up to 30 s. None is
acknowledged to the broker before it is applied, so a new connection starts empty: the broker
delivers them again."""

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("storegw.mqtt")

# Tried again after this many seconds, doubling up to the cap. The broker's window of
# unacknowledged messages to us is small (Mosquitto: 20), so giving up on one would soon stop
# everything the cloud sends.
RETRY_FIRST, RETRY_CAP = 1.0, 30.0


@dataclass(frozen=True)
class Inbound:
    """A cloud message received on this connection and not yet acknowledged to the broker."""

    mid: int
    qos: int
    topic: str
    suffix: str
    payload: bytes


class RefusedInbound:
    """Applies cloud messages, in arrival order past none the database refused. `receive`
    applies one through the writer (its result, after COMMIT); `applied` acknowledges it to
    the broker and takes the result in; `say` puts why they wait in the link's detail. Only
    paho's thread adds, only the relay takes off; its own lock, never held while it calls out."""

    def __init__(
        self,
        receive: Callable[[Inbound], dict],
        applied: Callable[[Inbound, dict], None],
        say: Callable[[str], None],
    ):
        self._receive, self._applied, self._say = receive, applied, say
        self._lock = threading.Lock()
        self._waiting: deque[Inbound] = deque()
        self._retry_at = 0.0
        self._retry_delay = RETRY_FIRST

    def __len__(self) -> int:
        with self._lock:
            return len(self._waiting)

    def arrived(self, inbound: Inbound) -> None:
        """In paho's thread: behind those waiting, or applied now (kept if refused)."""
        with self._lock:
            waiting = bool(self._waiting)
            if waiting:  # behind one the database refused: in arrival order, never past it
                self._waiting.append(inbound)
        if not waiting and not self._apply(inbound):
            with self._lock:
                self._waiting.append(inbound)

    def _apply(self, inbound: Inbound) -> bool:
        """Apply one cloud message and acknowledge it to the broker after its COMMIT. False:
        the database refused it for now (disk full, I/O error), to be tried again."""
        try:
            result = self._receive(inbound)
        except sqlite3.OperationalError as exc:
            with self._lock:
                first = self._retry_delay == RETRY_FIRST
                self._retry_at = time.monotonic() + self._retry_delay
                self._retry_delay = min(self._retry_delay * 2, RETRY_CAP)
            if first:  # once per outage, not once per retry
                log.exception("cloud link: message on %s not applied", inbound.topic)
            self._say(f"cloud messages wait: the database refused them ({exc})")
            return False
        except Exception:
            # A message this code cannot apply: not acknowledged (the broker delivers it again
            # on the next connection); a cloud seq gap behind it is asked for with sync.resend.
            log.exception("cloud link: message on %s not applied", inbound.topic)
            return True
        self._applied(inbound, result)
        return True

    def clear(self) -> None:
        """The connection is gone: none was acknowledged, the broker delivers them again."""
        with self._lock:
            self._waiting.clear()
            self._retry_delay = RETRY_FIRST

    def retry(self) -> bool:
        """In the relay: apply what waits, oldest first, once it is due. True: all are
        applied, after a refusal."""
        with self._lock:
            if not self._waiting or time.monotonic() < self._retry_at:
                return False
        while True:
            with self._lock:
                if not self._waiting:
                    break
                inbound = self._waiting[0]
            if not self._apply(inbound):
                return False
            with self._lock:
                if self._waiting and self._waiting[0] is inbound:
                    self._waiting.popleft()  # (a disconnect may have emptied it meanwhile)
        with self._lock:
            recovered, self._retry_delay = self._retry_delay != RETRY_FIRST, RETRY_FIRST
        if recovered:
            log.info("cloud link: the waiting cloud messages are applied")
        return recovered
