"""Edge cases found in review: cancels after shipment, repeats, edits of archived or removed
lines, corrections that hit confirmed orders, skus moving between products."""

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidInput, StaleVersion
from gateway.domain.staff import CLOUD
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.order_edits import edit_order
from gateway.services.orders import cancel_order, confirm_order, create_order, ship_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER, MANAGER, order


def set_stock(shop, **on_hand):
    shop.run(apply_stock_change, parse_stock_change("set", builders.stock_set("count", **on_hand)))


def edit(shop, version, *lines, order_id="W-1"):
    body = {
        "order_id": order_id,
        "version": version,
        "lines": [{"line_id": lid, "sku": sku, "qty": qty} for lid, sku, qty in lines],
    }
    return shop.run(edit_order, body)


def test_cloud_cancel_after_shipment_is_flagged_even_when_an_edit_cancelled_a_line(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 1)))
    edit(shop, 1, ("1", "A", 1))  # line 2 removed: qty_cancelled > 0
    shop.run(ship_order, "W-1", by=CASHIER)
    result = shop.run(cancel_order, "W-1", by=CLOUD, reason="customer")
    assert result["status"] == "shipped" and result["needs_attention"]
    assert shop.events("order.cancelled")[-1]["needs_attention"] is True


def test_a_repeated_cancel_after_shipment_changes_nothing_more(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(ship_order, "W-1", by=CASHIER)
    shop.run(cancel_order, "W-1", by=CLOUD)
    version = shop.order("W-1").version
    assert shop.run(cancel_order, "W-1", by=CLOUD)["already"] is True
    assert len(shop.events("order.cancelled")) == 1 and shop.order("W-1").version == version


def test_cancel_after_a_partial_shipment_is_flagged_for_a_return(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3)))
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1})
    result = shop.run(cancel_order, "W-1", by=CLOUD)
    assert result["status"] == "shipped" and "1 unit(s) were shipped" in result["needs_attention"]


def test_cancel_from_a_stale_screen_is_refused(shop):
    shop.stock(A=5)
    created = shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(confirm_order, "W-1", by=CASHIER)
    with pytest.raises(StaleVersion):
        shop.run(cancel_order, "W-1", by=MANAGER, expected_version=created["version"])
    assert shop.level("A").reserved == 1


def test_a_repeat_of_a_live_order_is_a_duplicate_whatever_it_says(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    assert shop.run(create_order, order("W-1", ("A", 0)))["duplicate"] is True
    assert shop.events("order.rejected") == []


def test_an_order_holding_an_archived_sku_can_still_be_edited(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3)))
    shop.load_catalog(builders.simple_product("A") | {"archived": True})
    edit(shop, 1, ("1", "A", 1))
    assert (shop.level("A").reserved, shop.order("W-1").lines[0].qty_ordered) == (1, 1)
    with pytest.raises(InvalidInput, match="archived"):
        edit(shop, 2, ("1", "A", 1), ("2", "A", 1))  # a new line may not take it


def test_a_line_removed_by_one_edit_and_listed_again_is_back(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 2)))
    edit(shop, 1, ("1", "A", 1))
    edit(shop, 2, ("1", "A", 1), ("2", "B", 2))
    line = shop.order("W-1").lines[1]
    assert (line.qty_reserved, line.qty_cancelled, shop.order("W-1").status) == (2, 0, "reserved")


def test_a_correction_makes_a_confirmed_order_short_and_takes_only_what_it_must(shop):
    """Edge 31 on a confirmed order with two lines of the same sku."""
    shop.stock(A=4)
    shop.run(create_order, order("W-1", ("A", 2), ("A", 2)))
    shop.run(confirm_order, "W-1", by=CASHIER)
    set_stock(shop, A=3)
    stored = shop.order("W-1")
    assert stored.status == "short" and stored.confirmed_by == CASHIER.name
    assert [line.qty_reserved for line in stored.lines] == [2, 1]  # the last line gives first
    set_stock(shop, A=4)
    assert shop.order("W-1").status == "confirmed"


def test_lowering_the_safety_stock_fills_waiting_orders(shop):
    def safety(n):
        data = {"reason": "safety", "items": [{"sku": "A", "on_hand": 3, "safety": n}]}
        shop.run(apply_stock_change, parse_stock_change("set", data))

    shop.stock(A=3)
    safety(2)
    shop.run(create_order, order("W-1", ("A", 2)))
    assert shop.order("W-1").status == "short"
    safety(0)
    assert shop.order("W-1").status == "reserved"


def test_a_sku_moves_to_another_product_once_its_old_one_drops_it(shop):
    x, y = builders.variant("X", Размер="M"), builders.variant("Y", Размер="L")
    shop.load_catalog(builders.product("P-1", [x, y]))
    shop.run(create_order, order("W-1", ("X", 1)))
    result = shop.load_catalog(
        builders.product("P-1", [y]), builders.product("P-2", [builders.variant("X")], [])
    )
    assert result["rejected"] == [] and sorted(result["applied"]) == ["P-1", "P-2"]
    with shop.db.transaction() as uow:
        variant = uow.catalog.variant("X")
    assert (variant.product_id, variant.archived) == ("P-2", False)
    assert shop.level("X") is not None and shop.order("W-1").lines[0].sku == "X"


def test_the_same_product_twice_in_one_message_is_rejected(shop):
    twice = parse_catalog_upsert(
        builders.catalog(builders.simple_product("A"), builders.simple_product("A", price=5))
    )
    result = shop.run(apply_catalog, twice)
    assert result["applied"] == [] and "more than once" in result["rejected"][0]["detail"]


def test_an_idempotency_key_cannot_be_reused_for_another_action(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(create_order, order("W-2", ("A", 1)))
    shop.run(ship_order, "W-1", by=CASHIER, idem_key="k")
    with pytest.raises(InvalidInput, match="already used for ship"):
        shop.run(cancel_order, "W-2", by=MANAGER, idem_key="k")
    assert shop.order("W-2").status == "reserved"
