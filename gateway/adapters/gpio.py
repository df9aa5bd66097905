"""The front panel shows the gateway's state: a person reads the box at a glance.

    online  LED  on while the cloud link is up (`mqtt.state` == "connected")
    backlog LED  slow blink while the outbox holds messages the cloud has not acknowledged
    fault   LED  on while a device needs a person (paper out, offline, error, shift expired...);
                 fast blink when the invariants fail (the books are wrong: call the manager)

`show(status)` is called periodically with the gateway's status dict; repeating the same status
changes nothing (no flicker). The buzzer says whether a scan was taken; the button runs a
callback (the reprint of the last slip) and beeps good or bad with its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from drivers.gpio import BlinkTiming, FrontPanel, GpioPins
from drivers.gpio.indicators import DEFAULT_BLINK
from gateway.domain.errors import DomainError

log = logging.getLogger(__name__)

FAULT_STATES = frozenset({"paper_out", "offline", "error", "shift_expired", "cover_open"})
NO_PIN = ("", "none", "off", "-")


class GpioController:
    def __init__(
        self,
        pins_config: Mapping[str, Any] | None,
        pin_factory=None,
        *,
        on_button: Callable[[], Any] | None = None,
        timing: BlinkTiming = DEFAULT_BLINK,
    ):
        """`pins_config`: {"led_online": 17, "led_backlog": 27, "led_fault": 22, "buzzer": 23,
        "button": 24} (missing keys keep these defaults; None, "" or "none": not fitted), or a
        [gpio] table holding that mapping under "pins". Numbers may be strings (environment).
        `on_button` runs in gpiozero's thread: it should hand the work to the core quickly; it
        may also be set later (`controller.on_button = ...`)."""
        self.pins = GpioPins.from_mapping(pin_numbers(pins_config or {}))
        self.on_button = on_button
        self.panel = FrontPanel(self.pins, self._pressed, timing=timing, pin_factory=pin_factory)
        self.faults: list[str] = []  # what the fault LED shows now, for the status page and logs

    def show(self, status: Mapping[str, Any]) -> None:
        """Set the LEDs from a status dict; missing parts count as down / empty / fine."""
        mqtt = _section(status, "mqtt")
        outbox = _section(status, "outbox")
        backlog = outbox.get("backlog")
        self.panel.indicators.show_link(
            online=mqtt.get("state") == "connected",
            backlog=backlog if isinstance(backlog, int) else 0,
        )
        devices = _section(status, "devices")
        faults = sorted(
            f"{name}: {state}" for name, state in devices.items() if state in FAULT_STATES
        )
        broken_books = _section(status, "invariants").get("ok") is False
        if broken_books:
            faults.insert(0, "invariants")
        if faults != self.faults:
            log.info("front panel: faults %s", ", ".join(faults) or "none")
        self.faults = faults
        self.panel.indicators.show_fault(bool(faults), urgent=broken_books)

    def good_scan(self) -> None:
        self.panel.buzzer.good_scan()

    def bad_scan(self) -> None:
        self.panel.buzzer.bad_scan()

    def close(self) -> None:
        self.panel.close()

    def _pressed(self) -> None:
        if self.on_button is None:
            log.info("front panel: button pressed, nothing is connected to it")
            return
        try:
            self.on_button()
        except DomainError as exc:  # e.g. nothing printed yet: the person hears a refusal
            log.info("front panel: button refused: %s", exc)
            self.bad_scan()
            return
        except Exception:
            log.exception("front panel: the button's action failed")
            self.bad_scan()
            return
        self.good_scan()


def _section(status: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = status.get(key) if isinstance(status, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def pin_numbers(config: Mapping[str, Any]) -> dict[str, int | None]:
    if isinstance(config.get("pins"), Mapping):
        config = config["pins"]
    pins: dict[str, int | None] = {}
    for name, raw in config.items():
        if isinstance(raw, str):
            text = raw.strip().lower()
            if text in NO_PIN:
                raw = None
            elif text.isdigit():
                raw = int(text)
        pins[name] = raw
    return pins
