"""The fiscal drive's health, recorded (issue 11): each reading of the OFD queue, the warning
flags and the drive's end of life is kept, and an alarm reaching a new level is announced to the
cloud as `fiscal.alarm` (MQTT-CONTRACT 1.1) in the same transaction -- once per level: 3 → 7 → 25
days of an unsent queue, 30 → 3 days before the drive expires, the archive 90 % full. The level
kept survives a restart, so a restart does not announce it again; a condition that clears is
forgotten, and announced again when it comes back.

Run through the writer (`writer.call(record_health, reading, store)`); `store` keeps the reading
and the levels (the sqlite adapter's `FiscalHealthRepo` over the same transaction)."""

from __future__ import annotations

from typing import Protocol

from gateway.domain.fiscal_health import Alarm, DriveHealth, alarms, announcements

ALARM_EVENT = "fiscal.alarm"


class HealthStore(Protocol):
    def save_reading(self, health: DriveHealth) -> None: ...
    def raised_levels(self) -> dict[str, int]: ...
    def keep(self, alarm: Alarm) -> None: ...
    def clear(self, kinds: list[str]) -> None: ...


def record_health(uow, health: DriveHealth, store: HealthStore) -> list[dict]:
    """Keep the reading and its alarms; returns the `fiscal.alarm` bodies announced now."""
    store.save_reading(health)
    active = alarms(health)
    announce, cleared = announcements(active, store.raised_levels())
    for alarm in active:
        store.keep(alarm)  # the days and the words move on even when the level does not
    store.clear(cleared)
    for alarm in announce:
        uow.outbox.emit(ALARM_EVENT, alarm.event)
    return [alarm.event for alarm in announce]
