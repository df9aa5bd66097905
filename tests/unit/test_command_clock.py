"""Commands are stamped in the order they ran, even within one millisecond; a clock set back
far is followed."""

import pytest

from gateway.adapters.sqlite import command_clock
from gateway.adapters.sqlite.command_clock import command_time


@pytest.fixture(autouse=True)
def fresh_clock(monkeypatch):
    """As a process starts: no stamp handed out yet (the real one is put back afterwards)."""
    monkeypatch.setattr(command_clock, "_last_ms", 0)


def at(monkeypatch, ms: int) -> None:
    monkeypatch.setattr(command_clock.time, "time_ns", lambda: ms * 1_000_000)


def test_calls_within_one_millisecond_are_a_millisecond_apart(monkeypatch):
    at(monkeypatch, 1_796_428_800_000)  # 2026-12-05 00:00:00 UTC
    stamps = [command_time() for _ in range(3)]
    assert stamps == [
        "2026-12-05T00:00:00.000Z",
        "2026-12-05T00:00:00.001Z",
        "2026-12-05T00:00:00.002Z",
    ]
    at(monkeypatch, 1_796_428_800_500)
    assert command_time() == "2026-12-05T00:00:00.500Z"  # the wall clock again once it is ahead


def test_a_clock_set_back_a_little_waits_and_far_is_followed(monkeypatch):
    at(monkeypatch, 1_796_428_800_000)
    command_time()
    at(monkeypatch, 1_796_428_799_900)  # 0.1 s back (a small NTP step)
    assert command_time() == "2026-12-05T00:00:00.001Z"
    at(monkeypatch, 1_796_342_400_000)  # a day back: the clock was wrong, now it is right
    assert command_time() == "2026-12-04T00:00:00.000Z"


def test_commands_run_back_to_back_have_distinct_growing_stamps(shop):
    stamps = [shop.run(lambda uow: uow.now) for _ in range(200)]
    assert stamps == sorted(set(stamps))
