"""The asyncapi tests' back-office: `Cloud` sends messages to the real inbox service on a real
database, checking each against docs/asyncapi.yaml first, and `run_scenario` drives every inbound
type and every outbound type the code produces (receipts and shifts through the real fiscal
worker on the register simulator — payments on the site among them —, a receiving and a
stocktake through their services, the fiscal drive's health through its service)."""

import json
import re
from contextlib import closing

from gateway.adapters.fiscal.health_watch import record_reading
from gateway.domain.fiscal_health import DriveHealth
from gateway.domain.messages import INBOUND, MAX_MESSAGE_BYTES
from gateway.services.inbox import receive_cloud_message
from gateway.services.orders import cancel_order, confirm_order, release_order_line, ship_order
from gateway.services.stock import correct_stock
from tests import builders
from tests.asyncapi_contract import ROOT, Contract
from tests.asyncapi_shop import (  # noqa: F401 (NEW_LABEL, STRANGE_LABEL: for the tests)
    NEW_LABEL,
    PAID_AT,
    STRANGE_LABEL,
    TS_BOX,
    TS_UNIT,
    paid,
    receive_and_count,
    run_the_register,
)
from tests.builders import MANAGER
from tests.conftest import Shop

PREFIX = "storegw/shop-001"
TS = "2026-11-27T10:00:00Z"
SUFFIX_OF = {type_: suffix for suffix, types in INBOUND.items() for type_ in types}
REFUSALS = ("message.rejected", "order.rejected")


def types_the_code_publishes() -> set[str]:
    """Every outbound type written in the gateway package: outbox emits (of a literal, or of a
    module constant such as `ALARM_EVENT = "fiscal.alarm"`) and built envelopes."""
    found = set()
    for path in (ROOT / "gateway").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bemit\(\s*"([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'\benvelope_bytes\(.*?"([a-z_]+\.[a-z_]+)"', text))
        constants = dict(re.findall(r'^([A-Z_]+)\s*=\s*"([a-z_]+\.[a-z_]+)"', text, re.M))
        for name in re.findall(r"\bemit\(\s*([A-Z_]+)\b", text):
            found.add(constants[name])
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
    # Contract 1.1: orders to be paid on the site (order.paid, order.refunded in the till).
    cloud.send("order.created", builders.order("W-8", ("A", 1), paid=False))
    cloud.send("order.created", builders.order("W-9", ("A", 1), paid=False))
    run_the_register(shop, cloud)  # → receipt.fiscalized, shift.opened, shift.closed, …
    assert shop.order("W-6").status == "shipped" and shop.order("W-8").status == "shipped"
    # The fiscal drive's health (1.1): documents unsent for 8 days → fiscal.alarm ofd_queue.
    unsent = DriveHealth(
        fn="9999078902004321",
        unsent=2,
        first_unsent_fd=5,
        first_unsent_at="2026-11-19T10:00",
        transport_up=False,
        warnings=0,
        expires="2027-11-01",
        checked_at="2026-11-27T10:00",
    )
    assert [alarm["kind"] for alarm in shop.run(record_reading, unsent)] == ["ofd_queue"]
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
    # A cancel ahead of its order (DOMAIN.md edge 9) is kept, and applied right after it.
    cloud.send("order.cancelled", {"order_id": "W-early", "reason": "customer"}, seq=False)
    cloud.send("order.created", builders.order("W-early", ("B", 1)), seq=False)
    assert shop.order("W-early").status == "cancelled"
    domain_refuses("order.updated", builders.order("W-2", ("B", 1), version=9))  # cancelled
    domain_refuses("order.paid", paid("W-404", "pay-404"))  # payment_not_applicable
    refund_unknown = {"order_id": "W-9", "payment_id": "pay-404", "amount": 100,
                      "refunded_at": PAID_AT}  # fmt: skip
    domain_refuses("order.refunded", refund_unknown)  # payment_not_applicable
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


def in_seq(shop: Shop) -> int:
    with closing(shop.db.reader()) as conn:
        row = conn.execute("SELECT value FROM counter WHERE name = 'in_seq'").fetchone()
    return row[0] if row else 0
