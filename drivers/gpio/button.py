"""``ReprintButton``: a push button (to ground, internal pull-up) that asks for the last slip again.

Two guards: ``bounce_time`` filters contact bounce in the pin driver; ``repeat_interval`` makes a
double press print once («a double tap does one thing»).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from gpiozero import Button

log = logging.getLogger(__name__)


class ReprintButton:
    def __init__(
        self,
        pin: int | None,
        on_press: Callable[[], None],
        *,
        bounce_time: float | None = 0.02,
        repeat_interval: float = 1.0,
        pull_up: bool = True,
        pin_factory=None,
        clock: Callable[[], float] = time.monotonic,
    ):
        """``on_press`` runs in gpiozero's thread: it should only submit a command to the core."""
        self._on_press = on_press
        self._repeat_interval = repeat_interval
        self._clock = clock
        self._last_press: float | None = None
        self._lock = threading.Lock()
        self.ignored_presses = 0
        self._button = None
        if pin is not None:
            self._button = Button(
                pin, pull_up=pull_up, bounce_time=bounce_time, pin_factory=pin_factory
            )
            self._button.when_pressed = self._pressed

    def _pressed(self) -> None:
        with self._lock:
            now = self._clock()
            if self._last_press is not None and now - self._last_press < self._repeat_interval:
                self.ignored_presses += 1
                return
            self._last_press = now
        try:
            self._on_press()
        except Exception:  # a callback error must not kill gpiozero's event thread
            log.exception("reprint button: the press handler failed")

    def close(self) -> None:
        if self._button is not None:
            self._button.close()
            self._button = None
