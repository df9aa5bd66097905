"""How `storegw run` logs: plain lines on stderr, which systemd puts in the journal.

The same line again and again (a scanner unplugged all night, a broker that is down) is written
once per window, then summed up as "… repeated N times": the journal on the SD card stays small
and the first occurrence keeps its time."""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

REPEAT_WINDOW_S = 600.0
_TRACKED = 200  # distinct recent lines remembered; the oldest are forgotten (and summed up)

Key = tuple[str, int, str]  # logger name, level, the formatted text


class RepeatFilter(logging.Filter):
    """Lets a line through, then drops the same line (same logger, level and text) for
    `window` seconds, counting. The count is logged as a line of its own once the window is
    over: at the next record of any kind, or when the line comes back."""

    def __init__(
        self, window: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ):
        super().__init__()
        self.window = window
        self.clock = clock
        self._recent: OrderedDict[Key, list] = OrderedDict()  # key -> [since, dropped]
        self._lock = threading.Lock()  # handlers call filters from any thread

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "repeat_summary", False):
            return True
        key = (record.name, record.levelno, record.getMessage())
        with self._lock:
            keep, summaries = self._decide(key, self.clock())
        for name, level, message, dropped in summaries:
            logging.getLogger(name).log(
                level,
                "… repeated %d more time%s: %s",
                dropped,
                "" if dropped == 1 else "s",
                message,
                extra={"repeat_summary": True},
            )
        return keep

    def _decide(self, key: Key, now: float) -> tuple[bool, list[tuple]]:
        recent, summaries = self._recent, []
        for other in [k for k, (since, _) in recent.items() if now - since >= self.window]:
            since, dropped = recent.pop(other)
            if dropped:
                summaries.append((*other, dropped))
        seen = recent.get(key)
        if seen is not None:
            seen[1] += 1
            return False, summaries
        recent[key] = [now, 0]
        while len(recent) > _TRACKED:
            other, (_, dropped) = recent.popitem(last=False)
            if dropped:
                summaries.append((*other, dropped))
        return True, summaries


def configure_logging(level: int = logging.INFO, window: float = REPEAT_WINDOW_S) -> None:
    # force: python-escpos calls logging.basicConfig() when it is imported.
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatFilter(window))
