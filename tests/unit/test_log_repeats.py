"""Logs without repeats (issue 12): the same line again and again is written once per window and
then summed up, so a device unplugged all night does not fill the journal on the SD card."""

import io
import logging

import pytest

from gateway.log_setup import RepeatFilter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def journal():
    """A logger writing through a real handler with the filter; its lines, and the clock."""
    out, clock = io.StringIO(), Clock()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RepeatFilter(window=60, clock=clock))
    logger = logging.getLogger("test.repeats")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, clock, lambda: out.getvalue().splitlines()
    logger.removeHandler(handler)


def test_a_line_repeated_all_night_is_written_once_per_window_and_counted(journal):
    logger, clock, lines = journal
    for _ in range(720):  # every 5 s for an hour
        logger.warning("scanner /dev/storegw-scanner: not found")
        clock.now += 5
    logger.info("scanner /dev/storegw-scanner: connected")
    written = lines()
    assert written.count("WARNING test.repeats: scanner /dev/storegw-scanner: not found") == 60
    summaries = [line for line in written if "repeated" in line]
    assert len(summaries) == 60
    assert summaries[0] == (
        "WARNING test.repeats: … repeated 11 more times: scanner /dev/storegw-scanner: not found"
    )
    assert written[-1] == "INFO test.repeats: scanner /dev/storegw-scanner: connected"
    assert len(written) == 121  # instead of 721


def test_different_lines_are_never_merged_and_alternating_lines_collapse_each(journal):
    logger, clock, lines = journal
    for _ in range(3):
        logger.warning("printer: offline")
        logger.warning("register: port %s busy", "/dev/ttyACM0")
        logger.error("printer: offline")  # same text, another level: another line
        clock.now += 1
    assert lines() == [
        "WARNING test.repeats: printer: offline",
        "WARNING test.repeats: register: port /dev/ttyACM0 busy",
        "ERROR test.repeats: printer: offline",
    ]
    clock.now += 60
    logger.info("cloud link: up")  # the next line of any kind closes the windows
    assert lines()[3:] == [
        "WARNING test.repeats: … repeated 2 more times: printer: offline",
        "WARNING test.repeats: … repeated 2 more times: register: port /dev/ttyACM0 busy",
        "ERROR test.repeats: … repeated 2 more times: printer: offline",
        "INFO test.repeats: cloud link: up",
    ]


def test_a_line_that_did_not_repeat_leaves_no_summary(journal):
    logger, clock, lines = journal
    logger.warning("once")
    clock.now += 120
    logger.warning("once")
    assert lines() == ["WARNING test.repeats: once", "WARNING test.repeats: once"]
