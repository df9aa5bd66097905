"""The trading day's work (tests/reliability/trading_day.py), as staff and the web shop do it:
the cloud sends web orders (and cancels some), the order desk ships and cancels over the staff
API, the tills sell, the back room receives deliveries by scan and counts a shelf, the desk
prints pick slips and shelf labels. Every answer is kept by this side, so the verdict compares
what the gateway acknowledged with what the observers saw."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from gateway.domain.staff import CASHIER, MANAGER
from simulators.scanner.codes import gtin
from tests import builders
from tests.reliability.trading_day_shop import Shop, ShopError

SKUS = 300  # the shop's range: one EAN-13 each
ON_HAND = 400  # units of each sku at opening: the day never runs a sku dry
TILLS = 4  # staff working at once: two tills, the order desk, the back room
ANSWER_TIMEOUT_S = 60.0
PRINTING = ("print_job", "receiving_posted")  # posting a receiving prints its report


def sku(n: int) -> str:
    return f"TD{n:04d}"


def barcode(n: int) -> str:
    return gtin(f"460{n:09d}")


def catalog() -> dict:
    products = [
        builders.product(
            f"P-{sku(n)}", [builders.variant(sku(n), 5_000 + 10 * n, [{"code": barcode(n)}])], []
        )
        for n in range(SKUS)
    ]
    return builders.catalog(*products)


@dataclass
class Tally:
    """What the gateway acknowledged (2xx), by kind; what it refused; what it failed on (5xx)."""

    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    receipt_ids: set[int] = field(default_factory=set)  # sell receipts queued (sales, shipments)
    shipped: set[str] = field(default_factory=set)
    cancelled_at_desk: set[str] = field(default_factory=set)
    cancelled_by_cloud: set[str] = field(default_factory=set)
    orders_sent: list[str] = field(default_factory=list)
    receivings: set[str] = field(default_factory=set)
    printed: int = 0  # print jobs queued: pick slips, labels, receiving reports


@dataclass
class DayPlan:
    """One day's amounts (a busy shop's day times the load factor)."""

    web_orders: int
    counter_sales: int
    receivings: int
    scans_per_receiving: int
    stocktakes: int
    skus_per_stocktake: int
    labels: int


class Day:
    def __init__(self, shop: Shop, plan: DayPlan, seed: int):
        self.shop, self.plan = shop, plan
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.next_order = 0
        self.waiting: list[str] = []  # web orders the cloud sent, not yet handled at the desk
        self.one_stocktake = threading.Lock()  # the gateway counts one stocktake at a time
        self.lock = threading.Lock()  # the staff's threads share the tally
        # The same tablets all day (each worker thread signs in once per role).
        self.staff = ThreadPoolExecutor(TILLS, thread_name_prefix="staff")

    # the staff API ---------------------------------------------------------------------------
    def call(self, kind: str, role: str, path: str, body: dict | None = None) -> dict | None:
        return self.tallied(kind, path, self.shop.api(role).post(path, json=body or {}))

    def tallied(self, kind: str, path: str, answer) -> dict | None:
        with self.lock:
            if answer.status_code >= 500:
                self.tally.server_errors.append(f"{path}: {answer.status_code} {answer.text[:200]}")
                return None
            if answer.status_code >= 300:
                self.tally.refused[f"{kind}:{answer.json().get('error')}"] += 1
                return None
            self.tally.done[kind] += 1
            if kind in PRINTING:
                self.tally.printed += 1
        return answer.json()

    # the day in slices -------------------------------------------------------------------------
    def open_shop(self) -> None:
        self.shop.cloud.send("catalog.upsert", catalog())
        self.shop.cloud.send(
            "stock.set", builders.stock_set(**{sku(n): ON_HAND for n in range(SKUS)})
        )
        if self.call("shift_open", CASHIER, "/api/fiscal/open-shift") is None:
            raise ShopError(f"the shift did not open: {self.tally}")

    def slice(self, done_before: float, done_after: float) -> None:
        """The day's work from `done_before` to `done_after` (fractions of the day), interleaved
        as a shop floor interleaves it."""
        plan, tasks = self.plan, []

        def share(total: int) -> int:
            return round(total * done_after) - round(total * done_before)

        self.send_orders(share(plan.web_orders))  # handled in the same slice: every slice has
        self.handle_waiting(tasks)  # the same mix of work, the warm-up too
        tasks += [self.sell] * share(plan.counter_sales)
        tasks += [self.receive] * share(plan.receivings)
        tasks += [self.count_shelf] * share(plan.stocktakes)
        tasks += [self.print_label] * share(plan.labels)
        self.rng.shuffle(tasks)
        # Each task its own random stream, drawn here: the same seed makes the same day.
        streams = [random.Random(self.rng.getrandbits(64)) for _ in tasks]
        for done in [
            self.staff.submit(task, rng) for task, rng in zip(tasks, streams, strict=True)
        ]:
            done.result()
        self.shop.alive()

    def close_shop(self) -> None:
        """Once the last receipt is printed, the drawer is counted and the shift closed."""
        self.staff.shutdown()
        self.shop.wait_quiet()
        counted = self.shop.register.cash_in_drawer  # the manager counts the real drawer
        closed = self.call("shift_close", MANAGER, "/api/fiscal/close-shift", {"counted": counted})
        if closed is None:
            raise ShopError(f"the shift did not close: {self.tally.refused}")

    # web orders ----------------------------------------------------------------------------------
    def send_orders(self, count: int) -> None:
        for _ in range(count):
            order_id = f"W-{self.next_order:06d}"
            self.next_order += 1
            lines = [
                (sku(self.rng.randrange(SKUS)), self.rng.randint(1, 2))
                for _ in range(self.rng.randint(1, 3))
            ]
            distinct = dict(lines)  # one line per sku
            self.shop.cloud.send(
                "order.created", builders.order(order_id, *distinct.items(), paid=False)
            )
            self.tally.orders_sent.append(order_id)
            self.waiting.append(order_id)

    def handle_waiting(self, tasks: list) -> None:
        """Orders the cloud sent, once the gateway answered: 10 % cancelled by the buyer on the
        site, 5 % by the manager (no-show), a few left for tomorrow, the rest shipped (a third
        with a pick slip)."""
        cloud = self.shop.cloud
        waiting, self.waiting = self.waiting, []
        if not cloud.wait_for(
            lambda c: all(o in c.first_status for o in waiting), ANSWER_TIMEOUT_S
        ):
            raise ShopError("the gateway did not answer the cloud's orders")
        for order_id in waiting:
            roll = self.rng.random()
            if roll < 0.10:
                cloud.send("order.cancelled", {"order_id": order_id, "reason": "customer"})
                self.tally.cancelled_by_cloud.add(order_id)
            elif roll < 0.15:
                tasks.append(lambda _rng, o=order_id: self.cancel(o))
            elif roll < 0.19:
                continue
            else:
                tasks.append(lambda rng, o=order_id: self.ship(o, rng))

    def ship(self, order_id: str, rng: random.Random) -> None:
        if rng.random() < 1 / 3:
            self.print_job(f"/api/print/pick-slip/{order_id}")
        payment = rng.choice(("cash", "card"))
        body = {"receipt": {"payment": payment}, "idem_key": f"ship-{order_id}"}
        shipped = self.call("order_shipped", CASHIER, f"/api/orders/{order_id}/ship", body)
        if shipped is not None:
            self.tally.shipped.add(order_id)
            self.note_receipt(shipped)

    def cancel(self, order_id: str) -> None:
        body = {"reason": "no_show", "idem_key": f"cancel-{order_id}"}
        if self.call("order_cancelled", MANAGER, f"/api/orders/{order_id}/cancel", body):
            self.tally.cancelled_at_desk.add(order_id)

    # the tills -----------------------------------------------------------------------------------
    def sell(self, rng: random.Random) -> None:
        items = {sku(rng.randrange(SKUS)): rng.randint(1, 2) for _ in range(rng.randint(1, 3))}
        body = {
            "items": [{"sku": s, "qty": q} for s, q in items.items()],
            "payment": rng.choice(("cash", "card")),
            "idem_key": f"sale-{rng.getrandbits(64):x}",
        }
        sold = self.call("counter_sale", CASHIER, "/api/sales", body)
        if sold is not None:
            self.note_receipt(sold)

    def note_receipt(self, answer: dict) -> None:
        receipt_id = answer.get("receipt_id")
        if not isinstance(receipt_id, int):
            raise ShopError(f"an answer without its receipt: {answer}")
        self.tally.receipt_ids.add(receipt_id)

    # the back room ----------------------------------------------------------------------------
    def receive(self, rng: random.Random) -> None:
        doc = self.call("receiving_started", CASHIER, "/api/receivings", {"supplier_ref": "ТН"})
        if doc is None:
            return
        path = f"/api/receivings/{doc['doc_id']}"
        delivery = rng.sample(range(SKUS), 5)
        for _ in range(self.plan.scans_per_receiving):
            self.call("scan", CASHIER, f"{path}/scan", {"code": barcode(rng.choice(delivery))})
        if self.call(
            "receiving_posted", CASHIER, f"{path}/post", {"idem_key": f"post-{doc['doc_id']}"}
        ):
            self.tally.receivings.add(doc["doc_id"])

    def count_shelf(self, rng: random.Random) -> None:
        """A shelf counted: a few units found missing on some skus, the rest as the books say."""
        with self.one_stocktake:
            self._count_shelf(rng)

    def _count_shelf(self, rng: random.Random) -> None:
        shelf = [sku(n) for n in rng.sample(range(SKUS), self.plan.skus_per_stocktake)]
        take = self.call("stocktake_started", MANAGER, "/api/stocktakes", {"skus": shelf})
        if take is None:
            return
        take_id = take["take_id"]
        api = self.shop.api(MANAGER)
        for item in shelf:
            book = api.get(f"/api/stock/{item}").json()["on_hand"]
            counted = max(0, book - (rng.random() < 0.2))
            self.call(
                "count",
                MANAGER,
                f"/api/stocktakes/{take_id}/count",
                {"sku": item, "counted": counted},
            )
        # Applying names the orders that lose reserve, as the report showed them; an order that
        # arrives meanwhile changes the list: the refusal gives the new one to confirm again.
        path = f"/api/stocktakes/{take_id}/apply"
        seen = api.get(f"/api/stocktakes/{take_id}").json()["reserve_orders"]
        for _ in range(5):
            answer = api.post(path, json={"reserve_orders": seen})
            if answer.status_code != 409 or answer.json().get("error") != "reserve_orders_changed":
                break
            seen = answer.json()["orders"]
        self.tallied("stocktake_applied", path, answer)

    # printing -------------------------------------------------------------------------------------
    def print_label(self, rng: random.Random) -> None:
        self.print_job(f"/api/print/label/{sku(rng.randrange(SKUS))}")

    def print_job(self, path: str) -> None:
        self.call("print_job", CASHIER, path)

    def operations(self) -> int:
        """Everything acknowledged so far: the staff's 2xx answers and the cloud's orders."""
        return sum(self.tally.done.values()) + len(self.tally.orders_sent)

    def reading(self) -> dict[str, int]:
        """The gateway's resources at a quiet moment, with the work done by then."""
        self.shop.wait_quiet()
        return {**self.shop.resources(), "operations": self.operations()}
