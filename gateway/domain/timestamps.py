"""The gateway's timestamps as text: UTC with milliseconds, e.g. "2026-12-05T09:12:00.000Z"
(adapters/sqlite/command_clock stamps every command with one). SQL compares them as text, so
they are written one way everywhere, here."""

from datetime import UTC, datetime


def format_stamp(moment: datetime) -> str:
    """`moment` (aware) as a timestamp."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_stamp(stamp: str) -> datetime:
    """A timestamp as an aware datetime in UTC (older ones with microseconds too)."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
