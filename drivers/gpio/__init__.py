"""GPIO devices on the gateway's front panel, with gpiozero. Never imports ``gateway``.

Every device takes ``pin_factory`` (``None``: gpiozero's default; tests pass ``MockFactory()``)
and a pin of ``None`` for a device that is not fitted. Nothing blocks: blinks and beeps run in
gpiozero's background threads.
"""

from drivers.gpio.button import ReprintButton
from drivers.gpio.buzzer import BAD_SCAN, BAD_SCAN_LONG, GOOD_SCAN, BeepPattern, ScanBuzzer
from drivers.gpio.indicators import BlinkTiming, Indicator, IndicatorPanel, LedMode
from drivers.gpio.panel import FrontPanel
from drivers.gpio.pins import DEFAULT_PINS, GpioPins

__all__ = [
    "BAD_SCAN",
    "BAD_SCAN_LONG",
    "DEFAULT_PINS",
    "GOOD_SCAN",
    "BeepPattern",
    "BlinkTiming",
    "FrontPanel",
    "GpioPins",
    "Indicator",
    "IndicatorPanel",
    "LedMode",
    "ReprintButton",
    "ScanBuzzer",
]
