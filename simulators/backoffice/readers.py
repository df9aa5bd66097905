"""Cloud's read side for tests and benchmarks: copies taken under the lock, and waiting."""

import time
from collections.abc import Callable
from typing import Any


class Readers:
    """Mixed into Cloud; relies on its `lock`, `_cond`, `_send_lock`, `_in` and `_out`."""

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float) -> bool:
        """Wait until predicate(cloud) is true; returns False on timeout (never raises).
        The predicate runs under `lock`, woken by every message and at least every 0.1 s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))
            return True

    def wait_applied(self, seq: int, timeout: float) -> bool:
        return self.wait_for(lambda c: c._in.applied_through >= seq, timeout)

    def _get(self, read: Callable[[], object]):
        with self.lock:
            return read()

    def events(self) -> list[dict]:
        """Every processed gateway message, contiguous, in seq order."""
        return self._get(self._in.events)

    def check_oversold(self) -> dict[str, str]:
        """Run the held-units check now (call when the stream is quiet) and return oversold."""
        with self.lock:
            self._in.view.check_held()
            return dict(self._in.view.oversold)

    def stats(self) -> dict:
        with self.lock:
            i = self._in
            return {
                "received": len(i.received),
                "applied_through": i.applied_through,
                "acked": i.acked,
                "duplicates": i.duplicates,
                "protocol_errors": i.protocol_errors,
                "gaps_replayed": i.replays,
                "stale_statuses": i.stale_statuses,
                "unknown_types": dict(i.unknown_types),
                "cloud_seq": self._out.last_seq,
                "resent": self.resends,
                "acks_sent": self.acks_sent,
            }

    received = property(lambda self: self._get(lambda: dict(self._in.received)))
    duplicates = property(lambda self: self._in.duplicates)
    applied_through = property(lambda self: self._in.applied_through)
    protocol_errors = property(lambda self: self._in.protocol_errors)
    errors = property(lambda self: self._get(lambda: list(self._in.errors)))
    gaps_replayed = property(lambda self: self._in.replays)
    status = property(lambda self: self._get(lambda: dict(self._in.status or {}) or None))
    rejected = property(lambda self: self._get(lambda: list(self._in.view.rejected)))
    available = property(lambda self: self._get(lambda: dict(self._in.view.available)))
    stock = property(
        lambda self: self._get(lambda: {k: dict(v) for k, v in self._in.view.stock.items()})
    )
    orders = property(lambda self: self._get(lambda: dict(self._in.view.orders)))
    first_status = property(lambda self: self._get(lambda: dict(self._in.view.first_status)))
    answers = property(lambda self: self._get(lambda: list(self._in.view.answers)))
    lags = property(lambda self: self._get(lambda: list(self._in.view.lags)))
    oversold = property(lambda self: self._get(lambda: dict(self._in.view.oversold)))
    receipts = property(lambda self: self._get(lambda: dict(self._in.view.receipts)))
    receipted_payments = property(
        lambda self: self._get(
            lambda: {k: list(v) for k, v in self._in.view.receipted_payments.items()}
        )
    )
    fiscal_alarms = property(lambda self: self._get(lambda: list(self._in.view.fiscal_alarms)))

    @property
    def sent(self) -> dict[int, dict]:
        """seq → every sequenced envelope this cloud sent (guarded by the send lock)."""
        with self._send_lock:
            return dict(self._out.kept)

    last_seq = property(lambda self: self._out.last_seq)
