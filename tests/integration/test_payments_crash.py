"""A payment on the site survives the gateway's death (issue 11): `storegw run` as a real process,
SIGKILLed between the payment and its receipt, then started again — the register simulator's
fiscal drive holds exactly one prepayment receipt in the end. Killed once before the register got
anything (its port not there yet), once while the register was signing the receipt (its answer
slow in coming: the job is `sending`, the drive has signed it; the restart must find it there
rather than print it again)."""

import signal
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from simulators.backoffice.cloud import Cloud
from tests import builders
from tests.clean_env import storegw_free_env
from tests.loopback import free_port

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
SITE = "shop.example.ru"
TOTAL = 90000  # W-1: two mugs at 450 ₽


def wait_until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Shop:
    """The gateway's database and config, its process (started, killed, started again), the
    back-office simulator and the register simulator."""

    def __init__(self, tmp_path: Path, broker_url: str, fiscal_port: Path | str):
        self.tmp, self.db = tmp_path, tmp_path / "gateway.db"
        self.store = f"shop-{uuid.uuid4().hex[:8]}"
        self.config = tmp_path / "gateway.toml"
        self.config.write_text(
            f'[store]\nid = "{self.store}"\n[mqtt]\nurl = "{broker_url}"\n'
            f'[database]\npath = "{self.db}"\n[web]\nlisten = "127.0.0.1:{free_port()}"\n'
            f'[fiscal]\nport = "{fiscal_port}"\nsite = "{SITE}"\npoll = 0.1\n'
            "control_timeout = 0.08\nbyte_timeout = 0.1\ntimeout_scale = 0.01\n",
            encoding="utf-8",
        )
        self.seed()
        self.proc: subprocess.Popen | None = None
        self.boots = 0
        self.cloud = Cloud(broker_url, self.store, gap_timeout=0.5)
        self.cloud.start()
        assert self.cloud.wait_connected(10)

    def seed(self) -> None:
        """The catalog, the stock and the order W-1 (to be paid on the site), as applied."""
        database = Database(self.db)
        try:
            mug = builders.product("P-MUG", [builders.variant("MUG", 45000)], [], name="Кружка")
            database.run(apply_catalog, parse_catalog_upsert(builders.catalog(mug)))
            database.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=5)))
            order = builders.order("W-1", ("MUG", 2), paid=False)
            order["lines"][0]["price"] = 45000
            database.run(create_order, order)
        finally:
            database.close()

    def start(self) -> None:
        log = (self.tmp / f"gateway-{self.boots}.log").open("wb")
        self.proc = subprocess.Popen(
            [str(STOREGW), "run", "--config", str(self.config)],
            cwd=self.tmp,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        self.boots += 1
        boot = self.boots

        def online(cloud: Cloud) -> bool:
            status = cloud.status or {}
            return status.get("online") is True and status.get("boot") == boot

        assert self.cloud.wait_for(online, 30), f"gateway boot {boot} never came online"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.cloud.stop()

    def pay(self) -> dict:
        data = {"order_id": "W-1", "payment_id": "pay-1", "amount": TOTAL,
                "method": "sbp", "paid_at": "2026-11-27T10:15:00Z"}  # fmt: skip
        return self.cloud.send("order.paid", data)

    def rows(self, sql: str) -> list[tuple]:
        with closing(open_connection(self.db, readonly=True)) as conn:
            return [tuple(row) for row in conn.execute(sql)]

    def jobs(self) -> list[tuple]:
        return self.rows("SELECT receipt_kind, state, payment_id, fd FROM receipt_job ORDER BY id")


def receipts(sim) -> list[dict]:
    return [doc for doc in sim.archive if doc["type"] == "receipt"]


def finish_and_check(shop: Shop, sim) -> None:
    """After the restart: one prepayment receipt, fiscalised, announced to the cloud once —
    and the cloud's retry of the same payment changes nothing."""
    wait_until(lambda: [j[1] for j in shop.jobs()] == ["done"], "the receipt job done", 30)
    shop.pay()  # the cloud was never sure: it sends the payment again (a new message id)
    time.sleep(1.0)
    [(kind, state, payment_id, fd)] = shop.jobs()
    assert (kind, state, payment_id) == ("prepayment", "done", "pay-1")
    [doc] = receipts(sim)
    assert (doc["fd"], doc["op_type"], doc["total"], doc["printed"]) == (fd, 1, TOTAL, False)
    assert doc["internet"] is True and doc["place"] == SITE
    assert {item["payment_method"] for item in doc["items"]} == {1}
    assert shop.rows("SELECT count(*) FROM order_payment") == [(1,)]

    def announced() -> list[dict]:
        return [e for e in shop.cloud.events() if e["type"] == "receipt.fiscalized"]

    wait_until(lambda: announced(), "receipt.fiscalized at the cloud")
    time.sleep(0.5)
    assert [(e["data"]["kind"], e["data"]["fiscal"]["fd"]) for e in announced()] == [
        ("prepayment", fd)
    ]
    assert shop.cloud.rejected == []


def test_killed_before_the_register_got_the_receipt(tmp_path, broker, sim):
    port = tmp_path / "ttyFR"  # the register's port: not there while the first gateway runs
    shop = Shop(tmp_path, broker.url, port)
    try:
        shop.start()
        shop.pay()
        wait_until(lambda: shop.rows("SELECT count(*) FROM order_payment") == [(1,)], "paid")
        assert [(j[0], j[1]) for j in shop.jobs()] == [("prepayment", "queued")]
        shop.kill()  # the payment and its receipt job are committed; no byte went out
        assert receipts(sim) == []
        port.symlink_to(sim.slave_path)  # the register is plugged in
        shop.start()
        finish_and_check(shop, sim)
    finally:
        shop.stop()


def test_killed_while_the_register_signed_the_receipt(tmp_path, broker, sim):
    sim.inject("slow_answer", command=0xFF45, seconds=3.0)  # signed at once, answered late
    shop = Shop(tmp_path, broker.url, sim.slave_path)
    try:
        shop.start()
        shop.pay()
        wait_until(
            lambda: [j[1] for j in shop.jobs()] == ["sending"] and len(receipts(sim)) == 1,
            "the receipt signed by the drive while the gateway waits for the answer",
        )
        shop.kill()
        time.sleep(3.5)  # the late answer goes out to nobody
        shop.start()  # the job is `sending`: reconciled with the drive, never printed again
        finish_and_check(shop, sim)
    finally:
        shop.stop()
