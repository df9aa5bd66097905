"""``IndicatorPanel``: three LEDs a person reads at a glance.

online  on: the cloud link is up; off: offline
backlog slow blink: the outbox holds messages not yet sent; off: all sent
fault   on: a device needs a person (no paper, register error); fast blink: urgent
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from gpiozero import LED


class LedMode(StrEnum):
    OFF = "off"
    ON = "on"
    BLINK_SLOW = "blink_slow"
    BLINK_FAST = "blink_fast"


class Indicator(Enum):
    ONLINE = "led_online"
    BACKLOG = "led_backlog"
    FAULT = "led_fault"


@dataclass(frozen=True)
class BlinkTiming:
    """Seconds on and off; tests pass short ones."""

    slow: tuple[float, float] = (0.5, 0.5)
    fast: tuple[float, float] = (0.1, 0.1)


DEFAULT_BLINK = BlinkTiming()


class IndicatorPanel:
    def __init__(
        self,
        online_pin: int | None,
        backlog_pin: int | None,
        fault_pin: int | None,
        *,
        timing: BlinkTiming = DEFAULT_BLINK,
        pin_factory=None,
    ):
        pins = {
            Indicator.ONLINE: online_pin,
            Indicator.BACKLOG: backlog_pin,
            Indicator.FAULT: fault_pin,
        }
        self._leds = {
            indicator: LED(pin, pin_factory=pin_factory)
            for indicator, pin in pins.items()
            if pin is not None
        }
        self._modes = dict.fromkeys(Indicator, LedMode.OFF)
        self._timing = timing

    def set_mode(self, indicator: Indicator, mode: LedMode) -> None:
        """Idempotent: the same mode again does not restart a blink (no flicker on every poll)."""
        mode = LedMode(mode)
        if self._modes[indicator] == mode:
            return
        self._modes[indicator] = mode
        led = self._leds.get(indicator)
        if led is None:
            return
        if mode is LedMode.ON:
            led.on()
        elif mode is LedMode.OFF:
            led.off()
        else:
            on_time, off_time = (
                self._timing.slow if mode is LedMode.BLINK_SLOW else self._timing.fast
            )
            led.blink(on_time, off_time, background=True)  # gpiozero's own thread: never blocks

    def mode(self, indicator: Indicator) -> LedMode:
        return self._modes[indicator]

    def show_link(self, online: bool, backlog: int) -> None:
        self.set_mode(Indicator.ONLINE, LedMode.ON if online else LedMode.OFF)
        self.set_mode(Indicator.BACKLOG, LedMode.BLINK_SLOW if backlog > 0 else LedMode.OFF)

    def show_fault(self, fault: bool, *, urgent: bool = False) -> None:
        mode = LedMode.OFF if not fault else LedMode.BLINK_FAST if urgent else LedMode.ON
        self.set_mode(Indicator.FAULT, mode)

    def close(self) -> None:
        for led in self._leds.values():
            led.close()
        self._leds.clear()
