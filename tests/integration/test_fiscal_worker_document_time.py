"""The fiscal worker records each receipt's fiscal date and time (`receipt_job.fiscal_ts`) and
sends it in `receipt.fiscalized` (`fiscal.ts`, the contract's format): the register simulator on
a pty, the gateway's worker, writer and database as they run; also after a lost close answer and
after a crash (the recovery that reads the fiscal drive), and null from a model that cannot
tell. The time is checked against what the simulator's drive stored and printed."""

import calendar
import json
import re
import time
from contextlib import closing

import pytest

from drivers.fiscal import Cashier, ShtrihM
from drivers.fiscal.link import LinkSettings
from gateway.adapters.fiscal.receipt_mapping import driver_receipt
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.correction_queries import correctable_receipts
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.payloads import outbound_model
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.fiscal import counter_sale, receipt_sending
from gateway.services.stock import apply_stock_change
from simulators.fiscal_register import FiscalRegisterSimulator
from tests import builders
from tests.builders import CASHIER
from tests.fiscal_wire import Client, cmd

LINK = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01}
FAST = {**LINK, "poll": 0.1}
WAIT = 15.0
SIGNED_AT = calendar.timegm((2026, 12, 3, 13, 46, 20))  # the register's clock (its local time)
SIGNED = "2026-12-03T13:46"
SALE = {"items": [{"sku": "MUG"}], "payment": "card"}


class Clock:
    """The simulator's clock: stands still unless a test moves it."""

    def __init__(self):
        self.now = SIGNED_AT

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def start_sim(tmp_path, clock):
    running = []

    def start(**options) -> FiscalRegisterSimulator:
        sim = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json", clock=clock, **options)
        sim.start()
        running.append(sim)
        return sim

    yield start
    for sim in running:
        sim.stop()


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    writer.call(builders.hire)
    writer.call(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG", 45000)))
    )
    writer.call(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=20)))
    yield writer
    writer.stop()


@pytest.fixture
def start_worker(writer):
    workers = []

    def start(sim: FiscalRegisterSimulator) -> FiscalWorker:
        worker = FiscalWorker(FiscalConfig(port=sim.slave_path, **FAST), writer)
        writer.on_commit(worker.wake)
        workers.append(worker.start())
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def job(writer, job_id: int) -> dict:
    with closing(open_connection(writer.path, readonly=True)) as conn:
        row = conn.execute(
            "SELECT state, fn, fd, fp, shift, number, fiscal_ts FROM receipt_job WHERE id = ?",
            (job_id,),
        ).fetchone()
    return dict(row)


def done(writer, job_id: int) -> dict | None:
    row = job(writer, job_id)
    return row if row["state"] == "done" else None


def fiscalized(writer) -> list[dict]:
    """The `receipt.fiscalized` messages waiting in the outbox, each checked against the
    contract's model (docs/asyncapi.yaml is generated from it)."""
    with closing(open_connection(writer.path, readonly=True)) as conn:
        rows = conn.execute(
            "SELECT data_json FROM outbox WHERE type = 'receipt.fiscalized' ORDER BY seq"
        ).fetchall()
    messages = [json.loads(row[0]) for row in rows]
    for data in messages:
        outbound_model("receipt.fiscalized").model_validate(data)
    return messages


def printed_date(sim, fd: int) -> str:
    """«ДАТА dd.mm.yy hh:mm» printed on the receipt with this FD, as 'YYYY-MM-DDThh:mm'."""
    [text] = [t for t in sim.printed if re.search(rf"ФД\s+{fd}\n", t) and "КОПИЯ" not in t]
    day, month, year, hour, minute = re.search(
        r"ДАТА\s+(\d\d)\.(\d\d)\.(\d\d) (\d\d):(\d\d)", text
    ).groups()
    return f"20{year}-{month}-{day}T{hour}:{minute}"


def test_a_receipt_is_recorded_and_sent_with_the_time_its_drive_signed_it(
    writer, start_sim, start_worker, clock
):
    sim = start_sim()
    worker = start_worker(sim)
    sale = writer.call(counter_sale, SALE, by=CASHIER)
    row = wait_for(lambda: done(writer, sale["receipt_id"]), "the receipt")
    [doc] = sim.receipts
    assert (row["fd"], row["fp"]) == (doc["fd"], doc["fp"])
    assert row["fiscal_ts"] == SIGNED == printed_date(sim, doc["fd"])
    [message] = fiscalized(writer)
    assert message["fiscal"] == {
        "fn": sim.fn_serial, "fd": doc["fd"], "fp": doc["fp"], "shift": 1, "number": 1,
        "ts": SIGNED,
    }  # fmt: skip
    # The screens read what they read before: the correction dialog lists the receipt by the
    # register's time, and the copy of the last receipt prints the same date.
    with closing(open_connection(writer.path, readonly=True)) as conn:
        [listed] = correctable_receipts(conn, str(sale["receipt_id"]))
    assert listed["fiscal_ts"] == SIGNED
    clock.now += 600
    assert worker.request("reprint", receipt_id=sale["receipt_id"], by=CASHIER)["reprinted"]
    copy = sim.printed[-1]
    assert "КОПИЯ" in copy and "ДАТА                      03.12.26 13:46" in copy


def test_a_lost_close_answer_is_found_in_the_drive_with_its_time(writer, start_sim, start_worker):
    sim = start_sim()
    start_worker(sim)
    sim.inject("drop_after_execute", command=0xFF45, keep_answer=False)
    sale = writer.call(counter_sale, SALE, by=CASHIER)
    row = wait_for(lambda: done(writer, sale["receipt_id"]), "the reconciled receipt")
    [doc] = sim.receipts
    assert (row["fd"], row["fiscal_ts"]) == (doc["fd"], SIGNED)
    assert [m["fiscal"]["ts"] for m in fiscalized(writer)] == [SIGNED]


def test_a_receipt_signed_before_a_crash_is_finished_with_its_time_from_the_drive(
    writer, start_sim, start_worker, clock
):
    """The gateway died after the register signed: the restarted worker finds the receipt in
    the fiscal drive (FISCAL.md 5.4) and records the time the drive stored then, not now."""
    sim = start_sim()
    sale = writer.call(counter_sale, SALE, by=CASHIER)
    driver = ShtrihM(sim.slave_path, settings=LinkSettings(**LINK))
    try:
        driver.open_shift(Cashier("Анна"))
        drive = driver.fn_status()
        writer.call(receipt_sending, sale["receipt_id"], drive.last_fd, drive.fn)
        draft = writer.call(lambda uow: uow.fiscal.job(sale["receipt_id"])).draft
        signed = driver.sell(driver_receipt(draft, "osn"))  # then the gateway "dies"
    finally:
        driver.close()
    clock.now += 2 * 3600  # the worker comes back two hours later
    start_worker(sim)
    row = wait_for(lambda: done(writer, sale["receipt_id"]), "reconciliation")
    assert len(sim.receipts) == 1 and (row["fd"], row["fp"]) == (signed.fd, signed.fp)
    assert row["fiscal_ts"] == SIGNED == printed_date(sim, signed.fd)
    [message] = fiscalized(writer)
    assert message["fiscal"]["ts"] == SIGNED and message["fiscal"]["number"] is None


def test_a_register_that_cannot_tell_the_time_gives_null(writer, start_sim, start_worker):
    """An older model without FF0Ah and without the time in its close answer: the receipt is
    recorded and sent with `ts` null (the contract allows it), nothing else is missing."""
    sim = start_sim(unsupported_commands={0xFF0A})
    client = Client(sim.slave_path)  # the shift opened at the register's keyboard
    try:
        client.ok(cmd(0xE0))
    finally:
        client.close()
    start_worker(sim)
    sale = writer.call(counter_sale, SALE, by=CASHIER)
    row = wait_for(lambda: done(writer, sale["receipt_id"]), "the receipt")
    [doc] = sim.receipts
    assert (row["fd"], row["fp"], row["fiscal_ts"]) == (doc["fd"], doc["fp"], None)
    [message] = fiscalized(writer)
    assert message["fiscal"]["ts"] is None and message["fiscal"]["fd"] == doc["fd"]
