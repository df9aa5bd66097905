"""``ScanBuzzer``: one short beep for a scan that was accepted, three for one that was not.

Patterns play in gpiozero's background thread; a new pattern cuts the one playing short.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gpiozero import Buzzer


@dataclass(frozen=True)
class BeepPattern:
    on_time: float
    off_time: float
    count: int


GOOD_SCAN = BeepPattern(on_time=0.08, off_time=0.0, count=1)
BAD_SCAN = BeepPattern(on_time=0.08, off_time=0.08, count=3)
BAD_SCAN_LONG = BeepPattern(on_time=0.6, off_time=0.0, count=1)  # for shops that prefer one tone


class ScanBuzzer:
    def __init__(
        self,
        pin: int | None,
        *,
        good: BeepPattern = GOOD_SCAN,
        bad: BeepPattern = BAD_SCAN,
        active_high: bool = True,
        pin_factory=None,
    ):
        self._buzzer = (
            Buzzer(pin, active_high=active_high, pin_factory=pin_factory)
            if pin is not None
            else None
        )
        self.good = good
        self.bad = bad
        self._lock = threading.Lock()

    def good_scan(self) -> None:
        self.play(self.good)

    def bad_scan(self) -> None:
        self.play(self.bad)

    def play(self, pattern: BeepPattern) -> None:
        # gpiozero's blink thread is not safe to restart from two threads at once (a scan and
        # the button beeping together could leave the buzzer on).
        with self._lock:
            if self._buzzer is not None:
                self._buzzer.beep(pattern.on_time, pattern.off_time, pattern.count, background=True)

    def silence(self) -> None:
        with self._lock:
            if self._buzzer is not None:
                self._buzzer.off()

    def close(self) -> None:
        if self._buzzer is not None:
            self._buzzer.close()
            self._buzzer = None
