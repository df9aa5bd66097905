"""HealthWatch (gateway/adapters/fiscal/health_watch.py) against the register simulator: the drive
is read at a new connection and then every `health_poll` seconds; a model that answers 37h
("command not supported") is asked once and never again; a failed reading is shown and never
escapes into the fiscal worker."""

import json
from contextlib import closing

import pytest

from drivers.fiscal import ShtrihM
from drivers.fiscal.link import LinkSettings
from gateway.adapters.fiscal.health_watch import HealthWatch
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from simulators.fiscal_register import FiscalRegisterSimulator

EXCHANGE_STATUS = 0xFF39
LINK = LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01)


class Clock:
    """The watch's monotonic clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    yield writer
    writer.stop()


def simulator(tmp_path, **options) -> FiscalRegisterSimulator:
    sim = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json", **options)
    sim.start()
    return sim


def connect(sim: FiscalRegisterSimulator) -> ShtrihM:
    return ShtrihM(sim.slave_path, settings=LINK)


def watch(writer, clock: Clock, poll: float = 300.0) -> HealthWatch:
    config = FiscalConfig(port="unused", health_poll=poll)
    return HealthWatch(config, writer, clock=clock)


def kept_readings(writer) -> int:
    with closing(open_connection(writer.path, readonly=True)) as conn:
        return conn.execute("SELECT count(*) FROM fiscal_health").fetchone()[0]


def test_read_at_a_new_connection_and_every_health_poll(tmp_path, writer):
    sim = simulator(tmp_path)
    clock = Clock()
    health = watch(writer, clock, poll=300.0)
    register = connect(sim)
    try:
        assert health.snapshot() is None
        health.maybe_check(register)
        asked = sim.executed.get(EXCHANGE_STATUS, 0)
        assert asked == 1
        view = health.snapshot()
        assert view["supported"] is True and view["unsent"] == 0 and view["alarms"] == []
        assert view["fn"] and view["expires"] and kept_readings(writer) == 1
        clock.now += 299
        health.maybe_check(register)
        assert sim.executed[EXCHANGE_STATUS] == 1  # not due yet
        clock.now += 1
        health.maybe_check(register)
        assert sim.executed[EXCHANGE_STATUS] == 2
        register.close()
        register = connect(sim)  # the worker reconnected: read at once
        health.maybe_check(register)
        assert sim.executed[EXCHANGE_STATUS] == 3
    finally:
        register.close()
        sim.stop()


def test_a_model_without_the_commands_is_asked_once(tmp_path, writer):
    sim = simulator(tmp_path, unsupported_commands={EXCHANGE_STATUS})
    clock = Clock()
    health = watch(writer, clock, poll=1.0)
    register = connect(sim)
    try:
        health.maybe_check(register)
        assert health.snapshot() == {"supported": False}
        for _ in range(3):
            clock.now += 10
            health.maybe_check(register)
        register.close()
        register = connect(sim)
        health.maybe_check(register)
        assert sim.executed[EXCHANGE_STATUS] == 1
        assert register.status() is not None  # the register itself is fine
    finally:
        register.close()
        sim.stop()


def test_a_failed_reading_is_shown_and_kept_from_the_worker(tmp_path, writer):
    sim = simulator(tmp_path)
    clock = Clock()
    health = watch(writer, clock, poll=1.0)
    register = connect(sim)
    try:
        health.maybe_check(register)
        assert health.snapshot()["error"] is None
        sim.stop()  # the register goes away between two readings
        clock.now += 1
        health.maybe_check(register)  # must not raise
        view = health.snapshot()
        assert view["error"] and view["supported"] is True
        assert view["unsent"] == 0  # the last good reading stays
        with closing(open_connection(writer.path, readonly=True)) as conn:
            kinds = conn.execute("SELECT data_json FROM outbox WHERE type = 'fiscal.alarm'")
            assert [json.loads(row[0]) for row in kinds] == []
    finally:
        register.close()
