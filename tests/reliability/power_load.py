"""The mixed load of the power-cut campaign: a tablet on the staff API and the cloud's web shop,
each in its own thread, while the harness SIGKILLs the gateway under them.

The tablet retries like a real one: a request that got no answer (connection refused or cut,
a 5xx) is sent again with the SAME idempotency key until it gets one, so a request committed
just before a kill is answered by its replay. What counts as acknowledged:
- a staff API request: a 2xx the tablet received (a replay included);
- a web order: the cloud received the gateway's order.reserved or order.rejected for it;
- a web cancel: the cloud received the gateway's order.cancelled for it."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests import builders
from tests.reliability.power_shop import BOX, SKUS, Shop, barcode

GIVE_UP = 120.0  # seconds one request may go unanswered (the gateway is restarted meanwhile)
RETRY_PAUSE = 0.05


@dataclass
class Op:
    """One staff API request: its kind, its idempotency key, what it is about."""

    kind: str  # sale | slip | ship | receiving | scan | post
    key: str
    about: dict = field(default_factory=dict)
    status: int | None = None  # the answer's HTTP status, once there is one
    answer: dict = field(default_factory=dict)
    sends: int = 0

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Unanswered(AssertionError):
    pass


class Tablet:
    """A manager's tablet (an API token): counter sales, pick slips and shipments of the web
    orders the cloud saw reserved, receiving by scan."""

    def __init__(self, shop: Shop, seed: int):
        self.shop, self.rng = shop, random.Random(seed)
        self.client = httpx.Client(
            base_url=shop.url, headers={"Authorization": f"Bearer {shop.token}"}, timeout=10
        )
        self.ops: list[Op] = []
        self.in_flight: Op | None = None
        self.server_errors = 0
        self.shipped: set[str] = set()
        self.receiving: str | None = None  # the open receiving document
        self.scanned: dict[str, int] = dict.fromkeys(SKUS, 0)  # units sent in scans, any answer
        self.counter = 0

    def run(self, stop: threading.Event, orders_to_ship) -> None:
        while not stop.is_set():
            roll = self.rng.random()
            order = orders_to_ship(self.shipped) if roll < 0.35 else None
            if order is not None:
                self.ship(order)
            elif roll < 0.75:
                self.sell()
            else:
                self.receive()
            time.sleep(self.rng.uniform(0.0, 0.1))

    # the shop floor ---------------------------------------------------------------------------
    def sell(self) -> None:
        n = self.next()
        body = {
            "items": [{"sku": self.rng.choice(SKUS), "qty": 1}],
            "payment": self.rng.choice(("card", "cash")),
            "contact": f"sale-{n}@example.ru",  # names the sale's receipt in the register
        }
        self.send(Op("sale", f"sale-{n}", body), "/api/sales", body)

    def ship(self, order_id: str) -> None:
        self.shipped.add(order_id)
        slip = Op("slip", f"slip-{order_id}", {"order_id": order_id})
        self.send(slip, f"/api/print/pick-slip/{order_id}", {})
        receipt = {"payment": "card", "contact": f"ship-{order_id}@example.ru"}
        ship = Op("ship", f"ship-{order_id}", {"order_id": order_id, "receipt": receipt})
        self.send(ship, f"/api/orders/{order_id}/ship", {"receipt": receipt})

    def receive(self) -> None:
        if self.receiving is None:
            opened = self.send(Op("receiving", f"receiving-{self.next()}"), "/api/receivings", {})
            if not opened.acked:
                return
            self.receiving = opened.answer["doc_id"]
        doc, sku, units = self.receiving, self.rng.choice(SKUS), self.rng.choice((1, BOX))
        self.scanned[sku] += units
        scan = Op("scan", f"scan-{self.next()}", {"doc": doc, "sku": sku, "units": units})
        self.send(scan, f"/api/receivings/{doc}/scan", {"code": barcode(sku, units)})
        if self.rng.random() < 0.25:
            self.send(Op("post", f"post-{doc}", {"doc": doc}), f"/api/receivings/{doc}/post", {})
            self.receiving = None

    def next(self) -> int:
        self.counter += 1
        return self.counter

    # the wire ---------------------------------------------------------------------------------
    def send(self, op: Op, path: str, body: dict) -> Op:
        """POST until answered (a kill in between: the same key again); a 4xx is an answer."""
        self.ops.append(op)
        self.in_flight = op
        deadline = time.monotonic() + GIVE_UP
        while True:
            op.sends += 1
            try:
                answer = self.client.post(path, json={**body, "idem_key": op.key})
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code < 500:
                op.status, op.answer = answer.status_code, _json(answer)
                self.in_flight = None
                return op
            if answer is not None:
                self.server_errors += 1
            if time.monotonic() > deadline:
                raise Unanswered(f"{op.kind} {op.key}: no answer in {GIVE_UP:.0f} s")
            time.sleep(RETRY_PAUSE)

    def close(self) -> None:
        self.client.close()


def _json(answer: httpx.Response) -> dict:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}


class WebShop:
    """The cloud's side: web orders (one or two lines), a third of them cancelled by the
    customer once the gateway answered, and any the shop could not wholly reserve (the customer
    does not wait); the rest are the tablet's to ship once reserved."""

    def __init__(self, cloud, seed: int):
        self.cloud, self.rng = cloud, random.Random(seed)
        self.sent: list[str] = []
        self.to_cancel: list[str] = []
        self.cancelled: list[str] = []

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.rng.uniform(0.15, 0.6)):
            self.place()
            self.cancel_answered()

    def place(self) -> None:
        order_id = f"W-{len(self.sent) + 1}"
        skus = self.rng.sample(SKUS, self.rng.randint(1, 2))
        lines = [(sku, self.rng.randint(1, 2)) for sku in skus]
        self.cloud.send("order.created", builders.order(order_id, *lines))
        self.sent.append(order_id)
        if len(self.sent) % 3 == 0:
            self.to_cancel.append(order_id)

    def cancel_answered(self) -> None:
        answered = self.cloud.first_status
        self.to_cancel += [
            o for o in self.sent[-20:]
            if answered.get(o) == "short" and o not in self.to_cancel and o not in self.cancelled
        ]  # fmt: skip
        for order_id in [o for o in self.to_cancel if o in answered]:
            self.to_cancel.remove(order_id)
            self.cloud.send("order.cancelled", {"order_id": order_id, "reason": "customer"})
            self.cancelled.append(order_id)

    def ready_to_ship(self, taken: set[str]) -> str | None:
        """The oldest order the cloud saw wholly reserved that nobody cancels or ships yet."""
        seen, first = self.cloud.orders, self.cloud.first_status
        for order_id in self.sent:
            # Not one the customer cancels: every third, and every one that went short.
            mine = int(order_id[2:]) % 3 != 0 and first.get(order_id) == "reserved"
            if mine and seen.get(order_id) == "reserved" and order_id not in taken:
                return order_id
        return None

    def acknowledged(self) -> tuple[list[str], list[str]]:
        """(orders the gateway answered, cancels it confirmed), as the cloud saw them."""
        answered, seen = self.cloud.first_status, self.cloud.orders
        return (
            [o for o in self.sent if o in answered],
            [o for o in self.cancelled if seen.get(o) == "cancelled"],
        )
