"""Shared fixtures: a real SQLite database file per test, and the invariant checker after it."""

import json
import os
from contextlib import closing

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from simulators.fiscal_register import FiscalRegisterSimulator
from tests import builders

# A command without --config reads $STOREGW_CONFIG, else /etc/storegw/gateway.toml: set but
# empty, the built-in defaults, so that no test picks up a real installation on this machine.
os.environ["STOREGW_CONFIG"] = ""

pytest_plugins = ["tests.brokers", "tests.fiscal_wire", "tests.browser"]  # brokers, fiscal wire, UI


class Shop:
    """A database plus shortcuts for the set-up steps most tests need."""

    def __init__(self, database: Database):
        self.db = database

    def run(self, command, *args, **kwargs):
        return self.db.run(command, *args, **kwargs)

    def load_catalog(self, *products: dict, full: bool = False) -> dict:
        upsert = parse_catalog_upsert(builders.catalog(*products, full=full))
        return self.run(apply_catalog, upsert)

    def stock(self, **on_hand: int) -> None:
        """Simple products for these skus (if new) and their on_hand set."""
        new = [builders.simple_product(sku) for sku in on_hand if self.level(sku) is None]
        if new:
            self.load_catalog(*new)
        self.run(apply_stock_change, parse_stock_change("set", builders.stock_set(**on_hand)))

    def level(self, sku: str):
        with self.db.transaction() as uow:
            return uow.stock.level(sku)

    def order(self, order_id: str):
        with self.db.transaction() as uow:
            return uow.orders.get(order_id)

    def events(self, event_type: str | None = None) -> list[dict]:
        with closing(self.db.reader()) as conn:
            rows = conn.execute("SELECT seq, type, data_json FROM outbox ORDER BY seq").fetchall()
        return [
            {"seq": r[0], "type": r[1], **json.loads(r[2])}
            for r in rows
            if event_type is None or r[1] == event_type
        ]

    def problems(self) -> list[str]:
        with closing(self.db.reader()) as conn:
            return check_invariants(conn)


@pytest.fixture
def shop(tmp_path):
    database = Database(tmp_path / "gateway.db")
    shop = Shop(database)
    yield shop
    problems = shop.problems()
    database.close()
    assert problems == [], "invariants violated after the test"


@pytest.fixture
def sim(tmp_path):
    """The fiscal register simulator on a pseudo-terminal (`sim.slave_path`)."""
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json")
    simulator.start()
    yield simulator
    simulator.stop()
