"""The order desk's services on a real database (issue 10): a line's reserve released by hand
(`order.released`, the freed units to waiting orders first come first served), cancel with a
staff reason, the order's history with who did what, «seen», and the orders a receiving fills."""

import json
from contextlib import closing
from datetime import UTC, datetime

import pytest

from gateway.adapters.sqlite.order_queries import board_counts, order_detail
from gateway.domain.errors import InvalidInput, InvalidTransition, StaleVersion
from gateway.domain.staff import CLOUD, Forbidden
from gateway.services.documents import print_pick_slip
from gateway.services.order_edits import edit_order
from gateway.services.orders import (
    cancel_order,
    confirm_order,
    create_order,
    order_seen,
    release_order_line,
    ship_order,
)
from gateway.services.printing import print_done, print_failed, print_started
from gateway.services.receiving import post_receiving, scan_into_receiving, start_receiving
from tests import builders
from tests.asyncapi_contract import Contract, load_document
from tests.builders import CASHIER, MANAGER, hire, order

TEA = "4601234567893"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(load_document())


def detail(shop, order_id: str) -> dict:
    with closing(shop.db.reader()) as conn:
        return order_detail(conn, order_id, datetime.now(UTC))


def counts(shop) -> dict:
    with closing(shop.db.reader()) as conn:
        return board_counts(conn, datetime.now(UTC))


def published(shop, contract, event_type: str) -> list[dict]:
    """The events of a type, each validated as the cloud receives it."""
    found = []
    for event in shop.events(event_type):
        data = {k: v for k, v in event.items() if k not in ("seq", "type")}
        message = {"v": 1, "id": f"e-{event['seq']}", "type": event_type}
        message |= {"ts": "2026-11-27T10:15:00.000000Z", "seq": event["seq"], "data": data}
        contract.check("out/events", message)
        found.append(data)
    return found


def last_stock(shop, sku: str) -> dict:
    items = [i for e in shop.events("stock.changed") for i in e["items"] if i["sku"] == sku]
    return items[-1]


# --- release a line's reserve ---------------------------------------------------------------


def test_a_released_line_gives_its_units_to_waiting_orders_first_come_and_the_rest_to_the_shop(
    shop, contract
):
    shop.stock(A=4, B=1)
    shop.run(create_order, order("W-1", ("A", 3), ("B", 1)))
    shop.run(create_order, order("W-2", ("A", 2)))  # 1 reserved, 1 short
    shop.run(create_order, order("W-3", ("A", 1)))  # short, came later
    shop.run(create_order, order("W-4", ("A", 5)))  # short, came last: nothing left for it
    version = shop.order("W-1").version

    result = shop.run(
        release_order_line, "W-1", "1", by=MANAGER, reason="no_show", expected_version=version
    )

    assert result["status"] == "reserved"  # line 2 still held
    assert result["lines"][0] | {"reserved": 0, "cancelled": 3, "short": 0} == result["lines"][0]
    assert [o["order_id"] for o in result["filled_orders"]] == ["W-2", "W-3", "W-4"]
    assert (shop.order("W-2").status, shop.order("W-3").status) == ("reserved", "reserved")
    assert shop.order("W-4").lines[0].qty_reserved == 1  # FIFO: the last comer gets what is left
    [released] = published(shop, contract, "order.released")
    assert released == {
        "order_id": "W-1",
        "lines": [{"line_id": "1", "sku": "A", "qty": 3}],
        "reason": "no_show",
        "by": MANAGER.name,
        "staff_id": MANAGER.id,
        "order_status": "reserved",
    }
    stock = last_stock(shop, "A")
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (4, 4, 0)


def test_freed_units_nobody_waits_for_become_available_to_the_web_shop(shop, contract):
    shop.stock(A=5, B=1)
    shop.run(create_order, order("W-1", ("A", 2), ("B", 1)))
    shop.run(release_order_line, "W-1", "1", by=MANAGER, reason="other", text="брак")
    assert last_stock(shop, "A")["available"] == 5
    [released] = published(shop, contract, "order.released")
    assert released["reason"] == "other" and released["text"] == "брак"


def test_the_last_open_line_or_an_empty_one_is_not_released(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 1)))
    shop.run(ship_order, "W-1", by=CASHIER, lines={"2": 1})
    with pytest.raises(InvalidTransition) as last:
        shop.run(release_order_line, "W-1", "1", by=MANAGER, reason="no_show")
    assert last.value.reason == "last_line"
    with pytest.raises(InvalidTransition) as empty:
        shop.run(release_order_line, "W-1", "2", by=MANAGER, reason="no_show")
    assert empty.value.reason == "nothing_to_release"
    with pytest.raises(InvalidInput):
        shop.run(release_order_line, "W-1", "9", by=MANAGER, reason="no_show")
    assert shop.level("A").reserved == 1 and shop.events("order.released") == []


def test_a_release_needs_a_reason_from_the_list(shop):
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 1)))
    for reason, text in (("customer", None), ("other", None), ("other", "  "), (None, None)):
        with pytest.raises(InvalidInput) as refused:
            shop.run(release_order_line, "W-1", "1", by=MANAGER, reason=reason, text=text)
        assert refused.value.reason == "bad_reason"
    assert shop.level("A").reserved == 1


# --- cancel with a reason -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "text"),
    [("no_show", None), ("not_paid", None), ("no_goods", None), ("other", "передумал")],
)
def test_staff_cancel_with_each_reason_tells_the_cloud_why_and_who(shop, contract, reason, text):
    shop.stock(A=2)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(cancel_order, "W-1", by=MANAGER, reason=reason, text=text)
    [cancelled] = published(shop, contract, "order.cancelled")
    expected = {"reason": reason, "by": MANAGER.name, "staff_id": MANAGER.id}
    assert cancelled | expected == cancelled
    assert cancelled.get("text") == text
    assert last_stock(shop, "A")["available"] == 2
    [history] = [h for h in detail(shop, "W-1")["history"] if h["what"] == "cancelled"]
    assert history["detail"]["reason"] == reason and history["by"] == MANAGER.name


def test_a_staff_cancel_with_a_reason_not_on_the_list_is_refused_the_clouds_is_its_own(shop):
    shop.stock(A=2)
    shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(create_order, order("W-2", ("A", 1)))
    with pytest.raises(InvalidInput):
        shop.run(cancel_order, "W-1", by=MANAGER, reason="customer")
    with pytest.raises(InvalidInput):
        shop.run(cancel_order, "W-1", by=MANAGER, reason="other")  # other: say why
    assert shop.order("W-1").status == "reserved"
    shop.run(cancel_order, "W-2", by=CLOUD, reason="customer")
    [cancelled] = shop.events("order.cancelled")
    assert (cancelled["order_id"], cancelled["reason"], cancelled["by"]) == (
        "W-2",
        "customer",
        "cloud",
    )


# --- manager-only, stale screens, double taps -----------------------------------------------


def test_a_cashier_needs_a_managers_pin_to_cancel_or_release(shop):
    shop.run(hire)
    shop.stock(A=5, B=5)
    shop.run(create_order, order("W-1", ("A", 1), ("B", 1)))
    shop.run(create_order, order("W-2", ("A", 1)))
    for action, args in ((release_order_line, ("W-1", "1")), (cancel_order, ("W-2",))):
        with pytest.raises(Forbidden) as refused:
            shop.run(action, *args, by=CASHIER, reason="no_show")
        assert refused.value.reason == "needs_manager"
    assert shop.level("A").reserved == 2
    approved = CASHIER.approved(MANAGER)
    shop.run(release_order_line, "W-1", "1", by=approved, reason="no_show")
    shop.run(cancel_order, "W-2", by=approved, reason="not_paid")
    assert shop.level("A").reserved == 0
    assert shop.events("order.released")[0]["by"] == CASHIER.name
    with closing(shop.db.reader()) as conn:
        overrides = conn.execute(
            "SELECT staff_id, approved_by, detail FROM audit WHERE kind = 'override'"
        ).fetchall()
    assert [(r[0], r[1]) for r in overrides] == [(CASHIER.id, MANAGER.id)] * 2


def test_a_stale_screen_is_refused_and_a_double_tap_does_one_thing(shop):
    shop.stock(A=5, B=5)
    created = shop.run(create_order, order("W-1", ("A", 1), ("B", 1)))
    first = shop.run(confirm_order, "W-1", by=CASHIER, expected_version=1, idem_key="c1")
    again = shop.run(confirm_order, "W-1", by=CASHIER, expected_version=1, idem_key="c1")
    assert again["replayed"] and again["version"] == first["version"]
    with pytest.raises(StaleVersion):
        shop.run(confirm_order, "W-1", by=CASHIER, expected_version=1, idem_key="c2")
    with pytest.raises(StaleVersion):
        shop.run(
            release_order_line,
            "W-1",
            "1",
            by=MANAGER,
            reason="no_show",
            expected_version=created["version"],
        )
    tap = {"by": MANAGER, "reason": "no_goods", "expected_version": first["version"]}
    one = shop.run(release_order_line, "W-1", "1", idem_key="r1", **tap)
    two = shop.run(release_order_line, "W-1", "1", idem_key="r1", **tap)
    assert two["replayed"] and two["version"] == one["version"]
    assert len(shop.events("order.released")) == 1 and len(shop.events("order.confirmed")) == 1


# --- history and «seen» ---------------------------------------------------------------------


def test_the_history_says_who_did_what(shop):
    shop.run(hire)
    shop.stock(A=1, B=5)
    shop.run(create_order, order("W-1", ("A", 2), ("B", 2)))
    shop.run(order_seen, "W-1", by=CASHIER)
    shop.run(confirm_order, "W-1", by=CASHIER)
    shop.run(print_pick_slip, "W-1", by=CASHIER)
    shop.run(ship_order, "W-1", by=CASHIER, lines={"2": 1})
    shop.run(edit_order, builders.order("W-1", ("A", 2), ("B", 2), version=2), by=CLOUD)
    shop.run(release_order_line, "W-1", "1", by=MANAGER, reason="no_goods")
    history = detail(shop, "W-1")["history"]
    assert [(h["what"], h["by"], h["staff_id"]) for h in history] == [
        ("arrived", "cloud", None),
        ("seen", CASHIER.name, CASHIER.id),
        ("confirmed", CASHIER.name, CASHIER.id),
        ("pick_slip", CASHIER.name, CASHIER.id),
        ("shipped", CASHIER.name, CASHIER.id),
        ("edited", "cloud", None),
        ("released", MANAGER.name, MANAGER.id),
    ]
    assert history[0]["detail"] == {"reserved": 3, "short": 1}
    assert history[0]["text"] == "Заказ пришёл, в резерве 3 шт., не хватает 1 шт."
    assert history[4]["detail"]["qty"] == 1 and history[4]["ref"] == "W-1/S1"
    assert history[6]["text"] == "Снят резерв A: 1 шт. (нет товара)"
    assert all(h["at"] for h in history)


def test_the_history_says_whether_the_pick_slip_was_printed(shop):
    shop.stock(A=2)
    shop.run(create_order, order("W-1", ("A", 1)))

    def slip_words() -> list[str]:
        return [h["text"] for h in detail(shop, "W-1")["history"] if h["what"] == "pick_slip"]

    job = shop.run(print_pick_slip, "W-1", by=CASHIER)
    assert slip_words() == ["Сборочный лист ждёт печати"]  # the printer may be off
    shop.run(print_started, job)
    shop.run(print_done, job)
    again = shop.run(print_pick_slip, "W-1", by=CASHIER)
    shop.run(print_started, again)
    shop.run(print_failed, again, "no paper")
    assert slip_words() == [
        "Напечатан сборочный лист",
        "Сборочный лист не напечатан: проверьте принтер",
    ]


def test_an_order_is_seen_once_and_seeing_it_changes_nothing_else(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 1)))
    shop.run(create_order, order("W-2", ("A", 1)))
    assert counts(shop)["unseen"] == 2 and counts(shop)["latest"] == 2
    version = shop.order("W-1").version
    assert shop.run(order_seen, "W-1", by=CASHIER)["first"] is True
    assert shop.run(order_seen, "W-1", by=MANAGER)["first"] is False
    seen = detail(shop, "W-1")
    assert (seen["seen"], seen["seen_by"], seen["version"]) == (True, CASHIER.name, version)
    assert [h["what"] for h in seen["history"]].count("seen") == 1
    assert counts(shop)["unseen"] == 1
    shop.run(confirm_order, "W-2", by=MANAGER)  # acting on it is seeing it
    assert counts(shop)["unseen"] == 0 and detail(shop, "W-2")["confirmed_at"]


# --- goods arriving fill waiting orders -----------------------------------------------------


def test_a_posted_receiving_says_which_waiting_orders_it_filled(shop):
    tea = builders.product(
        "P-TEA", [builders.variant("TEA", barcodes=[{"code": TEA, "pack": 1}])], []
    )
    shop.load_catalog(tea)
    shop.stock(TEA=0, A=0)
    shop.run(create_order, order("W-1", ("TEA", 1)))
    shop.run(create_order, order("W-2", ("TEA", 2), ("A", 1)))  # stays short: no A
    shop.run(create_order, order("W-3", ("TEA", 1)))  # nothing left for it
    doc = shop.run(start_receiving, by=MANAGER)["doc_id"]
    shop.run(scan_into_receiving, doc, TEA, by=MANAGER, qty=3)

    posted = shop.run(post_receiving, doc, by=MANAGER)

    assert posted["filled_orders"] == [
        {"order_id": "W-1", "number": "W-1", "status": "reserved"},
        {"order_id": "W-2", "number": "W-2", "status": "short"},
    ]
    again = shop.run(post_receiving, doc, by=MANAGER)
    assert again["already"] and again["filled_orders"] == posted["filled_orders"]
    [refilled] = [h for h in detail(shop, "W-1")["history"] if h["what"] == "refilled"]
    assert (refilled["ref"], refilled["by"], refilled["detail"]) == (
        f"receiving {doc}",
        MANAGER.name,
        {"sku": "TEA", "qty": 1},
    )
    assert shop.order("W-3").status == "short"


def test_the_detail_shows_each_line_with_its_product_and_characteristics(shop):
    shirt = builders.product(
        "TS", [builders.variant("TS-RED-M", 150000, Цвет="красный", Размер="M")], article="TS-01"
    )
    shop.load_catalog(shirt)
    shop.stock(**{"TS-RED-M": 1})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))
    [line] = detail(shop, "W-1")["lines"]
    assert (
        line
        | {
            "name": "Товар TS",
            "article": "TS-01",
            "characteristics": {"Цвет": "красный", "Размер": "M"},
            "ordered": 2,
            "reserved": 1,
            "shipped": 0,
            "short": 1,
        }
        == line
    )
    with closing(shop.db.reader()) as conn:
        [text] = conn.execute("SELECT search_text FROM customer_order").fetchone()
    assert "анна" in text and "79001234567" in text and "ts-red-m" in text
    assert json.loads(json.dumps(detail(shop, "W-1")))  # plain JSON all through
