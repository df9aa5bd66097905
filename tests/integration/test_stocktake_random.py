"""Stocktake (issue 5) under random interleavings of counts, sales and deliveries (DOMAIN.md
32)."""

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.adapters.sqlite.database import Database
from gateway.domain.errors import DomainError
from gateway.services.orders import cancel_order, create_order, ship_order
from gateway.services.stocktake import apply_stocktake, set_stocktake_count, stocktake_report
from tests.builders import CASHIER, MANAGER, order
from tests.conftest import Shop
from tests.integration.test_stocktake import count, load, receive, start

# --- random interleavings (DOMAIN.md 32) ----------------------------------------------------------

SKUS = ("A", "B")
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("scan"), st.sampled_from(SKUS), st.integers(1, 4)),
        st.tuples(st.just("fix"), st.sampled_from(SKUS), st.integers(0, 6)),
        st.tuples(st.just("ship"), st.sampled_from(SKUS), st.integers(1, 4)),
        st.tuples(st.just("reserve"), st.sampled_from(SKUS), st.integers(1, 4)),
        st.tuples(st.just("receive"), st.sampled_from(SKUS), st.integers(1, 4)),
    ),
    max_size=14,
)
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start_stock=st.tuples(st.integers(0, 6), st.integers(0, 6)), steps=STEPS)
def test_random_interleavings_apply_the_count_against_the_book_at_scan(start_stock, steps):
    """Scans, corrections, shipments, reservations and receipts in any order: after the apply
    each counted sku holds max(0, on_hand before the apply + counted − book at its first
    scan); the others are untouched; the invariants hold; a second apply changes nothing."""
    folder = tempfile.mkdtemp(dir=SCRATCH)
    shop = Shop(Database(os.path.join(folder, "g.db")))
    try:
        load(shop, A=start_stock[0], B=start_stock[1], C=0)
        take = start(shop)
        book: dict[str, int] = {}
        counted: dict[str, int] = {}
        for n, (kind, sku, qty) in enumerate(steps):
            on_hand = shop.level(sku).on_hand
            if kind in ("scan", "fix"):
                book.setdefault(sku, on_hand)
                if kind == "scan":
                    count(shop, take, sku, qty=qty)
                    counted[sku] = counted.get(sku, 0) + qty
                else:
                    shop.run(set_stocktake_count, take, sku, qty, by=CASHIER)
                    counted[sku] = qty
            elif kind == "receive":
                receive(shop, sku, qty)
            else:
                reserved = shop.run(create_order, order(f"W-{n}", (sku, qty)))
                held = reserved["lines"][0]["reserved"]
                if kind == "ship" and held:
                    shop.run(ship_order, f"W-{n}", by=CASHIER, lines={"1": held})
                elif kind == "ship":
                    shop.run(cancel_order, f"W-{n}", by=MANAGER)
        before = {sku: shop.level(sku).on_hand for sku in SKUS}
        if not counted:
            with pytest.raises(DomainError):
                shop.run(apply_stocktake, take, by=MANAGER)
            return
        shown = shop.run(stocktake_report, take)["reserve_orders"]  # what the person confirms
        shop.run(apply_stocktake, take, by=MANAGER, reserve_orders=shown)
        after = {sku: shop.level(sku).on_hand for sku in SKUS}
        for sku in SKUS:
            if sku in counted:
                assert after[sku] == max(0, before[sku] + counted[sku] - book[sku]), sku
            else:
                assert after[sku] == before[sku], sku
        shop.run(apply_stocktake, take, by=MANAGER)
        assert {sku: shop.level(sku).on_hand for sku in SKUS} == after
        assert shop.problems() == []
    finally:
        shop.db.close()
        shutil.rmtree(folder, ignore_errors=True)
