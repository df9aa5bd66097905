"""How `storegw run` logs: plain lines on stderr, which systemd puts in the journal.

Under systemd (stderr is the journal's stream: $JOURNAL_STREAM names its device and inode) every
line starts with its syslog priority as sd-daemon(3) defines it, `<3>` error, `<4>` warning,
`<6>` info, `<7>` debug, which journald takes off and records as the entry's priority (the
unit's SyslogLevelPrefix=, on by default): `journalctl -u storegw -p err` then finds the errors,
and every line of a traceback carries its record's priority. Anywhere else (a terminal, a
pipe, a file) the lines are unchanged.

The same line again and again (a scanner unplugged all night, a broker that is down) is written
once per window, then summed up as "… repeated N times": the journal on the SD card stays small
and the first occurrence keeps its time."""

import logging
import os
import sys
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


FORMAT = "%(levelname)s %(name)s: %(message)s"
# sd-daemon(3): SD_CRIT "<2>", SD_ERR "<3>", SD_WARNING "<4>", SD_INFO "<6>", SD_DEBUG "<7>".
PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
DEBUG_PRIORITY = 7


def syslog_priority(levelno: int) -> int:
    """A logging level as the syslog priority journald understands (a level between two
    takes the milder one's: 35 is a warning)."""
    for threshold, priority in PRIORITIES:
        if levelno >= threshold:
            return priority
    return DEBUG_PRIORITY


class JournalFormatter(logging.Formatter):
    """The plain line, each of its lines (a traceback's too) led by `<priority>`."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def writes_to_journal(stream, environ=os.environ) -> bool:
    """True when `stream` is the journal's stream systemd gave this service. $JOURNAL_STREAM
    ("device:inode") alone is not enough: a child started with other output inherits it, so
    the stream's own device and inode must match (systemd.exec(5), $JOURNAL_STREAM)."""
    device, _, inode = environ.get("JOURNAL_STREAM", "").partition(":")
    try:
        stat = os.fstat(stream.fileno())
        return (stat.st_dev, stat.st_ino) == (int(device), int(inode))
    except (AttributeError, OSError, ValueError):  # no file behind it, or no such variable
        return False


def configure_logging(level: int = logging.INFO, window: float = REPEAT_WINDOW_S) -> None:
    # force: python-escpos calls logging.basicConfig() when it is imported.
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr, force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatFilter(window))
        if writes_to_journal(getattr(handler, "stream", None)):
            handler.setFormatter(JournalFormatter(FORMAT))
