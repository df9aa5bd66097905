"""Finishing a broker connection in the relay, so paho's thread never waits for the database."""

import logging
import threading
from collections.abc import Callable

from gateway.adapters.sqlite.writer import Writer

log = logging.getLogger("storegw.mqtt")


def mark_link(uow, online: bool) -> None:
    uow.outbox.mark_link(online)


class Joining:
    """A broker connection the relay has still to finish (mark the link up, subscribe)."""

    def __init__(self, session_present: bool):
        self.session_present = session_present


class Joins:
    """The connection paho's thread made and the relay finishes. The database may be busy for a
    while: the relay retries until it works (paho's thread must not wait, nor give up and leave
    a connection that takes nothing in and sends nothing out). `say(state, detail)` tells the
    link's state; the link's `lock` guards `pending`."""

    def __init__(self, writer: Writer, lock: threading.Lock, say: Callable[[str, str], None]):
        self._writer, self._lock, self._say = writer, lock, say
        self.pending: Joining | None = None
        self._failures = 0

    def connected(self, session_present: bool) -> None:
        """In paho's thread: a new connection for the relay to finish."""
        with self._lock:
            self.pending = Joining(session_present)

    def marked_up(self) -> Joining | None:
        """In the relay: the connection to finish, now marked up in the database. None: none
        waits, it went down meanwhile, or the database did not answer (tried again next step)."""
        with self._lock:
            joining = self.pending
        if joining is None:
            return None
        try:
            marked = self._writer.call(self._mark_up, joining)
        except Exception as exc:
            self._failures += 1
            if self._failures == 1:
                log.exception("cloud link: connected, but the database did not answer; retrying")
            self._say("connecting", f"the database did not answer ({exc}); retrying")
            return None
        return joining if marked else None

    def finished(self, joining: Joining) -> bool:
        """The link's lock held: True if `joining` is still the connection (now finished)."""
        if self.pending is not joining:
            return False
        self.pending, self._failures = None, 0
        return True

    def _mark_up(self, uow, joining: Joining) -> bool:
        """In the writer: the link is up (no stock.changed merge from now on) -- unless it went
        down meanwhile; its "down" is queued behind this (on_disconnect drops `pending` first)."""
        with self._lock:
            if self.pending is not joining:
                return False
        mark_link(uow, True)
        return True
