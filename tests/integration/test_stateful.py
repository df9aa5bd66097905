"""Hypothesis stateful test of the reservation engine (DOMAIN.md, "Suggested testing technique").

Random sequences of catalog updates, orders, edits, confirms, ships, cancels, receipts,
corrections and repeated commands. After every step: the invariant checker finds nothing, no
open order is short of a sku that has free stock (first come, first served is complete), and a
refused command changed nothing at all."""

import os
import shutil
import tempfile
from contextlib import closing

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import DomainError
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.order_edits import edit_order
from gateway.services.orders import cancel_order, confirm_order, create_order, ship_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER, MANAGER

SIMPLE = ["A", "B", "C"]
SIZES = {"TS-M": "M", "TS-L": "L"}
SKUS = SIMPLE + list(SIZES)
ANY_SKU = st.sampled_from([*SKUS, "UNKNOWN"])
QTY = st.integers(min_value=1, max_value=4)
LINES = st.lists(st.tuples(ANY_SKU, QTY), min_size=1, max_size=3)
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None  # fsync-free: the logic is tested


def shirt(archived: bool = False, price: int = 100) -> dict:
    variants = [builders.variant(sku, price, Размер=size) for sku, size in SIZES.items()]
    return builders.product("P-TS", variants, archived=archived)


class ReservationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(dir=SCRATCH)
        self.db = Database(os.path.join(self.dir, "g.db"))
        products = [builders.simple_product(sku) for sku in SIMPLE] + [shirt()]
        self.db.run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
        initial = builders.stock_set(**dict.fromkeys(SKUS, 3))
        self.db.run(apply_stock_change, parse_stock_change("set", initial))
        self.orders: list[str] = []
        self.versions: dict[str, int] = {}
        self.last_keyed: tuple | None = None
        self.keys = 0

    def teardown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def snapshot(self):
        with closing(self.db.reader()) as conn:
            return [
                conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("stock_level", "order_line", "customer_order", "outbox")
            ]

    def attempt(self, command, *args, **kwargs):
        """Run a command; if it is refused, nothing at all may have changed."""
        before = self.snapshot()
        try:
            return self.db.run(command, *args, **kwargs)
        except DomainError:
            assert self.snapshot() == before, f"{command.__name__} was refused but changed data"
            return None

    def keyed(self, command, *args, **kwargs):
        self.keys += 1
        kwargs["idem_key"] = f"key-{self.keys}"
        self.last_keyed = (command, args, kwargs, self.attempt(command, *args, **kwargs))

    # --- rules -----------------------------------------------------------------------------

    @rule(stock=st.dictionaries(st.sampled_from(SKUS), st.integers(0, 8), min_size=1))
    def count_or_cloud_set(self, stock):
        self.attempt(apply_stock_change, parse_stock_change("set", builders.stock_set(**stock)))

    @rule(sku=st.sampled_from(SKUS), delta=st.integers(-4, 6).filter(bool))
    def receive_or_write_off(self, sku, delta):
        change = parse_stock_change("adjust", builders.stock_adjust(**{sku: delta}))
        self.attempt(apply_stock_change, change)

    @rule(sku=st.sampled_from(SKUS), on_hand=st.integers(0, 8), safety=st.integers(0, 3))
    def set_safety(self, sku, on_hand, safety):
        data = {"reason": "safety", "items": [{"sku": sku, "on_hand": on_hand, "safety": safety}]}
        self.attempt(apply_stock_change, parse_stock_change("set", data))

    @rule(lines=LINES, repeat=st.booleans())
    def place_order(self, lines, repeat):
        order_id = self.orders[-1] if repeat and self.orders else f"W-{len(self.orders) + 1}"
        result = self.attempt(create_order, builders.order(order_id, *lines))
        if result and result["status"] != "rejected" and not result.get("duplicate"):
            self.orders.append(order_id)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), lines=LINES, stale=st.booleans())
    def edit(self, data, lines, stale):
        order_id = data.draw(st.sampled_from(self.orders))
        version = self.versions.get(order_id, 0) + (0 if stale else 1)
        body = builders.order(order_id, *lines) | {"version": version}
        if self.attempt(edit_order, body) is not None and not stale:
            self.versions[order_id] = version

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def confirm(self, data):
        self.attempt(confirm_order, data.draw(st.sampled_from(self.orders)), by=CASHIER)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), qty=st.one_of(st.none(), QTY))
    def ship(self, data, qty):
        order_id = data.draw(st.sampled_from(self.orders))
        lines = None if qty is None else {"1": qty}
        self.keyed(ship_order, order_id, by=CASHIER, lines=lines)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data):
        self.keyed(cancel_order, data.draw(st.sampled_from(self.orders)), by=MANAGER)

    @precondition(lambda self: self.last_keyed is not None)
    @rule()
    def repeat_last_tap(self):
        """A double tap or a retry after a LAN drop: same key, same result, nothing new."""
        command, args, kwargs, first = self.last_keyed
        before = self.snapshot()
        again = self.attempt(command, *args, **kwargs)
        if first is not None:
            assert again == {**first, "replayed": True}
            assert self.snapshot() == before

    @rule(archived=st.booleans(), price=st.integers(0, 500), full=st.booleans())
    def catalog_update(self, archived, price, full):
        products = [shirt(archived, price)]
        if not full:
            products.append(builders.simple_product("A", price))
        upsert = parse_catalog_upsert(builders.catalog(*products, full=full))
        self.attempt(apply_catalog, upsert)

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def checker_finds_nothing(self):
        with closing(self.db.reader()) as conn:
            assert check_invariants(conn) == []

    @invariant()
    def nobody_waits_for_free_stock(self):
        with closing(self.db.reader()) as conn:
            rows = conn.execute(
                "SELECT l.order_id, l.sku FROM order_line l"
                " JOIN customer_order o ON o.id = l.order_id"
                " JOIN stock_level s ON s.sku = l.sku"
                " WHERE o.status NOT IN ('shipped', 'cancelled')"
                " AND l.qty_ordered - l.qty_shipped - l.qty_cancelled > l.qty_reserved"
                " AND s.on_hand - s.reserved - s.safety > 0"
            ).fetchall()
        assert rows == [], f"short lines while stock is free: {[tuple(r) for r in rows]}"


ReservationMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "60")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestReservationEngine = ReservationMachine.TestCase
