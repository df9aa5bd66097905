"""Which BCM GPIO pin each device is on, from the gateway's config (a plain mapping).

A pin of ``None`` means the device is not fitted: its methods then do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

DEFAULT_PINS = {"led_online": 17, "led_backlog": 27, "led_fault": 22, "buzzer": 23, "button": 24}


@dataclass(frozen=True)
class GpioPins:
    led_online: int | None = DEFAULT_PINS["led_online"]
    led_backlog: int | None = DEFAULT_PINS["led_backlog"]
    led_fault: int | None = DEFAULT_PINS["led_fault"]
    buzzer: int | None = DEFAULT_PINS["buzzer"]
    button: int | None = DEFAULT_PINS["button"]

    def __post_init__(self) -> None:
        used = [pin for pin in self.as_dict().values() if pin is not None]
        for name, pin in self.as_dict().items():
            if pin is not None and (isinstance(pin, bool) or not isinstance(pin, int) or pin < 0):
                raise ValueError(f"gpio pin {name} must be a GPIO number or None, got {pin!r}")
        if len(used) != len(set(used)):
            raise ValueError(f"two gpio devices on one pin: {self.as_dict()}")

    @classmethod
    def from_mapping(cls, config: Mapping[str, int | None]) -> GpioPins:
        """From e.g. ``{"led_online": 17, ...}``; a missing key keeps its default, an unknown
        key is a typo and an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(config) - known
        if unknown:
            raise ValueError(f"unknown gpio keys {sorted(unknown)}; known: {sorted(known)}")
        return cls(**dict(config))

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
