"""The gateway's clock: informational only (ordering never relies on the Pi's clock), in the
form of domain/timestamps (milliseconds: every row keeps one, and the card need not store
microseconds nobody reads, issue 12). A command's is after the previous command's: two
commands in one millisecond (a pick slip, then the shipment) would otherwise read in either
order where history is sorted by time."""

import threading
import time
from datetime import UTC, datetime

from gateway.domain.timestamps import format_stamp

# A clock set back further than this is followed, not waited for: a Pi that booted with a clock
# from the future must not stamp everything after it with that future.
FOLLOW_BACKWARDS_MS = 1000

_lock = threading.Lock()
_last_ms = 0


def utc_now() -> str:
    """Now, e.g. "2026-12-05T00:00:00.000Z"."""
    return format_stamp(datetime.now(UTC))


def command_time() -> str:
    """Like `utc_now()`, but a millisecond after the previous call at least (unless the clock
    went back more than FOLLOW_BACKWARDS_MS)."""
    global _last_ms
    with _lock:
        ms = time.time_ns() // 1_000_000
        if _last_ms - FOLLOW_BACKWARDS_MS < ms <= _last_ms:
            ms = _last_ms + 1
        _last_ms = ms
    return format_stamp(datetime.fromtimestamp(ms / 1000, UTC))
