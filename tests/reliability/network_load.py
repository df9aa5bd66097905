"""The two sides that never stop during the network campaign: the shop selling at the counter
through the staff API (HTTP, a cashier's token), and the cloud sending web orders, cancels and
stock deliveries. Each keeps what its sender was told, for the observers to check afterwards."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import httpx

from tests import builders

SKUS = ("N0", "N1", "N2", "N3")
START_STOCK = 400  # each sku; deliveries from the cloud keep it above what sales take


class Background:
    """`_loop` in a daemon thread from start() until stop() sets `_stop` (the dataclasses
    below hold both fields)."""

    _stop: threading.Event
    _thread: threading.Thread | None

    def start(self):
        self._thread = threading.Thread(target=self._loop, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        raise NotImplementedError


@dataclass
class ShopSales(Background):
    """Counter sales, one unit each, about `per_second` of them."""

    url: str
    token: str
    per_second: float
    seed: int
    receipts: list[int] = field(default_factory=list)  # acknowledged sales (their receipt job)
    refused: int = 0  # 4xx: e.g. the books say the shelf is empty
    failed: int = 0  # no answer or 5xx
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _loop(self) -> None:
        rng = random.Random(self.seed)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
            n = 0
            while not self._stop.wait(rng.expovariate(self.per_second)):
                n += 1
                body = {"items": [{"sku": rng.choice(SKUS), "qty": 1}], "payment": "cash"}
                body["idem_key"] = f"sale-{self.seed}-{n}"
                try:
                    answer = client.post("/api/sales", json=body)
                except httpx.HTTPError:
                    self.failed += 1
                    continue
                if answer.status_code == 200:
                    self.receipts.append(answer.json()["receipt_id"])
                elif answer.status_code < 500:
                    self.refused += 1
                else:
                    self.failed += 1


@dataclass
class CloudTraffic(Background):
    """Web orders (one unit), a cancel for every third, a stock delivery every fifth message."""

    cloud: object  # simulators.backoffice.cloud.Cloud
    per_second: float
    seed: int
    orders: list[str] = field(default_factory=list)
    cancelled: set[str] = field(default_factory=set)
    deliveries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the loop and burst()
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def burst(self, count: int) -> None:
        """`count` orders at once (the broker's queue for an offline gateway overflows)."""
        rng = random.Random(self.seed + len(self.orders))
        for _ in range(count):
            self.step(rng, order_only=True)

    def _loop(self) -> None:
        rng = random.Random(self.seed)
        while not self._stop.wait(rng.expovariate(self.per_second)):
            self.step(rng)

    def step(self, rng: random.Random, *, order_only: bool = False) -> None:
        kind = 1.0 if order_only else rng.random()
        with self._lock:
            if kind < 0.2:
                sku = rng.choice(SKUS)
                self.cloud.send("stock.adjust", builders.stock_adjust(**{sku: 6}))
                self.deliveries += 1
            elif kind < 0.4 and len(self.orders) > 5:
                order_id = rng.choice(self.orders)
                if order_id not in self.cancelled:
                    self.cloud.send("order.cancelled", {"order_id": order_id, "reason": "customer"})
                    self.cancelled.add(order_id)
            else:
                order_id = f"W-{self.seed}-{len(self.orders) + 1}"
                self.cloud.send("order.created", builders.order(order_id, (rng.choice(SKUS), 1)))
                self.orders.append(order_id)
