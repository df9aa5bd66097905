"""Receiving (issue 5) under random scan sequences: posting adds exactly what was scanned."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.services.receiving import post_receiving, resolve_unknown_code
from tests.builders import CASHIER, MANAGER
from tests.integration.test_receiving import (
    MILK,
    TEA_BOX,
    TEA_UNIT,
    UNKNOWN,
    scan,
    simple,
    start,
)

# --- random scan sequences ------------------------------------------------------------------------

SCANS = st.lists(
    st.tuples(st.sampled_from([TEA_UNIT, TEA_BOX, MILK, UNKNOWN]), st.integers(1, 3)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scans=SCANS, pack=st.integers(1, 6))
def test_random_scans_post_exactly_what_was_scanned(shop, scans, pack):
    """Whatever the order of scans, posting adds Σ qty × pack per sku, once; the unknown code
    linked later adds its scans × the pack the manager gives."""
    if shop.level("TEA") is None:
        shop.load_catalog(simple("TEA", (TEA_UNIT, 1), (TEA_BOX, 12)), simple("MILK", (MILK, 1)))
    before = {sku: shop.level(sku).on_hand for sku in ("TEA", "MILK")}
    units = {TEA_UNIT: ("TEA", 1), TEA_BOX: ("TEA", 12), MILK: ("MILK", 1)}
    expected, unknown_scans = {"TEA": 0, "MILK": 0}, 0
    doc = start(shop)
    code = f"29{len(shop.events()):011d}"  # a fresh unknown code for every example
    for scanned, qty in scans:
        if scanned == UNKNOWN:
            scan(shop, doc, code, qty=qty)
            unknown_scans += qty
        else:
            scan(shop, doc, scanned, qty=qty)
            sku, size = units[scanned]
            expected[sku] += qty * size
    if unknown_scans:
        shop.run(resolve_unknown_code, doc, code, "MILK", by=MANAGER, pack=pack, learn=False)
        expected["MILK"] += unknown_scans * pack
    shop.run(post_receiving, doc, by=CASHIER)
    shop.run(post_receiving, doc, by=CASHIER)
    for sku in ("TEA", "MILK"):
        assert shop.level(sku).on_hand == before[sku] + expected[sku]
    assert shop.problems() == []
