"""Recording the fiscal drive's health (services/fiscal_health through the sqlite store of
m014): `fiscal.alarm` in the outbox once per level reached, not again after a restart, again
after the condition cleared and came back; the last reading kept for the status and the doctor."""

import json
from contextlib import closing
from dataclasses import replace

import pytest

from gateway.adapters.fiscal.health_watch import record_reading
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.fiscal_health_repo import fiscal_health
from gateway.domain.fiscal_health import DriveHealth

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


def stuck(checked_at: str, since: str = "2026-03-01T10:00") -> DriveHealth:
    return replace(
        QUIET, unsent=3, first_unsent_fd=7, first_unsent_at=since, transport_up=False,
        checked_at=checked_at,
    )  # fmt: skip


class Books:
    """The gateway's database, closed and opened again as a restart does."""

    def __init__(self, path):
        self.path = path
        self.db = Database(path)

    def restart(self) -> None:
        self.db.close()
        self.db = Database(self.path)

    def record(self, health: DriveHealth) -> list[dict]:
        return self.db.run(record_reading, health)

    def alarms_sent(self) -> list[tuple[str, int | None]]:
        with closing(self.db.reader()) as conn:
            rows = conn.execute(
                "SELECT data_json FROM outbox WHERE type = 'fiscal.alarm' ORDER BY seq"
            ).fetchall()
        return [(body["kind"], body["days"]) for body in (json.loads(r[0]) for r in rows)]

    def kept(self) -> dict | None:
        with closing(self.db.reader()) as conn:
            return fiscal_health(conn)


@pytest.fixture
def books(tmp_path):
    books = Books(tmp_path / "gateway.db")
    yield books
    books.db.close()


def test_each_level_once_and_not_again_after_a_restart(books):
    assert books.kept() is None
    assert books.record(stuck("2026-03-02T10:00")) == []
    [event] = books.record(stuck("2026-03-04T10:00"))
    assert event["kind"] == "ofd_queue" and event["days"] == 3
    assert event["detail"].startswith("Чеки не уходят в ОФД 3 дня")
    assert books.record(stuck("2026-03-05T10:00")) == []
    books.restart()
    assert books.record(stuck("2026-03-06T10:00")) == []  # still level 3: nothing new to say
    assert books.record(stuck("2026-03-08T10:00"))[0]["days"] == 7
    books.restart()
    assert books.record(stuck("2026-03-08T11:00")) == []
    assert books.record(stuck("2026-03-26T10:00"))[0]["days"] == 25
    assert books.record(stuck("2026-03-28T10:00")) == []
    assert books.alarms_sent() == [("ofd_queue", 3), ("ofd_queue", 7), ("ofd_queue", 25)]

    kept = books.kept()
    assert (kept["unsent"], kept["waited_days"], kept["days_to_block"]) == (3, 27, 3)
    [alarm] = kept["alarms"]
    assert (alarm["kind"], alarm["level"], alarm["days"]) == ("ofd_queue", 25, 27)
    assert alarm["raised_at"] and kept["read_at"]


def test_a_cleared_alarm_comes_back_as_news(books):
    books.record(stuck("2026-03-04T10:00"))
    assert books.record(replace(QUIET, checked_at="2026-03-05T10:00")) == []  # all sent
    assert books.kept()["alarms"] == []
    with closing(books.db.reader()) as conn:
        assert conn.execute("SELECT count(*) FROM fiscal_alarm").fetchone()[0] == 0
    books.record(stuck("2026-03-09T10:00", since="2026-03-06T09:00"))
    assert books.alarms_sent() == [("ofd_queue", 3), ("ofd_queue", 3)]


def test_the_drive_expiry_at_30_then_3_days_and_the_memory_once(books):
    near = replace(QUIET, expires="2026-03-21")  # 20 days left
    [event] = books.record(near)
    assert event == {
        "kind": "fn_expiry",
        "days": 20,
        "detail": "Срок ФН истекает 21.03.2026, через 20 дней: закажите новый ФН и"
        " договоритесь о замене",
    }
    assert books.record(replace(near, checked_at="2026-03-10T10:00")) == []
    books.record(replace(near, checked_at="2026-03-18T10:00", warnings=0x04))  # 3 days, 90 %
    assert books.alarms_sent() == [("fn_expiry", 20), ("fn_expiry", 3), ("fn_memory", None)]
    kinds = [a["kind"] for a in books.kept()["alarms"]]
    assert kinds == ["fn_expiry", "fn_memory"]
