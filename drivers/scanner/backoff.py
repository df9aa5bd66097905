"""Reconnect delays for a reader whose device went away: doubling up to a ceiling."""

from dataclasses import dataclass


@dataclass
class Backoff:
    first: float = 0.1
    ceiling: float = 5.0
    factor: float = 2.0
    current: float = 0.0

    def next_delay(self) -> float:
        grown = self.current * self.factor if self.current else self.first
        self.current = min(grown, self.ceiling)
        return self.current

    def reset(self) -> None:
        self.current = 0.0
