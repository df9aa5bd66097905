"""The fiscal drive's last reading and the alarm levels kept (tables of m014,
schema_fiscal_health.py); `fiscal_health(conn)` is the read side the status and the doctor use."""

from __future__ import annotations

import sqlite3

from gateway.domain.fiscal_health import Alarm, DriveHealth, describe

_READING = (
    "fn, unsent, first_unsent_fd, first_unsent_at, transport_up, warnings, expires, checked_at"
)


class FiscalHealthRepo:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def save_reading(self, health: DriveHealth) -> None:
        self.conn.execute(
            f"INSERT INTO fiscal_health(id, {_READING}, read_at) VALUES (1,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET fn = excluded.fn, unsent = excluded.unsent,"
            " first_unsent_fd = excluded.first_unsent_fd,"
            " first_unsent_at = excluded.first_unsent_at, transport_up = excluded.transport_up,"
            " warnings = excluded.warnings, expires = excluded.expires,"
            " checked_at = excluded.checked_at, read_at = excluded.read_at",
            (
                health.fn,
                health.unsent,
                health.first_unsent_fd,
                health.first_unsent_at,
                int(health.transport_up),
                health.warnings,
                health.expires,
                health.checked_at,
                self.now,
            ),
        )

    def raised_levels(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT kind, level FROM fiscal_alarm").fetchall())

    def keep(self, alarm: Alarm) -> None:
        """The alarm as it is now; `raised_at` moves only when its level changes."""
        self.conn.execute(
            "INSERT INTO fiscal_alarm(kind, level, days, detail, detail_en, raised_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(kind) DO UPDATE SET"
            " raised_at = CASE WHEN level = excluded.level THEN raised_at"
            "   ELSE excluded.raised_at END,"
            " level = excluded.level, days = excluded.days, detail = excluded.detail,"
            " detail_en = excluded.detail_en, updated_at = excluded.updated_at",
            (alarm.kind, alarm.level, alarm.days, alarm.ru, alarm.en, self.now, self.now),
        )

    def clear(self, kinds: list[str]) -> None:
        self.conn.executemany("DELETE FROM fiscal_alarm WHERE kind = ?", [(k,) for k in kinds])


def last_reading(conn: sqlite3.Connection) -> DriveHealth | None:
    row = conn.execute(f"SELECT {_READING} FROM fiscal_health WHERE id = 1").fetchone()
    if row is None:
        return None
    fn, unsent, fd, at, up, warnings, expires, checked = row
    return DriveHealth(fn, unsent, fd, at, bool(up), warnings, expires, checked)


def fiscal_health(conn: sqlite3.Connection) -> dict | None:
    """The drive's last reading as the status shows it (`describe`), with when the gateway
    read it (`read_at`, its own clock) and the alarms kept (`raised_at`); None if never read."""
    health = last_reading(conn)
    if health is None:
        return None
    [read_at] = conn.execute("SELECT read_at FROM fiscal_health WHERE id = 1").fetchone()
    raised = dict(conn.execute("SELECT kind, raised_at FROM fiscal_alarm").fetchall())
    view = describe(health)
    for alarm in view["alarms"]:
        alarm["raised_at"] = raised.get(alarm["kind"])
    return {**view, "read_at": read_at, "supported": True}
