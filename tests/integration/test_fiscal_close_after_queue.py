"""A shift closed while sales made before the close still wait for their receipts (found by the
trading-day campaign, issue 13 part 6): the close used to go first, as every staff request does,
so the Z report missed those sales, the drawer the manager had counted held their cash, and the
worker opened the next shift at night to print them. Now the close waits for the receipts queued
before it was asked. Checked on the register simulator's fiscal drive."""

import threading

import pytest

from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.fiscal import counter_sale
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER, MANAGER

FAST = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01, "poll": 0.1}
SALES = 5


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    writer.call(builders.hire)
    writer.call(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
    )
    writer.call(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=50)))
    yield writer
    writer.stop()


def worker_on(writer, sim) -> FiscalWorker:
    worker = FiscalWorker(FiscalConfig(port=sim.slave_path, **FAST), writer)
    writer.on_commit(worker.wake)
    return worker


def test_a_shift_closes_after_the_receipts_of_sales_made_before_the_close(writer, sim):
    opening = worker_on(writer, sim).start()
    opening.request("open_shift", by=CASHIER)
    opening.stop()
    for _ in range(SALES):  # sold; their receipts wait in the queue
        writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "cash"}, by=CASHIER)
    worker = worker_on(writer, sim)
    answer: dict = {}
    closing = threading.Thread(
        target=lambda: answer.update(worker.request("close_shift", by=MANAGER, timeout=30))
    )
    closing.start()  # asked before the worker looks at its queue
    worker.start()
    try:
        closing.join(timeout=60)
        assert answer, "the shift did not close"
        assert answer["totals"]["sales"]["count"] == SALES  # the Z report counts every sale
        assert len(sim.receipts) == SALES
        assert {doc["shift"] for doc in sim.receipts} == {1}  # none left for the night
        assert worker.shift["open"] is False
    finally:
        worker.stop()
