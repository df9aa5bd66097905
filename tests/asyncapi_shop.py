"""The asyncapi scenario's shop floor (tests/asyncapi_cloud.py `run_scenario`): the till through
the real fiscal worker printing on the register simulator, and the stockroom through the
receiving and stocktake services."""

import time
from contextlib import closing

from drivers.fiscal import ShtrihM
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.receipt import Cashier
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.services.fiscal import counter_sale
from gateway.services.orders import ship_order
from gateway.services.receiving import (
    post_receiving,
    resolve_unknown_code,
    scan_into_receiving,
    start_receiving,
)
from gateway.services.refunds import refund
from gateway.services.stocktake import apply_stocktake, scan_into_stocktake, start_stocktake
from simulators.fiscal_register import FiscalRegisterSimulator
from tests.builders import CASHIER, MANAGER
from tests.conftest import Shop

# The simulated register answers at once: short link timeouts, and a deadline for the worker.
FISCAL_LINK = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01}
FISCAL_DEADLINE_S = 15.0
# Barcodes of the stockroom: TS-RED-M's unit and its box of 10 (catalog.upsert), a label the
# catalog does not know that a manager links to B at the receiving, and one nobody links.
TS_UNIT, TS_BOX = "4601234567893", "14601234567890"
NEW_LABEL, STRANGE_LABEL = "2000000000022", "2000000000015"
SITE = "shop.example.ru"  # [fiscal] site: the settlement place of payments on the site (1187)
PAID_AT = "2026-11-27T10:05:00Z"


def paid(order_id: str, payment_id: str, amount: int = 10000) -> dict:
    return {"order_id": order_id, "payment_id": payment_id, "amount": amount,
            "method": "card_online", "paid_at": PAID_AT}  # fmt: skip


def run_the_register(shop: Shop, cloud) -> None:
    """The till, through the real fiscal worker printing on the register simulator: a shift
    opened at the register's own keyboard (→ shift.opened without a cashier), W-6 shipped with
    its receipt (→ order.shipped with receipt_id), a counter sale paid in cash with change and
    then refunded (→ stock.adjusted counter_sale and return, receipt.fiscalized sell and
    sell_refund), W-8 paid on the site (→ receipt.fiscalized prepayment) and handed over
    (→ a sell paid by the prepayment), W-9 paid, cancelled and its money given back
    (→ prepayment_refund), cash put in, the shift closed (→ shift.closed with its totals) and
    the next one opened through the gateway (→ shift.opened with a cashier). `cloud`: the
    scenario's Cloud (tests/asyncapi_cloud.py)."""
    simulator = FiscalRegisterSimulator(archive_path=shop.db.path.parent / "fn-archive.json")
    port = simulator.start()
    try:
        keyboard = ShtrihM(port, settings=LinkSettings(**FISCAL_LINK))
        keyboard.open_shift(Cashier("Ольга"))  # before the gateway is connected: not its doing
        keyboard.close()
        writer = Writer(shop.db.path).start()
        config = FiscalConfig(port=port, poll=0.2, site=SITE, **FISCAL_LINK)
        worker = FiscalWorker(config, writer)
        writer.on_commit(worker.wake)  # as Gateway.start wires it: new jobs wake the worker
        worker.start()
        try:
            # W-6 was paid online: its receipt is settled by card whatever the till says.
            shipped = writer.call(ship_order, "W-6", by=CASHIER, receipt={"payment": "cash"})
            sale = writer.call(
                counter_sale,
                {"items": [{"sku": "A", "qty": 1}], "payment": {"cash": 15000}},
                by=CASHIER,
            )
            assert (shipped["receipt_id"], sale["change"]) == (1, 5000)
            wait_until_printed(shop, worker, 2)
            writer.call(refund, sale["receipt_id"], {}, by=MANAGER)  # all of it, back on the shelf
            wait_until_printed(shop, worker, 3)
            cloud.send("order.paid", paid("W-8", "pay-8"))
            wait_until_printed(shop, worker, 4)
            writer.call(ship_order, "W-8", by=CASHIER, receipt={"payment": "cash"})
            wait_until_printed(shop, worker, 5)
            cloud.send("order.paid", paid("W-9", "pay-9"))
            cloud.send("order.cancelled", {"order_id": "W-9", "reason": "customer"})
            back = {"order_id": "W-9", "payment_id": "pay-9", "amount": 10000,
                    "refunded_at": PAID_AT}  # fmt: skip
            cloud.send("order.refunded", back)
            wait_until_printed(shop, worker, 7)
            worker.request("cash_in", timeout=FISCAL_DEADLINE_S, amount=5000, by=CASHIER)
            drawer = simulator.cash_in_drawer
            closed = worker.request(
                "close_shift", timeout=FISCAL_DEADLINE_S, by=MANAGER, counted=4900
            )
            assert closed["totals"]["cash_in_drawer"] == drawer == 5000  # the register agrees
            worker.request("open_shift", timeout=FISCAL_DEADLINE_S, by=CASHIER)
        finally:
            worker.stop()
            writer.stop()
    finally:
        simulator.stop()
    assert [doc["type"] for doc in simulator.archive].count("receipt") == 7  # each printed once


def receive_and_count(shop: Shop) -> None:
    """The stockroom, through the real services: a delivery scanned into a receiving — a unit
    barcode, a box barcode, a label the catalog does not know (scanned twice) that a manager
    links to B at 6 a scan and teaches the catalog, and one nobody links — posted anyway
    (→ receiving.posted, stock.changed); then a count of TS-RED-M and B that finds less than
    the books, B counted through the label learned at the receiving (→ stock.adjusted
    stocktake, stock.changed)."""
    doc = shop.run(start_receiving, by=CASHIER, supplier_ref="УПД 118")["doc_id"]

    def receive(code: str, **kwargs) -> str:
        return shop.run(scan_into_receiving, doc, code, by=CASHIER, **kwargs)["outcome"]

    assert [receive(TS_UNIT), receive(TS_BOX)] == ["counted", "counted"]
    assert [receive(NEW_LABEL, qty=2), receive(STRANGE_LABEL)] == ["unknown", "unknown"]
    linked = shop.run(resolve_unknown_code, doc, NEW_LABEL, "B", by=MANAGER, pack=6)
    assert (linked["added"], linked["learned"]) == (12, True)
    books = {sku: shop.level(sku).on_hand for sku in ("TS-RED-M", "B")}
    shop.run(post_receiving, doc, by=MANAGER, allow_unresolved=True)  # STRANGE_LABEL stays out
    assert shop.level("TS-RED-M").on_hand == books["TS-RED-M"] + 11
    assert shop.level("B").on_hand == books["B"] + 12

    take = shop.run(start_stocktake, by=MANAGER, skus=["TS-RED-M", "B"])["take_id"]
    for code in (TS_BOX, NEW_LABEL):  # 10 of TS-RED-M, 6 of B (a barcode of B now)
        assert shop.run(scan_into_stocktake, take, code, by=CASHIER)["outcome"] == "counted"
    shop.run(apply_stocktake, take, by=MANAGER)
    assert (shop.level("TS-RED-M").on_hand, shop.level("B").on_hand) == (10, 6)


def wait_until_printed(shop: Shop, worker: FiscalWorker, count: int) -> None:
    """Until the first `count` receipt jobs (all there are) are fiscalised."""
    deadline = time.monotonic() + FISCAL_DEADLINE_S
    while True:
        with closing(shop.db.reader()) as conn:
            states = [r[0] for r in conn.execute("SELECT state FROM receipt_job ORDER BY id")]
        if states == ["done"] * count:
            return
        assert time.monotonic() < deadline, f"receipt jobs {states}; register {worker.snapshot()}"
        time.sleep(0.02)
