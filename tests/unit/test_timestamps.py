"""The gateway's timestamps as text: one form, written and read everywhere alike."""

from datetime import UTC, datetime, timedelta, timezone

from gateway.adapters.sqlite.command_clock import utc_now
from gateway.domain.timestamps import format_stamp, parse_stamp


def test_a_stamp_is_utc_with_milliseconds_and_reads_back():
    moscow = timezone(timedelta(hours=3))
    moment = datetime(2026, 12, 5, 12, 0, 1, 234567, tzinfo=moscow)
    assert format_stamp(moment) == "2026-12-05T09:00:01.234Z"
    assert parse_stamp("2026-12-05T09:00:01.234Z") == datetime(
        2026, 12, 5, 9, 0, 1, 234000, tzinfo=UTC
    )


def test_older_stamps_with_microseconds_read_too():
    assert parse_stamp("2026-12-05T09:00:01.234567Z").microsecond == 234567


def test_stamps_sort_as_text_as_their_moments_do():
    base = datetime(2026, 12, 5, 23, 59, 59, 998000, tzinfo=UTC)
    moments = [base + timedelta(milliseconds=n) for n in (0, 1, 2, 3, 1000)]
    stamps = [format_stamp(moment) for moment in moments]
    assert sorted(stamps) == stamps
    assert [parse_stamp(stamp) for stamp in stamps] == moments


def test_the_command_clock_writes_the_same_form():
    stamp = utc_now()
    assert format_stamp(parse_stamp(stamp)) == stamp
