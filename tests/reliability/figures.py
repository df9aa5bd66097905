"""What a campaign reports: one `RELIABILITY <campaign>_<name> <value>` line per figure, each
figure that is a promise with the limit it must not pass (0 for losses and doubles)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def scale_from_env() -> float:
    """RELIABILITY_SCALE: 1 is the full campaign, 0.1 a short one."""
    value = float(os.environ.get("RELIABILITY_SCALE", "1"))
    if not 0 < value <= 10:
        raise ValueError(f"RELIABILITY_SCALE must be in (0, 10], not {value}")
    return value


def scaled(full: int, scale: float, minimum: int = 1) -> int:
    """The size of one part of a campaign at this scale, never below `minimum`."""
    return max(minimum, round(full * scale))


@dataclass
class Figures:
    campaign: str
    values: dict[str, int | float] = field(default_factory=dict)
    limits: dict[str, int | float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: int | float, *, at_most: int | float | None = None) -> None:
        """A figure; with `at_most` it is a promise the campaign fails when it breaks."""
        self.values[name] = value
        if at_most is not None:
            self.limits[name] = at_most

    def zero(self, name: str, value: int) -> None:
        """A count of bad things: lost, doubled, crashed. It must be 0."""
        self.add(name, value, at_most=0)

    def note(self, text: str) -> None:
        """A detail that explains a failure (which seq, which order): printed, never a figure."""
        self.notes.append(text)

    @property
    def failures(self) -> list[str]:
        return [
            f"{self.campaign}_{name} = {self.values[name]} (at most {limit})"
            for name, limit in self.limits.items()
            if self.values[name] > limit
        ]

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        return [f"RELIABILITY {self.campaign}_{name} {_text(v)}" for name, v in self.values.items()]

    def report(self) -> str:
        return "\n".join([*self.lines(), *self.notes[:20], *self.failures])


def _text(value: int | float) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
