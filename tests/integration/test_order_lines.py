"""An order's lines on its row (m023): the same lines through the `order_line` view as the
table gave, a database from before keeps every line in order, a bad line is refused by the row's
triggers with nothing changed, and the smaller rows (no empty buyer fields, compact outbox JSON)
read back as before."""

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.order_queries import board, order_detail
from gateway.adapters.sqlite.schema_order_lines import LINE_TRIGGERS
from gateway.domain.messages import envelope_bytes
from gateway.services.orders import create_order, ship_order
from tests import builders
from tests.builders import MANAGER
from tests.integration.test_order_pages import ONE_PRODUCT, database_before

LINES = "SELECT * FROM order_line ORDER BY order_id, position"


def test_a_database_from_before_m023_keeps_every_line_in_its_place(tmp_path):
    path = tmp_path / "old.db"
    database_before(
        path,
        "m023_lines_on_the_order",
        f"""{ONE_PRODUCT}
INSERT INTO variant(sku, product_id, name, price, char_key) VALUES ('B', 'P', 'y', 50, 'b');
INSERT INTO stock_level(sku, location_id, on_hand, reserved) VALUES ('A', 'main', 5, 3),
  ('B', 'main', 1, 1);
INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason, idem_key, created_at)
  VALUES ('A', 'main', 5, 3, 'cloud_set', 'k1', 't0'), ('B', 'main', 1, 1, 'cloud_set', 'k2', 't0');
INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,
  created_at, updated_at) VALUES ('W-1', '1', 'web', 0, 'short', 1, 'main', 't0', 't0'),
  ('W-2', '2', 'web', 0, 'reserved', 2, 'main', 't0', 't0'),
  ('W-3', '3', 'web', 0, 'cancelled', 3, 'main', 't0', 't0');
INSERT INTO order_line(order_id, line_id, position, sku, price, qty_ordered, qty_reserved,
  qty_shipped, qty_cancelled) VALUES ('W-1', 'b', 1, 'B', 50, 2, 1, 0, 0),
  ('W-1', 'a', 0, 'A', 100, 3, 2, 1, 0), ('W-2', '1', 0, 'A', 100, 1, 1, 0, 0);
""",
    )
    with closing(sqlite3.connect(path)) as conn:
        before = conn.execute(LINES).fetchall()
    database = Database(path)  # migrates
    try:
        with closing(database.reader()) as conn:
            assert [tuple(row) for row in conn.execute(LINES)] == before
            assert conn.execute("SELECT type FROM sqlite_master WHERE name = 'order_line'")
            stored = dict(conn.execute("SELECT id, lines_json FROM customer_order"))
            assert check_invariants(conn) == []
        assert json.loads(stored["W-1"]) == [
            ["a", "A", 3, 100, 2, 1, 0],
            ["b", "B", 2, 50, 1, 0, 0],
        ]
        assert stored["W-3"] == "[]"  # an order without lines keeps none
        with database.transaction() as uow:
            order = uow.orders.get("W-1")
            assert [(line.line_id, line.qty_reserved) for line in order.lines] == [
                ("a", 2),
                ("b", 1),
            ]
            assert uow.orders.holding("A") == ["W-2", "W-1"]
            assert uow.orders.waiting_for("B") == ["W-1"]
    finally:
        database.close()


@pytest.mark.parametrize(
    ("what", "lines"),
    [
        ("more reserved than ordered", '[["1","A",2,100,2,1,0]]'),
        ("a negative quantity", '[["1","A",2,100,-1,0,0]]'),
        ("nothing ordered", '[["1","A",0,100,0,0,0]]'),
        ("a negative price", '[["1","A",1,-5,0,0,0]]'),
        ("a quantity as text", '[["1","A","2",100,0,0,0]]'),
        ("a fractional quantity", '[["1","A",1.5,100,0,0,0]]'),
        ("a field missing", '[["1","A",2,100,0,0]]'),
        ("an empty line id", '[["","A",1,100,0,0,0]]'),
        ("a sku not in the catalog", '[["1","NOPE",1,100,0,0,0]]'),
        ("one line id twice", '[["1","A",1,100,0,0,0],["1","A",1,100,0,0,0]]'),
        (
            "a line id again after another",
            '[["1","A",1,100,0,0,0],["2","A",1,100,0,0,0],["1","A",1,100,0,0,0]]',
        ),
        ("a line not an array", '[{"line_id":"1"}]'),
        ("lines not an array", '{"1":["1","A",1,100,0,0,0]}'),
    ],
)
def test_a_bad_line_is_refused_and_changes_nothing(shop, what, lines):
    shop.stock(A=5)
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    with closing(shop.db.reader()) as conn:
        before = conn.execute("SELECT * FROM customer_order").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="order lines"), shop.db.transaction() as uow:
        uow.conn.execute("UPDATE customer_order SET lines_json = ? WHERE id = 'W-1'", (lines,))
    with pytest.raises(sqlite3.IntegrityError, match="order lines"), shop.db.transaction() as uow:
        uow.conn.execute(
            "INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,"
            " created_at, updated_at, lines_json)"
            " VALUES ('W-9', '9', 'web', 0, 'short', 9, 'main', 't0', 't0', ?)",
            (lines,),
        )
    with closing(shop.db.reader()) as conn:
        assert conn.execute("SELECT * FROM customer_order").fetchall() == before


def test_lines_read_back_through_every_screen_after_a_shipment(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, builders.order("W-1", ("A", 2), ("B", 3)))
    shop.run(ship_order, "W-1", lines={"1": 2}, by=MANAGER)
    now = datetime.now(UTC)
    with closing(shop.db.reader()) as conn:
        detail = order_detail(conn, "W-1", now)
        (card,) = board(conn, now, tab="partly")["orders"]
        assert check_invariants(conn) == []
    assert [(x["line_id"], x["shipped"], x["reserved"]) for x in detail["lines"]] == [
        ("1", 2, 0),
        ("2", 0, 3),
    ]
    assert card["order_id"] == "W-1" and card["items"] == 5


def test_an_order_without_buyer_details_stores_none_and_shows_every_field(shop):
    shop.stock(A=5)
    shop.run(create_order, {**builders.order("W-1", ("A", 1)), "customer": {"name": "Анна"}})
    with closing(shop.db.reader()) as conn:
        (stored,) = conn.execute("SELECT customer_json FROM customer_order").fetchone()
        detail = order_detail(conn, "W-1", datetime.now(UTC))
    assert stored == '{"name":"Анна"}'
    assert detail["customer"] == {"name": "Анна", "email": None, "phone": None}
    assert shop.order("W-1").customer.phone is None


def test_the_outbox_keeps_a_body_as_it_goes_on_the_wire(shop):
    shop.stock(A=5)
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    with closing(shop.db.reader()) as conn:
        rows = conn.execute("SELECT event_id, type, data_json, created_at FROM outbox").fetchall()
    for event_id, event_type, data_json, created_at in rows:
        wire = envelope_bytes(event_id, event_type, ts=created_at, data_json=data_json)
        message = json.loads(wire)
        assert json.dumps(message["data"], ensure_ascii=False, separators=(",", ":")) == data_json
        assert ", " not in data_json and ": " not in data_json


def test_a_large_order_keeps_its_lines_on_overflow_pages(shop):
    """150 lines (some 6 KB of JSON): past what one page holds, the row goes on overflow pages."""
    skus = {f"L{i:03d}": 2 for i in range(150)}
    shop.stock(**skus)
    lines = [(sku, 3 if i % 10 == 0 else 1) for i, sku in enumerate(skus)]  # every 10th short
    shop.run(create_order, builders.order("W-1", *lines))
    shop.run(ship_order, "W-1", lines={"2": 1, "150": 1}, by=MANAGER)
    order = shop.order("W-1")
    assert [line.sku for line in order.lines] == list(skus)
    assert (order.lines[1].qty_shipped, order.lines[0].qty_reserved) == (1, 2)
    assert order.status == "short"  # its short lines still wait for goods
    assert shop.problems() == []
    with shop.db.transaction() as uow:
        assert uow.orders.waiting_for("L010") == ["W-1"]
        assert uow.orders.holding("L149") == []  # shipped: held no more
        assert uow.orders.holding("L148") == ["W-1"]


def test_a_database_from_before_m026_gets_todays_line_triggers(tmp_path):
    path = tmp_path / "old.db"
    database_before(path, "m026_line_triggers_anew", ONE_PRODUCT)
    database = Database(path)  # migrates
    try:
        with closing(database.reader()) as conn:
            triggers = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name LIKE 'customer_order_lines_%'"
                " ORDER BY name"
            ).fetchall()
        assert [row[0] for row in triggers] == list(LINE_TRIGGERS)
    finally:
        database.close()
