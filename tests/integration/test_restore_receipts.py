"""QA's bug: `storegw backup`, web payments fiscalised, the gateway stopped, `storegw restore`,
started again; the cloud resends what the restored database lacks (the same order.paid and
order.refunded, with their original ids) and the gateway queued those receipts again -- printed
twice. The fiscal drive is the truth: each one is found in its archive and recorded with its
original document. Against the register simulator; what was signed is read from its drive."""

import time
from contextlib import closing
from types import SimpleNamespace

import pytest

from gateway import cli
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.store_identity import claim_store
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.fiscal import counter_sale
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER
from tests.payments_helpers import Cloud

STORE = "shop-001"
FAST = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01, "poll": 0.1}
SITE = "shop.example.ru"
PRICE = 10000  # the mug, as the catalog and the orders have it


class Gateway:
    """The database (through its writer) and the fiscal worker on the simulator's port;
    stopped and started again around a restore, as `systemctl stop/start storegw`."""

    def __init__(self, tmp_path, sim):
        self.db, self.sim = tmp_path / "gateway.db", sim
        self.config = tmp_path / "gateway.toml"
        self.config.write_text(
            f'[store]\nid = "{STORE}"\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\n'
            f'[database]\npath = "{self.db}"\n[web]\nlisten = "127.0.0.1:1"\n',
            encoding="utf-8",
        )
        self.writer = self.worker = None

    def start(self) -> None:
        self.writer = Writer(self.db).start()
        config = FiscalConfig(port=self.sim.slave_path, site=SITE, **FAST)
        self.worker = FiscalWorker(config, self.writer)
        self.writer.on_commit(self.worker.wake)
        self.worker.start()
        self.cloud = Cloud(SimpleNamespace(run=self.writer.call))

    def stop(self) -> None:
        self.worker.stop()
        self.writer.stop()

    def storegw(self, *argv) -> None:
        assert cli.main(["--config", str(self.config), *map(str, argv)]) == 0

    def jobs(self) -> list[tuple]:
        with closing(open_connection(self.db, readonly=True)) as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    "SELECT receipt_kind, payment_id, state, fd, fp FROM receipt_job ORDER BY id"
                )
            ]

    def settled(self, count: int) -> list[tuple]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            jobs = self.jobs()
            if len(jobs) == count and all(job[2] == "done" for job in jobs):
                time.sleep(0.3)  # a second receipt would come now: it must not
                return self.jobs()
            time.sleep(0.05)
        raise AssertionError(f"receipts not all done: {self.jobs()}")


def receipts(sim) -> list[tuple]:
    """(fd, operation, total, buyer) of every receipt the drive signed."""
    return [
        (doc["fd"], doc["op_type"], doc["total"], doc.get("buyer_contact"))
        for doc in sim.archive
        if doc["type"] == "receipt"
    ]


@pytest.fixture
def gateway(tmp_path, sim):
    shop = Gateway(tmp_path, sim)
    shop.start()
    shop.writer.call(claim_store, STORE)
    shop.writer.call(builders.hire)
    catalog = builders.catalog(builders.simple_product("MUG", 10000))
    shop.writer.call(apply_catalog, parse_catalog_upsert(catalog))
    shop.writer.call(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=50)))
    for n in range(1, 6):  # the same buyer, the same mug: alike receipts, each its own
        shop.cloud.order(f"W-{n}", ("MUG", 1))
    yield shop
    shop.stop()


def pay(shop: Gateway, n: int) -> None:
    data = {"data": {"method": "card_online"}}
    result = shop.cloud.pay(f"W-{n}", PRICE, f"pay-{n}", msg_id=f"paid-{n}", **data)
    assert result["outcome"] == "applied", result


def refund(shop: Gateway, n: int) -> None:
    result = shop.cloud.refund(f"W-{n}", PRICE, f"pay-{n}", msg_id=f"refunded-{n}")
    assert result["outcome"] == "applied", result


def test_payments_resent_after_a_restore_are_not_fiscalised_twice(gateway, sim, tmp_path):
    pay(gateway, 1)
    gateway.settled(1)
    gateway.storegw("backup", tmp_path / "b1.db")
    for n in (2, 3, 4):  # fiscalised after the backup: only the drive remembers them now
        pay(gateway, n)
    refund(gateway, 2)
    before_restore = gateway.settled(5)
    signed = receipts(sim)
    assert len(signed) == 5
    gateway.stop()
    gateway.storegw("restore", tmp_path / "b1.db")
    gateway.start()
    assert len(gateway.jobs()) == 1  # the backup knows only the first payment

    for n in (2, 3, 4):  # sync.resend: the same messages again
        pay(gateway, n)
    refund(gateway, 2)
    after = gateway.settled(5)

    assert receipts(sim) == signed  # nothing printed again
    assert after == before_restore  # each payment and the refund with its original FD and FP
    assert len({job[3] for job in after}) == 5


def test_a_new_payment_and_a_counter_sale_after_a_restore_still_print(gateway, sim, tmp_path):
    gateway.storegw("backup", tmp_path / "b1.db")
    pay(gateway, 1)  # after the backup
    gateway.settled(1)
    gateway.stop()
    gateway.storegw("restore", tmp_path / "b1.db")
    gateway.start()

    pay(gateway, 1)  # resent: found in the drive
    pay(gateway, 2)  # new, for the same mug to the same buyer: its own receipt
    sale = {"items": [{"sku": "MUG", "qty": 1}], "payment": {"card": PRICE}}
    gateway.writer.call(counter_sale, sale, by=CASHIER)
    jobs = gateway.settled(3)

    signed = receipts(sim)
    assert [(op, total) for _, op, total, _ in signed] == [(1, PRICE)] * 3
    assert [job[3] for job in jobs] == [fd for fd, *_ in signed]
