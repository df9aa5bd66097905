"""The stock desk (issue 10 item 4, contract 1.1 `min_stock` / `stock.low`): thresholds from the
catalog, a manager's own and the configured default; `stock.low` once per crossing; a manager's
stock corrections with reasons; and the read side (search, card with history, goods running out)
on a real database, plus the JSON API with signed-in staff."""

from contextlib import closing

import pytest

from gateway.adapters.sqlite.stock_queries import low_stock, search_stock, sku_card
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidInput
from gateway.domain.staff import Forbidden
from gateway.services.catalog import apply_catalog
from gateway.services.orders import cancel_order, create_order, ship_order
from gateway.services.stock import correct_stock, set_min_stock, use_default_min_stock
from simulators.backoffice.shop import make_catalog
from simulators.backoffice.view import ShopView
from tests import builders
from tests.builders import CASHIER, MANAGER, hire, order

RED_M, RED_L = "TS-RED-M", "TS-RED-L"
RED_M_CODE = "4601234567893"


def shirts(min_m: int | None = 3, min_l: int | None = None) -> dict:
    red_m = builders.variant(RED_M, 129900, [{"code": RED_M_CODE}], Цвет="Красный", Размер="M")
    red_l = builders.variant(RED_L, 129900, Цвет="Красный", Размер="L")
    for variant, value in ((red_m, min_m), (red_l, min_l)):
        if value is not None:
            variant["min_stock"] = value
    return builders.product(
        "P-TS", [red_m, red_l], ["Цвет", "Размер"], name="Футболка Ёжик", article="TS-01"
    )


@pytest.fixture
def desk(shop):
    shop.run(hire)  # overrides are audited: the audit names staff rows
    shop.load_catalog(shirts())
    shop.stock(**{RED_M: 10, RED_L: 10})
    return shop


def lows(shop) -> list[dict]:
    return [{k: e[k] for k in ("sku", "available", "min_stock")} for e in shop.events("stock.low")]


def read(shop, query, *args, **kwargs):
    with closing(shop.db.reader()) as conn:
        return query(conn, *args, **kwargs)


# --- thresholds and stock.low ---------------------------------------------------------------------


def test_the_catalog_threshold_announces_stock_low_once_per_crossing(desk):
    desk.run(create_order, order("W-1", (RED_M, 6)))  # available 4: above 3
    assert lows(desk) == []
    desk.run(create_order, order("W-2", (RED_M, 1)))  # 3: at the threshold
    assert lows(desk) == [{"sku": RED_M, "available": 3, "min_stock": 3}]
    desk.run(create_order, order("W-3", (RED_M, 2)))  # 1: still low, not announced again
    assert len(lows(desk)) == 1
    desk.run(cancel_order, "W-1", by=MANAGER)  # 7: recovered
    desk.run(create_order, order("W-4", (RED_M, 5)))  # 2: a new crossing
    assert lows(desk)[1:] == [{"sku": RED_M, "available": 2, "min_stock": 3}]
    # In the same transaction as the change: right after that change's stock.changed.
    types = [e["type"] for e in desk.events()]
    at = len(types) - 1 - types[::-1].index("stock.low")
    assert types[at - 1] == "stock.changed"


def test_a_manager_override_outlives_the_catalog_and_none_gives_it_back(desk):
    assert desk.run(set_min_stock, RED_M, 12, by=MANAGER) == {
        "sku": RED_M,
        "min_stock": 12,
        "min_source": "local",
    }
    assert lows(desk) == [{"sku": RED_M, "available": 10, "min_stock": 12}]  # the change crossed
    desk.load_catalog(shirts(min_m=5))  # the cloud sends the catalog again
    card = read(desk, sku_card, RED_M)
    assert (card["min_stock"], card["min_source"], card["catalog_min"]) == (12, "local", 5)
    assert desk.run(set_min_stock, RED_M, None, by=MANAGER)["min_source"] == "catalog"
    card = read(desk, sku_card, RED_M)
    assert (card["min_stock"], card["low"]) == (5, False)
    assert desk.run(set_min_stock, RED_M, 0, by=MANAGER) == {
        "sku": RED_M,
        "min_stock": 0,
        "min_source": "local",  # switched off for this sku, whatever the catalog says
    }


def test_a_catalog_threshold_that_changes_can_cross_too(desk):
    desk.load_catalog(shirts(min_m=10))
    assert lows(desk) == [{"sku": RED_M, "available": 10, "min_stock": 10}]
    desk.load_catalog(shirts(min_m=10))  # the same again: nothing new
    assert len(lows(desk)) == 1


def test_the_default_applies_to_skus_without_a_threshold(desk):
    desk.run(use_default_min_stock, 10)  # the gateway's start with [stock] default_min = 10
    assert lows(desk) == [{"sku": RED_L, "available": 10, "min_stock": 10}]  # M keeps its 3
    assert desk.run(use_default_min_stock, 10)["changed"] is False
    assert [r["sku"] for r in read(desk, low_stock, 10)] == [RED_L]
    assert read(desk, low_stock, 0) == []  # without the default, L has no threshold


def test_low_stock_lists_the_most_urgent_first_with_what_is_reserved(desk):
    desk.stock(MUG=0)
    desk.run(set_min_stock, "MUG", 2, by=MANAGER)
    desk.run(create_order, order("W-1", (RED_M, 8)))
    rows = read(desk, low_stock, 0)
    assert [r["sku"] for r in rows] == ["MUG", RED_M]  # none left first
    assert rows[1] == {
        "sku": RED_M,
        "name": "Футболка Ёжик (Красный, M)",
        "characteristics": {"Размер": "M", "Цвет": "Красный"},
        "on_hand": 10,
        "reserved": 8,
        "available": 2,
        "min_stock": 3,
    }


def test_a_sku_never_stocked_is_not_running_out(shop):
    shop.load_catalog(shirts(min_m=3))  # new skus at 0: nothing has run out yet
    assert lows(shop) == []


def test_min_stock_in_the_catalog_is_validated():
    bad = shirts()
    bad["variants"][0]["min_stock"] = -1
    upsert = parse_catalog_upsert(builders.catalog(bad))
    assert upsert.products == [] and "min_stock" in upsert.rejected[0].detail


# --- corrections ----------------------------------------------------------------------------------


def test_a_correction_with_a_reason_is_in_the_ledger_and_the_event(desk):
    done = desk.run(correct_stock, RED_M, on_hand=7, reason="damage", note="порван шов", by=MANAGER)
    assert (done["delta"], done["on_hand"], done["available"]) == (-3, 7, 7)
    adjusted = desk.events("stock.adjusted")[-1]
    assert adjusted["items"] == [{"sku": RED_M, "delta": -3, "on_hand": 7}]
    assert (adjusted["reason"], adjusted["note"], adjusted["by"], adjusted["staff_id"]) == (
        "damage",
        "порван шов",
        MANAGER.name,
        MANAGER.id,
    )
    desk.run(correct_stock, RED_M, delta=2, reason="found", by=MANAGER)
    history = read(desk, sku_card, RED_M)["history"]
    assert [(m["reason"], m["d_on_hand"], m["by"], m["staff_id"]) for m in history[:2]] == [
        ("manual_adjust", 2, MANAGER.name, MANAGER.id),
        ("manual_adjust", -3, MANAGER.name, MANAGER.id),
    ]
    assert history[1]["correction"] == {"reason": "damage", "note": "порван шов"}


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"on_hand": 5, "reason": "mood"}, "bad_reason"),
        ({"on_hand": 5, "reason": "other"}, "bad_note"),  # «другое» says what
        ({"on_hand": 10, "reason": "found"}, "no_change"),
        ({"delta": -11, "reason": "loss"}, "negative_stock"),
        ({"on_hand": 5, "delta": 1, "reason": "loss"}, "invalid"),
        ({"on_hand": 2.5, "reason": "loss"}, "invalid"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(desk, kwargs, reason):
    with pytest.raises(InvalidInput) as refused:
        desk.run(correct_stock, RED_M, by=MANAGER, **kwargs)
    assert refused.value.reason == reason
    assert desk.level(RED_M).on_hand == 10


def test_on_hand_never_goes_below_what_is_reserved(desk):
    desk.run(create_order, order("W-1", (RED_M, 4)))
    with pytest.raises(InvalidInput) as refused:
        desk.run(correct_stock, RED_M, on_hand=3, reason="loss", by=MANAGER)
    assert refused.value.reason == "below_reserved"
    assert "отмените заказы или снимите с них резерв" in refused.value.detail
    assert desk.level(RED_M).on_hand == 10 and desk.order("W-1").status == "reserved"
    desk.run(correct_stock, RED_M, on_hand=4, reason="loss", by=MANAGER)  # exactly the reserve
    assert (desk.level(RED_M).on_hand, desk.level(RED_M).available) == (4, 0)


def test_a_cashier_needs_a_manager_and_the_override_is_audited(desk):
    with pytest.raises(Forbidden):
        desk.run(correct_stock, RED_M, on_hand=9, reason="loss", by=CASHIER)
    with pytest.raises(Forbidden):
        desk.run(set_min_stock, RED_M, 4, by=CASHIER)
    assert desk.level(RED_M).on_hand == 10
    approved = CASHIER.approved(MANAGER)
    desk.run(correct_stock, RED_M, on_hand=9, reason="loss", by=approved)
    assert desk.events("stock.adjusted")[-1]["by"] == CASHIER.name
    with closing(desk.db.reader()) as conn:
        kinds = [tuple(r) for r in conn.execute("SELECT kind, staff_id, approved_by FROM audit")]
    assert ("override", CASHIER.id, MANAGER.id) in kinds


def test_an_increase_fills_a_short_order_and_a_double_tap_corrects_once(desk):
    desk.run(create_order, order("W-1", (RED_M, 12)))
    assert desk.order("W-1").status == "short"
    for _ in range(2):
        done = desk.run(correct_stock, RED_M, delta=2, reason="found", by=MANAGER, idem_key="tap-1")
    assert done["orders_filled"] == ["W-1"] and done.get("replayed") is True
    assert desk.level(RED_M).on_hand == 12 and desk.order("W-1").status == "reserved"
    assert desk.events("order.reserved")[-1]["status"] == "reserved"


# --- the read side --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["ёжик", "ЕЖИК", "футб КРАСН", "Ts-01", "tS-red-m", "ик кр"])
def test_search_finds_cyrillic_and_latin_in_any_case(desk, text):
    found = read(desk, search_stock, text)
    assert {item["sku"] for item in found["items"]} >= {RED_M}, text


def test_search_by_barcode_puts_the_exact_item_first(desk):
    desk.load_catalog(builders.simple_product("OTHER-4601234567893"))
    found = read(desk, search_stock, RED_M_CODE)
    assert found["exact"] == 1 and found["items"][0]["sku"] == RED_M
    item = found["items"][0]
    assert item["characteristics"] == [
        {"name": "Цвет", "value": "Красный"},
        {"name": "Размер", "value": "M"},
    ]
    assert (item["on_hand"], item["reserved"], item["available"]) == (10, 0, 10)
    assert (item["min_stock"], item["min_source"], item["low"]) == (3, "catalog", False)
    assert read(desk, search_stock, "нет такого")["items"] == []


def test_search_is_limited_and_says_there_is_more(shop):
    shop.load_catalog(
        *[builders.simple_product(f"CUP-{n}") for n in range(30)]  # "Товар P-CUP-n"
    )
    found = read(shop, search_stock, "cup", 10)
    assert len(found["items"]) == 10 and found["more"] is True


def test_the_card_shows_the_history_with_orders_and_who(desk):
    desk.run(create_order, order("W-1", (RED_M, 2)))
    desk.run(create_order, order("W-2", (RED_M, 1)))
    desk.run(ship_order, "W-2", by=CASHIER)
    desk.run(correct_stock, RED_M, on_hand=11, reason="found", by=MANAGER)
    card = read(desk, sku_card, RED_M)
    assert card["orders"] == [  # the orders holding a reserve now; W-2 is shipped
        {"order_id": "W-1", "number": "W-1", "status": "reserved", "reserved": 2, "short": 0}
    ]
    assert card["barcodes"] == [{"code": RED_M_CODE, "pack": 1}]
    reasons = [(m["reason"], m["order_id"], m["by"]) for m in card["history"]]
    assert reasons == [  # the moves of goods; a reserve is the order's own history (m020)
        ("manual_adjust", None, MANAGER.name),
        ("ship", "W-2", CASHIER.name),
        ("cloud_set", None, None),
    ]
    assert read(desk, sku_card, "NOPE") is None


# --- the back-office simulator --------------------------------------------------------------------


def test_the_simulated_back_office_sends_thresholds_and_takes_stock_low(shop):
    catalog = make_catalog(3, 2)
    thresholds = [v.get("min_stock") for p in catalog["products"] for v in p["variants"]]
    assert 2 in thresholds and None in thresholds
    assert shop.run(apply_catalog, parse_catalog_upsert(catalog))["rejected"] == []
    view = ShopView()
    view.apply({"type": "stock.low", "data": {"sku": "A", "available": 1, "min_stock": 2}}, 0.0)
    assert view.running_out == {"A": {"available": 1, "min_stock": 2}}
    up = {"full": False, "items": [{"sku": "A", "on_hand": 5, "reserved": 0, "available": 5}]}
    view.apply({"type": "stock.changed", "data": up}, 1.0)
    assert view.running_out == {}
