"""``FrontPanel``: the LEDs, the buzzer and the reprint button built from one ``GpioPins``."""

from __future__ import annotations

from collections.abc import Callable

from drivers.gpio.button import ReprintButton
from drivers.gpio.buzzer import ScanBuzzer
from drivers.gpio.indicators import DEFAULT_BLINK, BlinkTiming, IndicatorPanel
from drivers.gpio.pins import GpioPins


class FrontPanel:
    def __init__(
        self,
        pins: GpioPins,
        on_reprint: Callable[[], None],
        *,
        timing: BlinkTiming = DEFAULT_BLINK,
        pin_factory=None,
    ):
        self.indicators = IndicatorPanel(
            pins.led_online,
            pins.led_backlog,
            pins.led_fault,
            timing=timing,
            pin_factory=pin_factory,
        )
        self.buzzer = ScanBuzzer(pins.buzzer, pin_factory=pin_factory)
        self.button = ReprintButton(pins.button, on_reprint, pin_factory=pin_factory)

    def close(self) -> None:
        self.button.close()
        self.buzzer.close()
        self.indicators.close()
