"""Gaps both ways: how long the link waits before offering an unacknowledged window again, and
what it says when cloud messages it waited for are given up or come late."""

import logging
import random

log = logging.getLogger("storegw.mqtt")

RESEND_REQUEST_EVERY = 5.0  # a missing cloud seq is asked for again this often at most ...
ASKS_BEFORE_SKIP = 4  # ... and at least this many times before `sync.gap_wait` gives it up


def resend_request_every(gap_wait: float) -> float:
    """A short gap_wait must not skip a gap the cloud was asked for only once (a broker that
    dropped most of the resent tail leaves the rest to the next request)."""
    return min(RESEND_REQUEST_EVERY, max(0.5, gap_wait / ASKS_BEFORE_SKIP))


class GapClock:
    """A hole in the cloud's seqs (messages parked behind it): since when, and when it was last
    asked for. Not thread-safe: the link's lock guards it."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.asked = 0.0

    def note(self, result: dict, now: float) -> None:
        """After an inbound message: the gap closed, opened, or moved further on."""
        parked = result.get("parked")
        if parked is False:
            self.since = None
        elif parked and (self.since is None or result.get("outcome") not in ("parked", "resend")):
            self.since = now

    def action(self, now: float, gap_wait: float) -> str | None:
        """ "skip" once `gap_wait` is over; "ask" (sync.resend) again every
        `resend_request_every` while it lasts; else None."""
        if self.since is None:
            return None
        age = now - self.since
        if age >= gap_wait:
            return "skip"
        if min(age, now - self.asked) >= resend_request_every(gap_wait):
            self.asked = now
            return "ask"
        return None


# A stalled window (no sync.ack) is offered again after resend_after, then after twice as long
# each time (jittered) up to this: a cloud down for an hour gets it a dozen times, not 360.
RESEND_BACKOFF_CAP = 300.0


class StallBackoff:
    """The wait before the window is published again: `first` seconds, then doubling (drawn
    between half and all of it, so a fleet of shops does not resend in step) up to the cap;
    progress (a new sync.ack) brings `first` back. Not thread-safe: the link's lock guards it."""

    def __init__(self, first: float, cap: float = RESEND_BACKOFF_CAP):
        self.first, self.cap = first, max(first, cap)
        self.reset()

    def reset(self) -> None:
        self._base = self.wait = self.first

    def stalled(self) -> None:
        self._base = min(self.cap, self._base * 2)
        self.wait = self._base * random.uniform(0.5, 1.0)


def log_gap(result: dict) -> None:
    """A skipped cloud gap (`skip_gap`) or a skipped message arriving late, in the log."""
    missing = result.get("missing") or "none"
    if "skipped" in result:
        first, last = result["skipped"]
        log.error(
            "cloud link: cloud messages %d..%d never arrived: skipped (alarm cloud_seq_gap"
            " until the cloud sends them; missing: %s)",
            first,
            last,
            missing,
        )
    if "late" in result:
        log.warning(
            "cloud link: skipped cloud message %d arrived at last and was applied"
            " (still missing: %s)",
            result["late"],
            missing,
        )
