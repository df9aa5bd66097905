"""The back-office simulator's pure parts: envelopes, the in-order inbound stream (dedupe, gaps,
acks), the web shop's stock view, the catalog and the order generator. No broker."""

import json
import random

import pytest

from simulators.backoffice.model import (
    Inbound,
    ShopView,
    WebShop,
    ean13_check_digit,
    initial_stock,
    make_catalog,
    make_envelope,
    percentile,
)
from simulators.backoffice.outbound import Outbound


def wire(type_: str, data: dict, seq: int | None, msg_id: str | None = None) -> bytes:
    return json.dumps(make_envelope(type_, data, seq=seq, msg_id=msg_id)).encode()


def stock(seq: int, full: bool = False, **available: int) -> bytes:
    items = [{"sku": s, "on_hand": n, "reserved": 0, "available": n} for s, n in available.items()]
    return wire("stock.changed", {"full": full, "items": items}, seq)


def rejected(seq: int, order_id: str = "W-1", msg_id: str | None = None) -> bytes:
    data = {"order_id": order_id, "reason": "unknown_sku", "detail": "x"}
    return wire("order.rejected", data, seq, msg_id)


def status(**data) -> bytes:
    return wire("gateway.status", {"online": True} | data, None)


# --- envelopes, catalog, stock ----------------------------------------------------------------


def test_envelope_shape():
    env = make_envelope("stock.set", {"items": []}, seq=3)
    assert list(env) == ["v", "id", "type", "ts", "seq", "data"]
    assert env["v"] == 1 and env["seq"] == 3 and len(env["id"]) <= 64
    assert "seq" not in make_envelope("sync.ack", {"through_seq": 1})


def test_ean13_check_digit_matches_the_contract_example():
    assert ean13_check_digit("460123456789") == "3"  # 4601234567893 in MQTT-CONTRACT.md


def test_catalog_follows_the_characteristic_rules():
    catalog = make_catalog(30, 5)
    assert catalog["full"] is True and len(catalog["products"]) == 30
    skus, codes = set(), set()
    for product in catalog["products"]:
        assert product["characteristics"] == ["Цвет", "Размер"] and product["vat"] == "vat22"
        combos = {tuple(sorted(v["characteristics"].items())) for v in product["variants"]}
        assert len(combos) == len(product["variants"]) == 5
        for variant in product["variants"]:
            assert set(variant["characteristics"]) == {"Цвет", "Размер"}
            assert all(variant["characteristics"].values())
            assert isinstance(variant["price"], int) and variant["price"] > 0
            (barcode,) = variant["barcodes"]
            code = barcode["code"]
            assert len(code) == 13 and code[-1] == ean13_check_digit(code[:12])
            skus.add(variant["sku"])
            codes.add(code)
    assert len(skus) == len(codes) == 150


def test_simple_products_have_one_variant_without_characteristics():
    (product,) = make_catalog(1, 0)["products"]
    assert product["characteristics"] == [] and len(product["variants"]) == 1
    assert product["variants"][0]["characteristics"] == {}
    with pytest.raises(ValueError):
        make_catalog(1, 49)


def test_initial_stock():
    catalog = make_catalog(2, 3)
    data = initial_stock(catalog, 4)
    assert data["reason"] == "initial" and {i["on_hand"] for i in data["items"]} == {4}
    varied = initial_stock(catalog, 4, random.Random(1))
    assert all(0 <= i["on_hand"] <= 8 for i in varied["items"]) and len(varied["items"]) == 6


# --- inbound stream ---------------------------------------------------------------------------


def test_in_order_apply_holds_early_messages_and_drops_duplicates():
    inbound = Inbound()
    assert inbound.receive("events", rejected(2, "W-2", msg_id="b"), 0.0).outcome == "held"
    assert inbound.applied_through == 0 and inbound.view.orders == {}
    assert inbound.receive("events", rejected(1, "W-1", msg_id="a"), 0.1).outcome == "applied"
    assert inbound.applied_through == 2 and [e["seq"] for e in inbound.events()] == [1, 2]
    inbound.receive("events", rejected(2, "W-2", msg_id="b"), 0.2)  # same id and seq
    inbound.receive("events", rejected(2, "W-2", msg_id="c"), 0.2)  # same seq, new id
    inbound.receive("events", rejected(3, "W-3", msg_id="a"), 0.2)  # same id, new seq
    assert inbound.duplicates == 3 and inbound.applied_through == 2 and len(inbound.received) == 2


def test_a_stale_snapshot_never_overwrites_a_newer_one():
    inbound = Inbound()
    inbound.receive("stock", stock(2, A=0), 0.0)  # the newer one arrives first
    inbound.receive("stock", stock(1, A=5), 0.0)
    assert inbound.view.available == {"A": 0}
    inbound.receive("stock", stock(3, full=True, B=2), 0.0)  # a resync replaces everything
    assert inbound.view.available == {"B": 2}


def test_gap_asks_replay_after_the_timeout_with_backoff_until_filled():
    inbound = Inbound(gap_timeout=1.0)
    inbound.receive("events", rejected(1), 0.0)
    inbound.receive("events", rejected(3, "W-3"), 0.0)
    assert inbound.due_replay(0.5) is None
    assert inbound.due_replay(1.0) == 2
    assert inbound.due_replay(1.5) is None and inbound.due_replay(2.0) == 2  # backoff 1 s
    assert inbound.due_replay(3.0) is None and inbound.due_replay(4.0) == 2  # then 2 s
    inbound.receive("events", rejected(2, "W-2"), 4.1)
    assert inbound.applied_through == 3 and inbound.due_replay(10.0) is None
    assert inbound.replays == 3


def test_a_live_status_reveals_a_lost_tail():
    inbound = Inbound(gap_timeout=1.0)
    inbound.receive("events", rejected(1), 0.0)
    inbound.receive("status", status(boot=1, out_seq=4), 0.0)
    assert inbound.due_replay(0.0) is None and inbound.due_replay(1.0) == 2


def test_a_last_will_never_lowers_the_head_a_live_status_raised():
    inbound = Inbound(gap_timeout=1.0)
    inbound.receive("events", rejected(1), 0.0)
    inbound.receive("status", status(boot=1, out_seq=4), 0.0)
    assert inbound.due_replay(0.0) is None  # the hole is seen
    # the will the broker publishes for the lost connection: the figures of its start
    inbound.receive("status", status(online=False, boot=1, out_seq=1), 0.5)
    assert inbound.due_replay(1.0) == 2


def test_malformed_messages_are_counted_never_raised():
    inbound = Inbound()
    garbage = [
        b"\xff\xfe",
        b"not json",
        b"[1, 2]",
        b'{"v": 2, "id": "x", "type": "order.rejected", "seq": 1, "data": {}}',
        b'{"v": 1, "id": "", "type": "order.rejected", "seq": 1, "data": {}}',
        b'{"v": 1, "id": "x", "type": "order.rejected", "seq": 0, "data": {}}',
        b'{"v": 1, "id": "x", "type": "order.rejected", "seq": true, "data": {}}',
        b'{"v": 1, "id": "x", "type": "order.rejected", "seq": 1, "data": []}',
        json.dumps({"v": 1, "id": "x" * 65, "type": "a", "seq": 1, "data": {}}).encode(),
        wire("gateway.status", {"online": "yes"}, None),
    ]
    for payload in garbage:
        assert inbound.receive("events", payload, 0.0).outcome == "error"
    assert inbound.protocol_errors == len(garbage) and inbound.applied_through == 0


def test_bad_data_consumes_its_seq_so_the_stream_goes_on():
    inbound = Inbound()
    bad = wire("stock.changed", {"items": [{"sku": "A", "on_hand": "x"}]}, 1)
    assert inbound.receive("stock", bad, 0.0).outcome == "invalid"
    assert inbound.receive("stock", rejected(2), 0.0).outcome == "invalid"  # wrong topic
    inbound.receive("events", wire("shift.opened", {"shift": 1}, 3), 0.0)
    inbound.receive("events", wire("vendor.extension", {}, 4), 0.0)
    assert inbound.applied_through == 4 and inbound.protocol_errors == 2
    assert inbound.view.available == {} and inbound.unknown_types == {"vendor.extension": 1}


def test_sync_resend_is_reported_once():
    inbound = Inbound()
    env = wire("sync.resend", {"from_seq": 7}, 2, msg_id="r")
    assert inbound.receive("events", env, 0.0).resend_from == 7  # even while seq 1 is missing
    assert inbound.receive("events", env, 0.1).resend_from is None


def test_status_ignores_an_older_boot_but_a_live_one_outranks_a_retained_leftover():
    inbound = Inbound()
    inbound.receive("status", status(boot=3), 0.0)
    assert inbound.receive("status", status(online=False, boot=2), 0.0).outcome == "stale_status"
    assert inbound.status["boot"] == 3 and inbound.status["online"] is True
    leftover = Inbound()  # a retained status from an earlier gateway life (wiped database)
    leftover.receive("status", status(boot=9, acked_seq=40), 0.0, retained=True)
    assert leftover.receive("status", status(boot=1), 0.0).outcome == "status"
    assert leftover.status["boot"] == 1 and leftover.applied_through == 0


def test_adopting_acked_seq_is_opt_in_and_live_only():
    inbound = Inbound(adopt_acked=True)
    inbound.receive("events", rejected(41), 0.0)
    inbound.receive("status", status(boot=1, acked_seq=40), 0.0, retained=True)
    assert inbound.applied_through == 0
    inbound.receive("status", status(boot=1, acked_seq=40), 0.0)
    assert inbound.applied_through == 41
    plain = Inbound()
    plain.receive("status", status(boot=1, acked_seq=40), 0.0)
    assert plain.applied_through == 0


def test_acks_every_n_and_when_idle_and_again_after_a_duplicate():
    inbound = Inbound()
    for seq in (1, 2, 3):
        inbound.receive("events", rejected(seq, f"W-{seq}"), 0.0)
    assert inbound.due_ack(0.0, every=5, idle=0.1) is None  # 3 < 5 and not idle yet
    assert inbound.due_ack(0.2, every=5, idle=0.1) == 3
    assert inbound.due_ack(0.3, every=5, idle=0.1) is None
    inbound.receive("events", rejected(3, "W-3"), 0.4)  # the gateway resent: our ack was lost?
    assert inbound.due_ack(0.45, every=5, idle=0.1) is None  # more resends may follow
    assert inbound.due_ack(0.6, every=5, idle=0.1) == 3
    for seq in range(4, 9):
        inbound.receive("events", rejected(seq, f"W-{seq}"), 1.0)
    assert inbound.due_ack(1.0, every=5, idle=0.1) == 8


# --- the web shop's view ----------------------------------------------------------------------


def test_view_flags_oversold_skus():
    view = ShopView()
    items = [
        {"sku": "OK", "on_hand": 3, "reserved": 1, "available": 2},
        {"sku": "OVER", "on_hand": 1, "reserved": 2, "available": 0},
        {"sku": "LIES", "on_hand": 1, "reserved": 0, "available": 3},
    ]
    view.apply({"type": "stock.changed", "data": {"items": items}}, 0.0)
    assert set(view.oversold) == {"OVER", "LIES"}
    lines = [{"line_id": "1", "sku": "OK", "qty": 4, "reserved": 4}]
    view.note_order_sent("W-1", 1.0)
    view.apply({"type": "order.reserved", "data": {"order_id": "W-1", "status": "reserved",
                                                   "lines": lines}}, 1.25)  # fmt: skip
    view.check_held()  # our orders hold 4 of OK, whose on_hand is 3
    assert "OK" in view.oversold and view.lags == [0.25]
    view.apply({"type": "order.cancelled", "data": {"order_id": "W-1"}}, 2.0)
    assert view.held_by_sku == {} and view.orders == {"W-1": "cancelled"}
    assert view.first_status == {"W-1": "reserved"}


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0 and percentile(list(range(100)), 99) == 98


# --- the web shop -----------------------------------------------------------------------------


def test_web_shop_orders_only_what_its_page_shows():
    catalog = make_catalog(3, 2)
    shop = WebShop(catalog, random.Random(5), cancel_ratio=0.0)
    available = {sku: 0 for sku in shop.prices} | {"A0002-RED-S": 2}
    for _ in range(20):
        data = shop.order(shop.page(available, answered={}))
        if data is None:
            break
        assert [line["sku"] for line in data["lines"]] == ["A0002-RED-S"]
    # Unanswered orders come off the page: two units, so at most two orders.
    assert 1 <= shop.count <= 2 and shop.page(available, {})["A0002-RED-S"] == 0
    answered = {order_id: "reserved" for order_id in shop.placed}
    assert shop.page(available, answered)["A0002-RED-S"] == 2


def test_burst_races_for_the_last_units_and_cancels_only_open_orders():
    catalog = make_catalog(2, 2)
    shop = WebShop(catalog, random.Random(1), cancel_ratio=1.0)
    page = {sku: 5 for sku in shop.prices} | {"A0001-RED-XS": 1}
    orders = shop.burst(page)
    assert 2 <= len(orders) <= 4
    assert all(o["lines"] == [{"line_id": "1", "sku": "A0001-RED-XS", "qty": 1,
                               "price": shop.prices["A0001-RED-XS"]}] for o in orders)  # fmt: skip
    assert shop.burst({sku: 0 for sku in shop.prices}) == []
    assert shop.maybe_cancel({}) is None  # nothing answered yet
    first = orders[0]["order_id"]
    assert shop.maybe_cancel({first: "short"}) == {"order_id": first, "reason": "customer"}
    assert shop.maybe_cancel({first: "short"}) is None  # never twice


def test_restock_when_most_skus_are_sold_out():
    shop = WebShop(make_catalog(3, 2), random.Random(1))  # 6 skus
    page = dict.fromkeys(shop.prices, 0) | {"A0001-RED-XS": 4}  # 1 of 6 on sale
    assert shop.restock(page, 5) == {
        "reason": "transfer_in",
        "items": [{"sku": s, "delta": 5} for s in sorted(shop.prices) if s != "A0001-RED-XS"],
    }
    assert shop.restock(page | {"A0002-RED-XS": 1}, 5) is None  # 2 of 6: a third on sale
    assert shop.restock(page, 0) is None


def test_web_shop_is_deterministic_for_a_seed():
    catalog = make_catalog(4, 3)
    a, b = (WebShop(catalog, random.Random(9)) for _ in range(2))
    page = {sku: 3 for sku in a.prices}
    assert [a.order(page) for _ in range(5)] == [b.order(page) for _ in range(5)]


# --- the cloud's outbox -----------------------------------------------------------------------


def test_outbound_seq_is_gapless_and_survives_a_restart(tmp_path):
    path = tmp_path / "state.jsonl"
    out = Outbound(path)
    for n in range(3):
        out.record(out.make("stock.adjust", {"n": n}), float(n), "in/stock")
    out.record(out.make("sync.ack", {"through_seq": 1}, seq=False), 3.0, "in/cmd")
    out.note_acked(5)
    with path.open("a") as f:
        f.write('{"sent": {"torn')  # a crash mid-write
    again = Outbound(path)
    assert again.resumed and again.last_seq == 3 and again.restored_ack == 5
    assert [e["seq"] for e in again.from_seq(2)] == [2, 3] and again.topics[2] == "in/stock"
    assert again.make("order.created", {})["seq"] == 4
    assert [e["seq"] for e in again.unapplied(1, sent_before=0.0)] == [2, 3]


def test_outbound_unapplied_waits_for_recent_messages_and_catch_up():
    out = Outbound()
    for n in range(1, 4):
        out.record(out.make("stock.adjust", {}), float(n), "in/stock")
    assert [e["seq"] for e in out.unapplied(1, sent_before=2.5)] == [2, 3]
    assert out.unapplied(1, sent_before=1.5) == []  # seq 2 is too recent to call lost
    assert out.catch_up(10) and out.make("x", {})["seq"] == 11 and not out.catch_up(5)
