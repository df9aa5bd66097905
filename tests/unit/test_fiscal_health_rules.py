"""The fiscal drive's health rules (gateway/domain/fiscal_health.py): which alarm is on at which
day, exactly at the boundaries, what it says, and when it is announced."""

from dataclasses import replace

import pytest

from gateway.domain.fiscal_health import (
    FN_EXPIRY,
    FN_MEMORY,
    OFD_QUEUE,
    WARN_ARCHIVE_90,
    WARN_ENDS_IN_30_DAYS,
    WARN_OFD_TIMEOUT,
    WARN_REPLACE_URGENTLY,
    DriveHealth,
    alarms,
    announcements,
    days_ru,
    describe,
)

QUIET = DriveHealth(
    fn="7380440700000001",
    unsent=0,
    first_unsent_fd=None,
    first_unsent_at=None,
    transport_up=True,
    warnings=0,
    expires="2027-06-01",
    checked_at="2026-03-01T10:00",
)


def queue(checked_at: str, *, since: str = "2026-03-01T10:00", up: bool = False) -> DriveHealth:
    """Five documents unsent since `since`, read at `checked_at`."""
    return replace(
        QUIET,
        unsent=5,
        first_unsent_fd=41,
        first_unsent_at=since,
        transport_up=up,
        checked_at=checked_at,
    )


def by_kind(health: DriveHealth) -> dict:
    return {alarm.kind: alarm for alarm in alarms(health)}


def test_a_drive_with_nothing_to_say_has_no_alarm():
    assert alarms(QUIET) == []
    # An old first-unsent date with nothing unsent (the FN keeps the last one) is no queue.
    assert alarms(replace(QUIET, first_unsent_at="2026-01-01T00:00")) == []


@pytest.mark.parametrize(
    ("checked_at", "level", "days"),
    [
        ("2026-03-01T10:00", None, 0),
        ("2026-03-04T09:59", None, 2),  # a minute short of 3 days
        ("2026-03-04T10:00", 3, 3),
        ("2026-03-08T09:59", 3, 6),
        ("2026-03-08T10:00", 7, 7),
        ("2026-03-26T09:59", 7, 24),
        ("2026-03-26T10:00", 25, 25),
        ("2026-03-31T10:00", 25, 30),
        ("2026-04-05T10:00", 25, 35),
    ],
)
def test_the_ofd_queue_alarm_at_exactly_3_7_and_25_days(checked_at, level, days):
    health = queue(checked_at)
    alarm = by_kind(health).get(OFD_QUEUE)
    assert (alarm.level if alarm else None) == level
    assert describe(health)["waited_days"] == days
    if alarm:
        assert alarm.days == days


def test_the_ofd_queue_alarm_says_what_to_do_and_when_the_register_blocks():
    seven = by_kind(queue("2026-03-08T10:00"))[OFD_QUEUE]
    assert seven.ru == (
        "Чеки не уходят в ОФД 7 дней: проверьте интернет у кассы. Через 23 дня касса заблокируется"
    )
    assert seven.en == (
        "Receipts have not reached the OFD for 7 days: check the register's internet"
        " connection. The register blocks itself in 23 days"
    )
    assert seven.event == {"kind": "ofd_queue", "days": 7, "detail": seven.ru}
    three = by_kind(queue("2026-03-04T10:00"))[OFD_QUEUE]
    assert "3 дня" in three.ru and "Через 27 дней" in three.ru
    late = by_kind(queue("2026-03-26T10:00", up=True))[OFD_QUEUE]
    assert "25 дней" in late.ru and "Через 5 дней" in late.ru
    assert "позвоните в ОФД" in late.ru  # the link is up: the OFD itself does not take them
    blocked = by_kind(queue("2026-03-31T10:00"))[OFD_QUEUE]
    assert "30 дней" in blocked.ru and "касса заблокирована" in blocked.ru
    assert "is blocked" in blocked.en


@pytest.mark.parametrize(
    ("expires", "level", "left"),
    [
        ("2026-04-01", None, 31),
        ("2026-03-31", 30, 30),
        ("2026-03-05", 30, 4),
        ("2026-03-04", 3, 3),
        ("2026-03-02", 3, 1),
        ("2026-03-01", 3, 0),  # the last day
        ("2026-02-20", 3, -9),  # already expired
    ],
)
def test_the_drive_expiry_alarm_at_30_and_3_days(expires, level, left):
    health = replace(QUIET, expires=expires)
    alarm = by_kind(health).get(FN_EXPIRY)
    assert (alarm.level if alarm else None) == level
    assert describe(health)["expires_in_days"] == left
    if alarm:
        assert alarm.days == left


def test_the_drive_expiry_words():
    thirty = by_kind(replace(QUIET, expires="2026-03-21"))[FN_EXPIRY]
    assert thirty.ru == (
        "Срок ФН истекает 21.03.2026, через 20 дней: закажите новый ФН и договоритесь о замене"
    )
    assert thirty.event == {"kind": "fn_expiry", "days": 20, "detail": thirty.ru}
    three = by_kind(replace(QUIET, expires="2026-03-03"))[FN_EXPIRY]
    assert "через 2 дня: замените ФН" in three.ru
    gone = by_kind(replace(QUIET, expires="2026-02-28"))[FN_EXPIRY]
    assert gone.ru.startswith("Срок ФН истёк 28.02.2026")


def test_the_drives_own_flags_raise_the_expiry_alarm_too():
    far = replace(QUIET, expires="2027-06-01")
    assert by_kind(replace(far, warnings=WARN_ENDS_IN_30_DAYS))[FN_EXPIRY].level == 30
    assert by_kind(replace(far, warnings=WARN_REPLACE_URGENTLY))[FN_EXPIRY].level == 3
    # A date 20 days off and the urgent flag: the worse one.
    near = replace(QUIET, expires="2026-03-21", warnings=WARN_REPLACE_URGENTLY)
    assert by_kind(near)[FN_EXPIRY].level == 3
    undated = by_kind(replace(QUIET, expires=None, warnings=WARN_ENDS_IN_30_DAYS))[FN_EXPIRY]
    assert (undated.days, undated.ru) == (
        None,
        "Срок ФН истекает в течение 30 дней: закажите новый ФН и договоритесь о замене",
    )


def test_the_archive_90_percent_full():
    alarm = by_kind(replace(QUIET, warnings=WARN_ARCHIVE_90))[FN_MEMORY]
    assert (alarm.level, alarm.days) == (90, None)
    assert "Архив ФН заполнен на 90 %" in alarm.ru
    assert describe(replace(QUIET, warnings=WARN_ARCHIVE_90))["memory_warning"] is True
    assert FN_MEMORY not in by_kind(replace(QUIET, warnings=WARN_OFD_TIMEOUT))


def test_several_alarms_at_once_in_kind_order():
    health = replace(queue("2026-03-08T10:00"), expires="2026-03-10", warnings=WARN_ARCHIVE_90)
    assert [(a.kind, a.level) for a in alarms(health)] == [
        (OFD_QUEUE, 7),
        (FN_EXPIRY, 3),
        (FN_MEMORY, 90),
    ]


def test_describe_gives_what_the_status_shows():
    view = describe(replace(queue("2026-03-08T10:00"), warnings=WARN_OFD_TIMEOUT))
    assert {k: v for k, v in view.items() if k != "alarms"} == {
        "fn": "7380440700000001",
        "checked_at": "2026-03-08T10:00",
        "unsent": 5,
        "first_unsent_fd": 41,
        "first_unsent_at": "2026-03-01T10:00",
        "waited_days": 7,
        "days_to_block": 23,
        "transport_up": False,
        "ofd_timeout": True,
        "expires": "2027-06-01",
        "expires_in_days": 450,
        "memory_warning": False,
        "warnings": WARN_OFD_TIMEOUT,
    }
    [alarm] = view["alarms"]
    assert alarm["kind"] == "ofd_queue" and alarm["level"] == 7 and alarm["detail_en"]


def test_an_alarm_is_announced_once_per_level_and_again_after_it_cleared():
    def step(health, raised):
        active = alarms(health)
        announce, cleared = announcements(active, raised)
        kept = {a.kind: a.level for a in active}
        return [(a.kind, a.level) for a in announce], cleared, kept

    raised: dict[str, int] = {}
    said = []
    for checked in ("2026-03-03T10:00", "2026-03-04T10:00", "2026-03-05T10:00",
                    "2026-03-08T10:00", "2026-03-20T10:00", "2026-03-26T10:00",
                    "2026-03-27T10:00"):  # fmt: skip
        announce, cleared, raised = step(queue(checked), raised)
        said += announce
        assert cleared == []
    assert said == [(OFD_QUEUE, 3), (OFD_QUEUE, 7), (OFD_QUEUE, 25)]
    # Part of the queue sent: the oldest now waits 10 days. Kept at 7, not announced ...
    announce, _, raised = step(queue("2026-03-27T10:00", since="2026-03-17T10:00"), raised)
    assert (announce, raised) == ([], {OFD_QUEUE: 7})
    # ... and reaching 25 again is news again.
    announce, _, raised = step(queue("2026-04-11T10:00", since="2026-03-17T10:00"), raised)
    assert announce == [(OFD_QUEUE, 25)]
    # All sent: cleared; stuck again later: 3 days is announced again.
    announce, cleared, raised = step(replace(QUIET, checked_at="2026-04-12T10:00"), raised)
    assert (announce, cleared, raised) == ([], [OFD_QUEUE], {})
    announce, _, raised = step(queue("2026-04-20T10:00", since="2026-04-17T10:00"), raised)
    assert announce == [(OFD_QUEUE, 3)]


def test_the_expiry_is_announced_at_30_then_at_3():
    raised: dict[str, int] = {}
    said = []
    for expires in ("2026-04-15", "2026-03-31", "2026-03-20", "2026-03-04", "2026-03-02"):
        active = alarms(replace(QUIET, expires=expires))
        announce, _ = announcements(active, raised)
        said += [(a.kind, a.level) for a in announce]
        raised = {a.kind: a.level for a in active}
    assert said == [(FN_EXPIRY, 30), (FN_EXPIRY, 3)]


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (12, "дней"),
     (14, "дней"), (20, "дней"), (21, "день"), (23, "дня"), (25, "дней"), (111, "дней")],
)  # fmt: skip
def test_russian_days(n, word):
    assert days_ru(n) == word
