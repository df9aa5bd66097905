"""Order edits (DOMAIN.md row 2, edge cases 15–16): lines matched by their stable id."""

import pytest

from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.services.order_edits import edit_order
from gateway.services.orders import cancel_order, create_order, ship_order
from tests.builders import CASHIER, MANAGER, order


def edit(shop, version, *lines, order_id="W-1"):
    """lines: (line_id, sku, qty)."""
    data = {
        "order_id": order_id,
        "version": version,
        "lines": [
            {"line_id": lid, "sku": sku, "qty": qty, "price": 100} for lid, sku, qty in lines
        ],
    }
    return shop.run(edit_order, data)


def reserves(shop, order_id="W-1"):
    return {line.line_id: (line.sku, line.qty_reserved) for line in shop.order(order_id).lines}


def test_quantity_up_beyond_available_goes_short(shop):
    shop.stock(A=3)
    shop.run(create_order, order("W-1", ("A", 2)))
    assert edit(shop, 1, ("1", "A", 5))["status"] == "short"
    assert reserves(shop) == {"1": ("A", 3)}


def test_quantity_down_releases_and_fills_a_waiting_order(shop):
    shop.stock(A=3)
    shop.run(create_order, order("W-1", ("A", 3)))
    shop.run(create_order, order("W-2", ("A", 1)))
    edit(shop, 1, ("1", "A", 1))
    assert reserves(shop) == {"1": ("A", 1)}
    assert shop.order("W-2").status == "reserved"


def test_removed_line_releases_and_is_cancelled(shop):
    shop.stock(A=3, B=3)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 2)))
    edit(shop, 1, ("1", "A", 1))
    line = shop.order("W-1").lines[1]
    assert (line.qty_reserved, line.qty_cancelled) == (0, 2)
    assert shop.level("B").reserved == 0


def test_the_cloud_hears_which_pieces_shipped_and_which_an_edit_cancelled(shop):
    """QA: after an edit, order.reserved showed a removed line and a shipped one like the
    line genuinely waiting for stock (qty ordered, nothing reserved)."""
    shop.stock(A=3, B=0)
    shop.run(create_order, order("W-1", ("A", 2), ("A", 1)))
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1})
    edit(shop, 1, ("1", "A", 1), ("3", "B", 1))  # line 2 removed, line 3 added
    event = shop.events("order.reserved")[-1]
    assert event["status"] == "short"
    assert [
        (line["line_id"], line["qty"], line["reserved"], line["shipped"], line["cancelled"])
        for line in event["lines"]
    ] == [("1", 1, 0, 1, 0), ("2", 1, 0, 0, 1), ("3", 1, 0, 0, 0)]


def test_new_line_reserves(shop):
    shop.stock(A=3, B=3)
    shop.run(create_order, order("W-1", ("A", 1)))
    edit(shop, 1, ("1", "A", 1), ("2", "B", 2))
    assert reserves(shop) == {"1": ("A", 1), "2": ("B", 2)}


def test_variant_swap_releases_the_old_and_reserves_the_new(shop):
    """Size M → L on the same line."""
    shop.stock(M=3, L=3)
    shop.run(create_order, order("W-1", ("M", 2)))
    edit(shop, 1, ("1", "L", 2))
    assert reserves(shop) == {"1": ("L", 2)}
    assert (shop.level("M").reserved, shop.level("L").reserved) == (0, 2)


def test_price_only_edit_has_no_stock_effect(shop):
    """Medusa #16406."""
    shop.stock(A=3)
    shop.run(create_order, order("W-1", ("A", 2)))
    seq_before = shop.level("A").seq
    edit(shop, 1, ("1", "A", 2))
    assert shop.level("A").seq == seq_before


def test_older_or_repeated_versions_are_ignored(shop):
    """Edge 9: version 5 after version 6 changes nothing."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    edit(shop, 6, ("1", "A", 3))
    assert edit(shop, 5, ("1", "A", 1))["stale"] is True
    assert edit(shop, 6, ("1", "A", 1))["stale"] is True
    assert reserves(shop) == {"1": ("A", 3)}


def test_edit_below_what_shipped_is_refused_and_flagged(shop):
    """Edge 16: never a negative reserve; staff must look at it."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3)))
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 2})
    result = edit(shop, 1, ("1", "A", 1))
    assert "below the 2 already shipped" in result["rejected"]
    stored = shop.order("W-1")
    assert stored.needs_attention and stored.lines[0].qty_ordered == 3
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (3, 1)


def test_edit_to_an_unknown_sku_changes_nothing(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    with pytest.raises(InvalidInput, match="unknown sku"):
        edit(shop, 1, ("1", "NOPE", 1))
    assert reserves(shop) == {"1": ("A", 1)}


def test_edit_after_cancel_is_refused(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(cancel_order, "W-1", by=MANAGER)
    with pytest.raises(InvalidTransition):
        edit(shop, 1, ("1", "A", 2))
