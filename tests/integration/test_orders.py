"""Order lifecycle against a real database: DOMAIN.md 1.4 and edge cases A and C."""

import pytest

from gateway.domain.errors import InsufficientStock, InvalidInput, InvalidTransition, StaleVersion
from gateway.domain.staff import CLOUD
from gateway.services.orders import cancel_order, confirm_order, create_order, ship_order
from tests.builders import CASHIER, MANAGER, order


def test_order_reserves_at_once_and_the_web_shop_sees_less(shop):
    shop.stock(A=5)
    result = shop.run(create_order, order("W-1", ("A", 2)))
    assert result["status"] == "reserved"
    level = shop.level("A")
    assert (level.on_hand, level.reserved, level.available) == (5, 2, 3)
    [reserved] = shop.events("order.reserved")
    assert reserved["status"] == "reserved"
    assert reserved["lines"] == [
        {"line_id": "1", "sku": "A", "qty": 2, "reserved": 2, "shipped": 0, "cancelled": 0}
    ]
    assert shop.events("stock.changed")[-1]["items"] == [
        {"sku": "A", "on_hand": 5, "reserved": 2, "available": 3, "seq": level.seq}
    ]


def test_partial_availability_reserves_what_is_there_and_marks_short(shop):
    shop.stock(A=1)
    result = shop.run(create_order, order("W-1", ("A", 3)))
    assert result["status"] == "short"
    assert result["lines"][0] | {"reserved": 1, "short": 2} == result["lines"][0]
    assert shop.level("A").available == 0


def test_same_sku_on_two_lines_never_reserves_more_than_available(shop):
    """Edge 2 (Medusa #16502): the lines of one order share the sku's free stock."""
    shop.stock(A=3)
    result = shop.run(create_order, order("W-1", ("A", 2), ("A", 2)))
    assert [line["reserved"] for line in result["lines"]] == [2, 1]
    assert result["status"] == "short"
    assert shop.level("A").reserved == 3


def test_duplicate_order_created_reserves_once(shop):
    """Edge 8: the same order id again (any message id) is applied once."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    again = shop.run(create_order, order("W-1", ("A", 2)))
    assert again["duplicate"] is True
    assert shop.level("A").reserved == 2
    assert len(shop.events("order.reserved")) == 1


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([("NOPE", 1)], "unknown_sku"),
        ([("A", 0)], "invalid_qty"),
        ([("A", -1)], "invalid_qty"),
        ([("A", 1.5)], "invalid_qty"),
        ([("A", True)], "invalid_qty"),
        ([("A", 10**12)], "invalid"),
        ([], "empty_order"),
        ([("A", 1), ("NOPE", 1)], "unknown_sku"),
    ],
)
def test_bad_orders_are_rejected_and_reserve_nothing(shop, lines, reason):
    """Edges 21, 24 and the contract: rejected with a reason, nothing reserved."""
    shop.stock(A=5)
    result = shop.run(create_order, order("W-1", *lines))
    assert (result["status"], result["reason"]) == ("rejected", reason)
    assert shop.level("A").reserved == 0
    assert shop.order("W-1") is None
    [rejected] = shop.events("order.rejected")
    assert rejected["order_id"] == "W-1" and rejected["reason"] == reason


def test_an_order_without_an_id_is_refused_outright(shop):
    with pytest.raises(InvalidInput):
        shop.run(create_order, {"lines": [{"sku": "A", "qty": 1}]})
    assert shop.events() == []


def test_confirm_then_ship_whole_order(shop):
    shop.stock(A=5, B=2)
    shop.run(create_order, order("W-1", ("A", 2), ("B", 1)))
    assert shop.run(confirm_order, "W-1", by=CASHIER)["status"] == "confirmed"
    result = shop.run(ship_order, "W-1", by=CASHIER)
    assert result["status"] == "shipped"
    a, b = shop.level("A"), shop.level("B")
    assert (a.on_hand, a.reserved, b.on_hand, b.reserved) == (3, 0, 1, 0)
    [shipped] = shop.events("order.shipped")
    assert shipped["lines"] == [
        {"line_id": "1", "sku": "A", "qty": 2},
        {"line_id": "2", "sku": "B", "qty": 1},
    ]
    assert shop.events("order.confirmed") == [
        {
            "seq": shop.events("order.confirmed")[0]["seq"],
            "type": "order.confirmed",
            "order_id": "W-1",
            **CASHIER.event,  # the name as `by`, and the staff id
        }
    ]


def test_partial_ship_then_the_rest(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3)))
    assert shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1})["status"] == "partially_shipped"
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (4, 2)
    assert shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 2})["status"] == "shipped"
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (2, 0)


def test_double_tap_ship_ships_once(shop):
    """Edge 4 / 43: the tablet's idempotency key makes a repeat return the first result."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    first = shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, idem_key="tap-1")
    second = shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1}, idem_key="tap-1")
    assert second["replayed"] is True and second["shipment_id"] == first["shipment_id"]
    assert shop.level("A").on_hand == 4
    assert len(shop.events("order.shipped")) == 1


def test_shipping_a_short_line_is_refused_until_stock_arrives(shop):
    """Edge 19: a short line ships only what can be reserved; arriving stock fills it first."""
    shop.stock(A=1)
    shop.run(create_order, order("W-1", ("A", 2)))  # short by 1
    shop.stock(A=3)  # goods arrived: the short order is filled first anyway
    assert shop.order("W-1").lines[0].qty_reserved == 2
    shop.run(create_order, order("W-2", ("A", 2)))  # takes the last free unit, short by 1
    with pytest.raises(InsufficientStock):
        shop.run(ship_order, "W-2", by=CASHIER)
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (3, 3)


def test_cancel_releases_the_reserve_and_fills_waiting_orders(shop):
    shop.stock(A=2)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(create_order, order("W-2", ("A", 1)))  # short
    shop.run(create_order, order("W-3", ("A", 1)))  # short, came later
    result = shop.run(cancel_order, "W-1", by=MANAGER, reason="no_show")
    assert result["status"] == "cancelled"
    assert shop.order("W-2").status == "reserved" and shop.order("W-3").status == "reserved"
    [cancelled] = shop.events("order.cancelled")
    assert cancelled["released"] == [{"sku": "A", "qty": 2}]


def test_cancel_after_partial_ship_releases_only_the_remainder(shop):
    """Edge 17: shipped stays shipped, on_hand is not put back, the order ends shipped."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 3)))
    shop.run(ship_order, "W-1", by=CASHIER, lines={"1": 1})
    result = shop.run(cancel_order, "W-1", by=MANAGER)
    assert result["status"] == "shipped"
    assert result["lines"][0] | {"shipped": 1, "cancelled": 2, "reserved": 0} == result["lines"][0]
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (4, 0)


def test_cloud_cancel_after_full_shipment_flags_attention_and_changes_no_stock(shop):
    """Edge 18 / row 8."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(ship_order, "W-1", by=CASHIER)
    result = shop.run(cancel_order, "W-1", by=CLOUD, reason="customer")
    assert result["status"] == "shipped" and result["needs_attention"]
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (3, 0)
    assert shop.events("order.cancelled")[-1]["needs_attention"] is True


def test_guarded_no_ops_after_cancel(shop):
    """Edge 20: cancel twice, ship or confirm after cancel — never a stock change."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(cancel_order, "W-1", by=MANAGER)
    before = shop.level("A")
    assert shop.run(cancel_order, "W-1", by=MANAGER)["already"] is True
    with pytest.raises(InvalidTransition):
        shop.run(ship_order, "W-1", by=CASHIER)
    with pytest.raises(InvalidTransition):
        shop.run(confirm_order, "W-1", by=CASHIER)
    assert shop.level("A") == before
    assert len(shop.events("order.cancelled")) == 1


def test_stale_screen_is_refused(shop):
    """Edge 44: the order changed since the tablet loaded it."""
    shop.stock(A=5)
    created = shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(confirm_order, "W-1", by=CASHIER)
    with pytest.raises(StaleVersion):
        shop.run(ship_order, "W-1", by=CASHIER, expected_version=created["version"])
    assert shop.level("A").on_hand == 5


@pytest.mark.parametrize("lines", [{"1": 0}, {"1": 3}, {"9": 1}, {"1": 1.0}, {}])
def test_bad_ship_requests_change_nothing(shop, lines):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    with pytest.raises(InvalidInput):
        shop.run(ship_order, "W-1", by=CASHIER, lines=lines)
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (5, 2)


def test_two_tablets_shipping_the_same_order_ship_once(shop):
    """Edge 4 / 44: different keys, same order — the second finds it already shipped."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(ship_order, "W-1", by=CASHIER, idem_key="t1")
    with pytest.raises(InvalidTransition, match="already shipped"):
        shop.run(ship_order, "W-1", by=CASHIER, idem_key="t2")
    assert (shop.level("A").on_hand, len(shop.events("order.shipped"))) == (3, 1)
