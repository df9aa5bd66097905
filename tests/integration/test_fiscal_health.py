"""The OFD queue and the fiscal drive's end of life on a running gateway (issue 11, item 4): the
register simulator cannot reach the OFD, its clock is moved on, and the gateway -- reading the
drive every `health_poll` -- raises the alarm at 3, 7 and 25 days of the unsent queue: in its
status (`/healthz`, `gateway.status`, the devices page, «Сводка») and as `fiscal.alarm` in the
outbox, once each, not again after a restart; the alarm goes when the queue is sent. A drive
set to expire in 20 days warns."""

import json
import time
from contextlib import closing

import pytest

from gateway.adapters.sqlite.connection import open_connection
from gateway.bootstrap import Gateway
from gateway.config import load_config
from tests.loopback import free_port
from tests.signin import desk_clients

DAY = 24 * 3600
WAIT = 20.0


def start(tmp_path, sim) -> Gateway:
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-health"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[fiscal]
port = "{sim.slave_path}"
poll = 0.1
health_poll = 0.2
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
""",
        encoding="utf-8",
    )
    return Gateway(load_config(tmp_path / "gateway.toml", env={})).start()


@pytest.fixture
def gateways(tmp_path, sim):
    started: list[Gateway] = []

    def start_one() -> Gateway:
        started.append(start(tmp_path, sim))
        return started[-1]

    yield start_one
    for gateway in started:
        gateway.stop()


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def health(gateway: Gateway) -> dict:
    return gateway.status()["fiscal"]["health"] or {}


def alarm(gateway: Gateway, kind: str) -> dict | None:
    found = [a for a in health(gateway).get("alarms", []) if a["kind"] == kind]
    return found[0] if found else None


def fiscal_alarms(gateway: Gateway) -> list[dict]:
    with closing(open_connection(gateway.config.database_path, readonly=True)) as conn:
        rows = conn.execute(
            "SELECT data_json FROM outbox WHERE type = 'fiscal.alarm' ORDER BY seq"
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def read_since(gateway: Gateway, moment: float) -> None:
    """Wait for a reading of the drive taken by the register's clock at `moment` or later."""
    stamp = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(moment))
    wait_for(lambda: (health(gateway).get("checked_at") or "") >= stamp, f"a reading at {stamp}")


def test_an_unsent_queue_raises_the_alarm_at_3_7_and_25_days_once_each(gateways, sim):
    sim.set_ofd_online(False)
    gateway = gateways()
    client = desk_clients(gateway)
    wait_for(lambda: health(gateway).get("unsent") == 0, "the first reading: nothing unsent")
    assert health(gateway)["alarms"] == [] and fiscal_alarms(gateway) == []

    opened = client.post("/api/fiscal/open-shift", json={})  # a fiscal document for the OFD
    assert opened.status_code == 200, opened.text
    wait_for(lambda: health(gateway).get("unsent") == 1, "the shift's report waiting for the OFD")

    sim.advance_clock(2 * DAY + 23 * 3600)  # not yet 3 days
    read_since(gateway, sim.now())
    assert health(gateway)["waited_days"] == 2 and alarm(gateway, "ofd_queue") is None

    expected = []
    for days, step in ((3, 3600), (7, 4 * DAY), (25, 18 * DAY)):
        sim.advance_clock(step)
        found = wait_for(lambda: alarm(gateway, "ofd_queue"), f"the {days}-day alarm")
        wait_for(lambda d=days: alarm(gateway, "ofd_queue")["level"] == d, f"level {days}")
        found = alarm(gateway, "ofd_queue")
        assert found["days"] == days
        left = 30 - days
        assert f"Чеки не уходят в ОФД {days} " in found["detail"]
        assert (
            f"Через {left} " in found["detail"] and "проверьте интернет у кассы" in found["detail"]
        )
        expected.append(days)
        count = len(expected)
        wait_for(lambda n=count: len(fiscal_alarms(gateway)) >= n, "the fiscal.alarm")
        assert [(e["kind"], e["days"]) for e in fiscal_alarms(gateway)] == [
            ("ofd_queue", d) for d in expected
        ]
        # More readings at the same level say nothing new.
        sim.advance_clock(60)
        read_since(gateway, sim.now())
        assert len(fiscal_alarms(gateway)) == len(expected)

    status = health(gateway)
    assert (status["unsent"], status["waited_days"], status["days_to_block"]) == (1, 25, 5)
    [event] = [e for e in fiscal_alarms(gateway) if e["days"] == 25]
    assert event["detail"] == alarm(gateway, "ofd_queue")["detail"]
    assert set(event) == {"kind", "days", "detail"}

    # The owner hears it: gateway.status, the devices page, «Сводка».
    lines = [line for line in gateway.cloud_status(True)["alarms"] if line.startswith("fiscal")]
    assert lines == [f"fiscal ofd_queue: {alarm(gateway, 'ofd_queue')['detail_en']}"]
    oldest = time.strftime("%d.%m", time.gmtime(sim.now() - 25 * DAY))
    page = client.manager.get("/devices").text
    assert f"Неотправленных в ОФД: 1, старейший от {oldest} (25 дн.)" in page
    assert "Чеки не уходят в ОФД 25 дней" in page and 'data-alarm="ofd_queue"' in page
    summary = client.manager.get("/api/summary").json()["health"]["fiscal"]
    assert summary["ok"] is False and summary["alarms"][0]["kind"] == "ofd_queue"
    assert "Чеки не уходят в ОФД 25 дней" in client.manager.get("/summary").text

    # A restart reads the drive at once and says nothing it said before.
    gateway.stop()
    gateway = gateways()
    read_since(gateway, sim.now())
    assert alarm(gateway, "ofd_queue")["level"] == 25
    time.sleep(0.5)  # a few more readings
    assert [e["days"] for e in fiscal_alarms(gateway)] == [3, 7, 25]

    # The OFD is back: the queue is sent, and the alarm goes (no event: the contract has none).
    sim.set_ofd_online(True)
    wait_for(lambda: health(gateway).get("unsent") == 0, "the queue sent")
    assert alarm(gateway, "ofd_queue") is None
    assert [e["days"] for e in fiscal_alarms(gateway)] == [3, 7, 25]
    assert not [line for line in gateway.cloud_status(True)["alarms"] if line.startswith("fiscal")]


def test_a_drive_expiring_in_20_days_warns(gateways, sim):
    expires = time.strftime("%Y-%m-%d", time.gmtime(sim.now() + 20 * DAY))
    sim.set_fn_expiry(expires)
    gateway = gateways()
    found = wait_for(lambda: alarm(gateway, "fn_expiry"), "the drive's expiry alarm")
    assert (found["level"], found["days"]) == (30, 20)
    day = f"{expires[8:10]}.{expires[5:7]}.{expires[:4]}"
    assert found["detail"] == (
        f"Срок ФН истекает {day}, через 20 дней: закажите новый ФН и договоритесь о замене"
    )
    assert health(gateway)["expires"] == expires
    wait_for(lambda: fiscal_alarms(gateway), "the fiscal.alarm")
    assert fiscal_alarms(gateway) == [{"kind": "fn_expiry", "days": 20, "detail": found["detail"]}]
    client = desk_clients(gateway)
    page = client.manager.get("/devices").text
    assert f"ФН до {day}" in page and 'data-alarm="fn_expiry"' in page
    # 17 days on: 3 days left, announced once more.
    sim.advance_clock(17 * DAY)
    wait_for(lambda: alarm(gateway, "fn_expiry")["level"] == 3, "the 3-day alarm")
    wait_for(lambda: len(fiscal_alarms(gateway)) == 2, "the second fiscal.alarm")
    assert [(e["kind"], e["days"]) for e in fiscal_alarms(gateway)] == [
        ("fn_expiry", 20),
        ("fn_expiry", 3),
    ]
