"""Stock corrections, incoming stock and the invariant checker: DOMAIN.md group E."""

import sqlite3

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.domain.errors import InvalidInput
from gateway.domain.stock import parse_stock_change
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests.builders import order, stock_adjust, stock_set
from tests.conftest import Shop


def set_stock(shop, reason="count", **on_hand):
    return shop.run(apply_stock_change, parse_stock_change("set", stock_set(reason, **on_hand)))


def adjust(shop, reason="transfer_in", **delta):
    return shop.run(apply_stock_change, parse_stock_change("adjust", stock_adjust(reason, **delta)))


def test_correction_below_the_reserve_takes_it_from_the_newest_orders(shop):
    """Edge 31: a count finds 2 where on_hand 5 and reserved 3 (three orders of one)."""
    shop.stock(A=5)
    for n in (1, 2, 3):
        shop.run(create_order, order(f"W-{n}", ("A", 1)))
    set_stock(shop, A=2)
    level = shop.level("A")
    assert (level.on_hand, level.reserved) == (2, 2)
    assert [shop.order(f"W-{n}").status for n in (1, 2, 3)] == ["reserved", "reserved", "short"]
    short_events = [e for e in shop.events("order.reserved") if e["status"] == "short"]
    assert [e["order_id"] for e in short_events] == ["W-3"]
    adjusted = shop.events("stock.adjusted")[-1]
    assert adjusted["items"] == [{"sku": "A", "delta": -3, "on_hand": 2}]


def test_incoming_stock_fills_short_orders_first_come_first_served(shop):
    shop.stock(A=0)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(create_order, order("W-2", ("A", 2)))
    adjust(shop, A=3)
    first, second = shop.order("W-1"), shop.order("W-2")
    assert (first.status, first.lines[0].qty_reserved) == ("reserved", 2)
    assert (second.status, second.lines[0].qty_reserved) == ("short", 1)
    assert shop.level("A").available == 0


def test_adjustment_below_zero_is_refused_whole(shop):
    """Edge 35, and bad input changes nothing: the valid item in the message is not applied."""
    shop.stock(A=5, B=1)
    with pytest.raises(InvalidInput, match="cannot take away 2"):
        adjust(shop, "loss", A=-1, B=-2)
    assert (shop.level("A").on_hand, shop.level("B").on_hand) == (5, 1)


def test_unknown_sku_refuses_the_whole_message(shop):
    shop.stock(A=5)
    with pytest.raises(InvalidInput, match="unknown sku NOPE"):
        set_stock(shop, A=9, NOPE=1)
    assert shop.level("A").on_hand == 5


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("set", {"items": [{"sku": "A", "on_hand": -1}]}),
        ("set", {"items": [{"sku": "A", "on_hand": 1.5}]}),
        ("set", {"items": []}),
        ("set", {"items": [{"sku": "A", "on_hand": 1}, {"sku": "A", "on_hand": 2}]}),
        ("adjust", {"items": [{"sku": "A", "delta": 0}]}),
        ("adjust", {"items": [{"sku": "A", "delta": "3"}]}),
        ("adjust", {"items": "A"}),
    ],
)
def test_malformed_stock_messages_are_refused(kind, data):
    with pytest.raises(InvalidInput):
        parse_stock_change(kind, data)


def test_cloud_overwrite_is_an_adjustment_with_a_reason_in_the_ledger(shop):
    """Edge 36: never a blind overwrite — a ledger row with the difference."""
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    set_stock(shop, "inventory", A=7)
    with shop.db.transaction() as uow:
        moves = uow.conn.execute(
            "SELECT d_on_hand, reason FROM stock_move WHERE sku='A' AND d_on_hand != 0"
        ).fetchall()
    assert [tuple(m) for m in moves] == [(5, "cloud_set"), (2, "cloud_set")]
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (7, 2)


def test_safety_stock_is_withheld_from_reservations_and_the_web(shop):
    shop.stock(A=5)
    shop.run(
        apply_stock_change,
        parse_stock_change(
            "set", {"reason": "safety", "items": [{"sku": "A", "on_hand": 5, "safety": 2}]}
        ),
    )
    assert shop.level("A").available == 3
    assert shop.run(create_order, order("W-1", ("A", 4)))["status"] == "short"
    assert shop.level("A").reserved == 3


def test_setting_the_same_quantity_writes_no_ledger_row(shop):
    shop.stock(A=5)
    before = len(shop.events())
    assert set_stock(shop, A=5)["items"] == []
    assert len(shop.events()) == before


def corrupted(tmp_path, statement: str) -> list[str]:
    database = Database(tmp_path / "g.db")
    shop = Shop(database)
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    database.close()
    raw = sqlite3.connect(tmp_path / "g.db", isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS stock_move_no_update")
    raw.execute(statement)
    raw.close()
    conn = Database(tmp_path / "g.db").reader()
    return check_invariants(conn)


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ("UPDATE stock_level SET reserved = reserved + 1", "sum of line reserves"),
        (  # the first line's qty_reserved (m023: the lines are on the order row)
            "UPDATE customer_order SET lines_json = json_set(lines_json, '$[0][4]', 1)",
            "sum of line reserves",
        ),
        ("UPDATE stock_level SET on_hand = on_hand + 1", "ledger"),
        ("UPDATE stock_move SET d_on_hand = d_on_hand + 1 WHERE id = 1", "ledger"),
        ("UPDATE customer_order SET status = 'cancelled'", "finished order"),
        ("DELETE FROM outbox WHERE seq = 2", "outbox sequence"),
    ],
)
def test_the_checker_reports_drift_and_repairs_nothing(tmp_path, statement, rule):
    """Edge 37: deliberate corruption is detected; nothing clamps it silently."""
    problems = corrupted(tmp_path, statement)
    assert any(rule in problem for problem in problems), problems
    again = check_invariants(Database(tmp_path / "g.db").reader())
    assert again == problems  # reported again: nothing was repaired


def test_the_ledger_is_append_only(shop):
    shop.stock(A=5)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), shop.db.transaction() as uow:
        uow.conn.execute("DELETE FROM stock_move")


def test_an_impossible_level_fails_loudly(shop):
    """The CHECK constraints: reserved above on_hand cannot be stored, whoever tries."""
    shop.stock(A=1)
    with pytest.raises(sqlite3.IntegrityError), shop.db.transaction() as uow:
        uow.conn.execute("UPDATE stock_level SET reserved = 2 WHERE sku = 'A'")
    with pytest.raises(sqlite3.IntegrityError), shop.db.transaction() as uow:
        uow.conn.execute("UPDATE stock_level SET on_hand = 0.5 WHERE sku = 'A'")
