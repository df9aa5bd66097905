"""The asyncapi tests' back-office: `Cloud` sends messages to the real inbox service on a real
database, checking each against docs/asyncapi.yaml first, and `run_scenario` drives every inbound
type and every outbound type the code produces (receipts and shifts through the real fiscal
worker on the register simulator, a receiving and a stocktake through their services)."""

import json
import re
import time
from contextlib import closing

from drivers.fiscal import ShtrihM
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.receipt import Cashier
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.messages import INBOUND, MAX_MESSAGE_BYTES
from gateway.services.fiscal import counter_sale, refund
from gateway.services.inbox import receive_cloud_message
from gateway.services.orders import cancel_order, confirm_order, release_order_line, ship_order
from gateway.services.receiving import (
    post_receiving,
    resolve_unknown_code,
    scan_into_receiving,
    start_receiving,
)
from gateway.services.stock import correct_stock
from gateway.services.stocktake import apply_stocktake, scan_into_stocktake, start_stocktake
from simulators.fiscal_register import FiscalRegisterSimulator
from tests import builders
from tests.asyncapi_contract import ROOT, Contract
from tests.builders import CASHIER, MANAGER
from tests.conftest import Shop

PREFIX = "storegw/shop-001"
TS = "2026-11-27T10:00:00Z"
SUFFIX_OF = {type_: suffix for suffix, types in INBOUND.items() for type_ in types}
REFUSALS = ("message.rejected", "order.rejected")
# The simulated register answers at once: short link timeouts, and a deadline for the worker.
FISCAL_LINK = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01}
FISCAL_DEADLINE_S = 15.0
# Barcodes of the stockroom: TS-RED-M's unit and its box of 10 (catalog.upsert), a label the
# catalog does not know that a manager links to B at the receiving, and one nobody links.
TS_UNIT, TS_BOX = "4601234567893", "14601234567890"
NEW_LABEL, STRANGE_LABEL = "2000000000022", "2000000000015"


def types_the_code_publishes() -> set[str]:
    """Every outbound type written in the gateway package: outbox emits and built envelopes."""
    found = set()
    for path in (ROOT / "gateway").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bemit\(\s*"([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'\benvelope_bytes\(.*?"([a-z_]+\.[a-z_]+)"', text))
    return found


class Cloud:
    """Plays the back-office: numbers its messages, and checks each valid one against the
    document before the gateway gets it."""

    def __init__(self, shop: Shop, contract: Contract):
        self.shop, self.contract = shop, contract
        self.seq = 0
        self.count = 0
        self.accepted: set[str] = set()

    def envelope(self, type_: str, data, *, seq: int | bool = True, **fields) -> dict:
        self.count += 1
        message = {"v": 1, "id": f"cloud-{self.count}", "type": type_, "ts": TS, "data": data}
        if seq is True:
            self.seq += 1
            message["seq"] = self.seq
        elif seq:
            message["seq"] = seq
        return {**message, **fields}

    def deliver(self, message: dict | bytes, suffix: str | None = None) -> dict:
        payload = message if isinstance(message, bytes) else json.dumps(message).encode()
        suffix = suffix or SUFFIX_OF[message["type"]]
        return self.shop.run(receive_cloud_message, PREFIX, suffix, payload)

    def send(self, type_: str, data, **kwargs) -> dict:
        """A valid message: it validates, and the gateway applies it without refusing anything."""
        message = self.envelope(type_, data, **kwargs)
        self.contract.check(SUFFIX_OF[type_], message)
        before = len(self.shop.events())
        result = self.deliver(message)
        assert result["outcome"] == "applied", (type_, result)
        refusals = self.refusals_since(before)
        assert refusals == [], f"{type_} was refused: {refusals}"
        self.accepted.add(type_)
        return result

    def refused(
        self, message: dict | bytes, suffix: str | None = None, *, schema_valid: bool = False
    ) -> list[dict]:
        """A message the gateway must refuse: rejected whole, or one product/order of it.
        The document refuses it too, unless it breaks only what a schema cannot see (an
        unknown sku or order, the characteristic rules). Returns the refusals published."""
        if isinstance(message, dict):
            errors = self.contract.errors(suffix or SUFFIX_OF[message["type"]], message)
            assert bool(errors) is not schema_valid, errors or "the document accepts it"
        before = len(self.shop.events())
        result = self.deliver(message, suffix)
        refusals = self.refusals_since(before)
        assert refusals, f"not refused: {result}"
        return refusals

    def refusals_since(self, before: int) -> list[dict]:
        """The refusals among the outbox events after the first `before`."""
        return [e for e in self.shop.events()[before:] if e["type"] in REFUSALS]


def run_scenario(shop: Shop, contract: Contract) -> Cloud:
    """Every inbound type applied, every outbound type the code has produced."""
    cloud = Cloud(shop, contract)
    shop.run(builders.hire)  # the till's money moves are audited: the audit names staff rows
    tshirt = builders.product(
        "P-TS",
        [
            builders.variant(
                "TS-RED-M",
                129900,
                [{"code": TS_UNIT, "pack": 1}, {"code": TS_BOX, "pack": 10}],
                Цвет="красный",
                Размер="M",
            ),
            builders.variant("TS-RED-L", 129900, Цвет="красный", Размер="L"),
        ],
        ["Цвет", "Размер"],
    )
    low_a = builders.simple_product("A")
    low_a["variants"][0]["min_stock"] = 2  # contract 1.1: W-1 takes A to it (→ stock.low)
    cloud.send("catalog.upsert", builders.catalog(tshirt, low_a, builders.simple_product("B")))
    assert shop.level("TS-RED-M") is not None

    stock = builders.stock_set(A=5, B=2, **{"TS-RED-M": 3})
    stock["items"][0]["safety"] = 1  # the stock.set extension
    cloud.send("stock.set", stock)  # → stock.adjusted, stock.changed
    assert shop.level("A").on_hand == 5 and shop.level("A").safety == 1

    cloud.send("order.created", builders.order("W-1", ("A", 2)))  # → order.reserved reserved
    cloud.send("order.created", builders.order("W-2", ("B", 5)))  # → order.reserved short
    assert shop.order("W-1").status == "reserved" and shop.order("W-2").status == "short"
    cloud.send("stock.adjust", builders.stock_adjust(A=1, B=3))  # W-2 filled → reserved
    assert shop.order("W-2").status == "reserved"
    cloud.send("order.updated", builders.order("W-1", ("A", 3), version=2))
    assert shop.order("W-1").lines[0].qty_reserved == 3

    shop.run(confirm_order, "W-1", by=MANAGER)  # → order.confirmed
    shop.run(ship_order, "W-1", by=MANAGER, lines={"1": 1})  # → order.shipped (partial)
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    assert shop.order("W-1").needs_attention  # cancelled after a shipment: flagged
    shop.run(cancel_order, "W-2", by=MANAGER)  # → order.cancelled, plain
    assert shop.order("W-2").status == "cancelled"

    cloud.send("order.created", builders.order("W-6", ("TS-RED-M", 1)))
    run_the_register(shop)  # → receipt.fiscalized, shift.opened, shift.closed, …
    assert shop.order("W-6").status == "shipped"
    receive_and_count(shop)  # → receiving.posted, stock.adjusted stocktake, stock.changed
    shop.run(correct_stock, "B", on_hand=5, reason="damage", note="порван шов", by=MANAGER)
    cloud.send("order.created", builders.order("W-7", ("B", 1), ("TS-RED-M", 1)))
    shop.run(release_order_line, "W-7", "2", by=MANAGER, reason="no_show")  # → order.released

    cloud.send("cmd.resync", {})  # → stock.changed full
    cloud.send("sync.ack", {"through_seq": shop.events()[-1]["seq"]})
    assert cloud.send("cmd.replay", {"from_seq": 1})["replay_from"] == 1

    # A cloud seq gap: the later message waits and sync.resend asks for the missing one.
    missing = cloud.envelope("cmd.resync", {})
    later = cloud.envelope("stock.adjust", builders.stock_adjust(A=1))
    assert cloud.deliver(later)["outcome"] == "parked"
    assert shop.events()[-1]["type"] == "sync.resend"
    assert cloud.deliver(missing)["parked"] is False

    # Valid for the document, refused by the domain: unknown skus and orders, product rules.
    def domain_refuses(type_: str, data: dict) -> None:
        cloud.refused(cloud.envelope(type_, data, seq=False), schema_valid=True)

    domain_refuses("order.created", builders.order("W-3", ("NOPE", 1)))  # order.rejected
    bad_product = builders.product(
        "P-BAD", [builders.variant("BAD-1", Цвет="синий", Размер="S")], ["Цвет"]
    )
    domain_refuses("catalog.upsert", builders.catalog(bad_product))  # characteristics_mismatch
    domain_refuses("stock.set", builders.stock_set(NOPE=1))  # unknown_sku
    domain_refuses("stock.adjust", builders.stock_adjust(A=-100))  # negative_stock
    domain_refuses("order.cancelled", {"order_id": "W-404"})  # not_found
    domain_refuses("order.updated", builders.order("W-2", ("B", 1), version=9))  # cancelled
    # Refused by both at the envelope.
    cloud.refused(b"{not json", "in/orders")
    cloud.refused(b" " * (MAX_MESSAGE_BYTES + 1), "in/orders")
    wrong_v = cloud.envelope("order.created", builders.order("W-4", ("A", 1)), seq=False, v=2)
    cloud.refused(wrong_v)
    cloud.refused(cloud.envelope("order.exploded", {}, seq=False), "in/orders")
    misrouted = cloud.envelope("order.created", builders.order("W-5", ("A", 1)), seq=False)
    cloud.refused(misrouted, "in/stock")
    nameless = cloud.envelope("cmd.resync", {}, seq=False)
    del nameless["id"]
    cloud.refused(nameless, "in/cmd")
    return cloud


def run_the_register(shop: Shop) -> None:
    """The till, through the real fiscal worker printing on the register simulator: a shift
    opened at the register's own keyboard (→ shift.opened without a cashier), W-6 shipped with
    its receipt (→ order.shipped with receipt_id), a counter sale paid in cash with change and
    then refunded (→ stock.adjusted counter_sale and return, receipt.fiscalized sell and
    sell_refund), cash put in, the shift closed (→ shift.closed with its totals) and the next
    one opened through the gateway (→ shift.opened with a cashier)."""
    simulator = FiscalRegisterSimulator(archive_path=shop.db.path.parent / "fn-archive.json")
    port = simulator.start()
    try:
        keyboard = ShtrihM(port, settings=LinkSettings(**FISCAL_LINK))
        keyboard.open_shift(Cashier("Ольга"))  # before the gateway is connected: not its doing
        keyboard.close()
        writer = Writer(shop.db.path).start()
        worker = FiscalWorker(FiscalConfig(port=port, poll=0.2, **FISCAL_LINK), writer)
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
    assert [doc["type"] for doc in simulator.archive].count("receipt") == 3  # each printed once


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


def in_seq(shop: Shop) -> int:
    with closing(shop.db.reader()) as conn:
        row = conn.execute("SELECT value FROM counter WHERE name = 'in_seq'").fetchone()
    return row[0] if row else 0
