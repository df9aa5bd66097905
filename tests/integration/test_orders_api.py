"""The order desk's JSON API on a running gateway (issue 10): the board with its tabs, counts,
pages and search, one order with its lines' characteristics, and confirm / cancel / release
through HTTP, with stale screens, double taps and a cashier who needs a manager. Анна (a
cashier) and Ольга (the manager) are signed in by PIN."""

import time

import pytest

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.signin import desk_clients, start_gateway

SHIRT = builders.product(
    "TS",
    [
        builders.variant("TS-RED-M", 150000, Цвет="красный", Размер="M"),
        builders.variant("TS-RED-L", 150000, Цвет="красный", Размер="L"),
    ],
)


def start(tmp_path, fiscal: str | None = None):
    gateway = start_gateway(tmp_path, "shop-desk", fiscal)
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(SHIRT)))
    stock = builders.stock_set(**{"TS-RED-M": 100, "TS-RED-L": 2})
    gateway.run(apply_stock_change, parse_stock_change("set", stock))
    return desk_clients(gateway)


@pytest.fixture
def desk(tmp_path):
    client = start(tmp_path)
    with client, client.manager:
        yield client
    client.gateway.stop()


@pytest.fixture
def till(tmp_path, sim):
    """The desk with the register simulator: shipments get their receipts."""
    client = start(tmp_path, sim.slave_path)
    with client, client.manager:
        yield client
    client.gateway.stop()


def place(desk, order_id: str, *lines, name: str = "Анна Петрова", phone: str = "+79001234567"):
    data = builders.order(order_id, *lines)
    data["customer"] = {"name": name, "phone": phone, "email": f"{order_id.lower()}@example.ru"}
    return desk.gateway.run(create_order, data)


def board(desk, **params) -> dict:
    answer = desk.get("/api/orders", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def numbers(found: dict) -> list[str]:
    return [card["number"] for card in found["orders"]]


def test_the_board_has_a_tab_per_state_with_counts(desk):
    place(desk, "W-1", ("TS-RED-M", 1))
    place(desk, "W-2", ("TS-RED-L", 3))  # 2 in stock: short
    place(desk, "W-3", ("TS-RED-M", 1))
    place(desk, "W-4", ("TS-RED-M", 2))
    place(desk, "W-5", ("TS-RED-M", 1))
    assert desk.post("/api/orders/W-3/confirm", json={}).status_code == 200
    assert desk.post("/api/orders/W-4/ship", json={"lines": {"1": 1}}).status_code == 200
    cancel = {"reason": "no_show"}
    assert desk.manager.post("/api/orders/W-5/cancel", json=cancel).status_code == 200

    found = board(desk)
    assert found["counts"] == {"new": 1, "short": 1, "confirmed": 1, "partly": 1, "done": 1}
    assert (found["tab"], found["page"], found["more"], numbers(found)) == (
        "new",
        1,
        False,
        ["W-1"],
    )
    [card] = found["orders"]
    assert card | {"status": "reserved", "paid": True, "total": 10000, "seen": False} == card
    assert card["customer"]["name"] == "Анна Петрова" and card["age_s"] >= 0
    assert card["confirm_overdue"] is False and card["pickup_overdue"] is False
    assert card["lines"] == [
        {
            "sku": "TS-RED-M",
            "name": "Товар TS",
            "characteristics": {"Цвет": "красный", "Размер": "M"},
            "qty": 1,
            "short": 0,
        }
    ]
    assert numbers(board(desk, tab="short")) == ["W-2"]
    assert board(desk, tab="short")["orders"][0]["short"] == 1
    assert numbers(board(desk, tab="confirmed")) == ["W-3"]
    assert numbers(board(desk, tab="partly")) == ["W-4"]
    assert numbers(board(desk, tab="done")) == ["W-5"]
    assert desk.get("/api/orders", params={"tab": "later"}).status_code == 422


def test_the_counts_say_how_many_nobody_opened_and_the_newest_arrival(desk):
    place(desk, "W-1", ("TS-RED-M", 1))
    place(desk, "W-2", ("TS-RED-M", 1))
    counts = desk.get("/api/orders/counts").json()
    assert counts["counts"]["new"] == 2 and (counts["unseen"], counts["latest"]) == (2, 2)
    first = desk.post("/api/orders/W-1/seen").json()
    assert first["first"] is True and desk.post("/api/orders/W-1/seen").json()["first"] is False
    assert desk.get("/api/orders/counts").json()["unseen"] == 1
    assert desk.get("/api/orders/W-1").json()["seen_by"] == "Анна"
    assert desk.post("/api/orders/W-9/seen").status_code == 404


def test_a_long_tab_comes_in_pages(desk):
    for n in range(1, 36):
        place(desk, f"W-{n}", ("TS-RED-M", 1))
    first, second = board(desk, page=1), board(desk, page=2)
    assert len(first["orders"]) == 30 and first["more"] is True
    assert numbers(first)[0] == "W-1"  # oldest first: the queue of work
    assert numbers(second) == [f"W-{n}" for n in range(31, 36)] and second["more"] is False


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("W-2", ["W-2"]),
        ("анна", ["W-1"]),  # SQLite's lower() would miss Cyrillic: folded in Python
        ("АННА", ["W-1"]),
        ("Сёмин", ["W-2"]),
        ("семин", ["W-2"]),
        ("900 111", ["W-2"]),  # phone as typed, with a space
        ("+7 (900) 111-22-33", ["W-2"]),
        ("ts-red-l", ["W-2"]),
        ("TS-RED", ["W-2", "W-1"]),  # newest first
        ("w-1@example", ["W-1"]),
        ("нет такого", []),
        ("100%", []),  # a LIKE wildcard is a character here
    ],
)
def test_search_finds_by_number_name_phone_email_and_sku_in_any_case(desk, typed, found):
    place(desk, "W-1", ("TS-RED-M", 1), name="Анна Петрова", phone="+79001234567")
    place(desk, "W-2", ("TS-RED-L", 1), name="Пётр Сёмин", phone="+7 900 111-22-33")
    assert numbers(board(desk, q=typed)) == found


def test_the_order_screen_shows_lines_with_characteristics_contact_and_history(desk):
    place(desk, "W-1", ("TS-RED-M", 1), ("TS-RED-L", 3))
    answer = desk.get("/api/orders/W-1")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    order = answer.json()
    assert [(x["sku"], x["characteristics"]["Размер"]) for x in order["lines"]] == [
        ("TS-RED-M", "M"),
        ("TS-RED-L", "L"),
    ]
    line = order["lines"][1]
    assert (line["ordered"], line["reserved"], line["shipped"], line["short"]) == (3, 2, 0, 1)
    assert order["customer"]["phone"] == "+79001234567" and order["payment"]["paid_online"]
    assert order["status"] == "short" and order["total"] == 40000
    assert [h["what"] for h in order["history"]] == ["arrived"]
    assert desk.get("/api/orders/W-404").status_code == 404


def test_confirm_cancel_and_release_through_the_api(desk):
    place(desk, "W-1", ("TS-RED-M", 1), ("TS-RED-L", 2))
    place(desk, "W-2", ("TS-RED-L", 1))  # short: W-1 holds both L
    version = desk.get("/api/orders/W-1").json()["version"]
    confirmed = desk.post(
        "/api/orders/W-1/confirm", json={"expected_version": version, "idem_key": "tap-1"}
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    again = desk.post(
        "/api/orders/W-1/confirm", json={"expected_version": version, "idem_key": "tap-1"}
    )
    assert again.status_code == 200 and again.json()["replayed"] is True  # a double tap
    stale = desk.post("/api/orders/W-1/confirm", json={"expected_version": version})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"

    release = {"line_id": "2", "reason": "no_show", "idem_key": "rel-1"}
    refused = desk.post("/api/orders/W-1/release", json=release)
    assert refused.status_code == 403 and refused.json()["error"] == "needs_manager"
    stale = desk.manager.post("/api/orders/W-1/release", json=release | {"expected_version": 1})
    assert stale.status_code == 409
    released = desk.manager.post("/api/orders/W-1/release", json=release)
    assert released.status_code == 200, released.text
    assert released.json()["filled_orders"] == [
        {"order_id": "W-2", "number": "W-2", "status": "reserved"}
    ]
    replay = desk.manager.post("/api/orders/W-1/release", json=release)
    assert replay.json()["replayed"] is True

    for bad in ({}, {"reason": "customer"}, {"reason": "other"}, {"reason": "other", "text": 5}):
        answer = desk.manager.post("/api/orders/W-2/cancel", json=bad)
        assert answer.status_code == 422 and answer.json()["error"] == "bad_reason", bad
    assert desk.post("/api/orders/W-2/cancel", json={"reason": "no_show"}).status_code == 403
    cancelled = desk.manager.post(
        "/api/orders/W-2/cancel", json={"reason": "other", "text": "покупатель передумал"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    history = desk.get("/api/orders/W-2").json()["history"]
    assert history[-1]["text"] == "Отменён: покупатель передумал" and history[-1]["by"] == "Ольга"
    assert (
        desk.manager.post("/api/orders/W-404/cancel", json={"reason": "no_show"}).status_code == 404
    )
    bad_line = desk.manager.post("/api/orders/W-1/release", json={"reason": "no_show"})
    assert bad_line.status_code == 422


def receipts_done(desk, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        receipts = desk.get("/api/receipts").json()
        if len(receipts) == count and all(r["state"] == "done" for r in receipts):
            return receipts
        time.sleep(0.05)
    raise AssertionError(f"receipts not done: {desk.get('/api/receipts').json()}")


def test_a_receipt_is_printed_again_as_a_copy_while_it_is_the_registers_last(till, sim):
    for order_id in ("W-1", "W-2"):
        data = builders.order(order_id, ("TS-RED-M", 1), paid=False)
        till.gateway.run(create_order, data)
    card = {"receipt": {"payment": "card"}}
    assert till.post("/api/orders/W-1/ship", json=card).status_code == 200
    [first] = till.get("/api/orders/W-1").json()["receipts"]
    receipts_done(till, 1)
    pages = len(sim.printed)

    again = till.post(f"/api/receipts/{first['receipt_id']}/reprint")

    assert again.status_code == 200, again.text
    assert len(sim.printed) == pages + 1 and "КОПИЯ" in sim.printed[-1]
    assert len(sim.receipts) == 1  # a copy, not a second fiscal document
    history = till.get("/api/orders/W-1").json()["history"]
    assert (history[-1]["what"], history[-1]["by"]) == ("receipt_copy", "Анна")
    assert till.post("/api/orders/W-2/ship", json=card).status_code == 200
    receipts_done(till, 2)
    older = till.post(f"/api/receipts/{first['receipt_id']}/reprint")
    assert older.status_code == 409 and older.json()["error"] == "not_last_document"
    assert till.post("/api/receipts/999/reprint").status_code == 404
