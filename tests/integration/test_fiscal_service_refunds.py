"""The fiscal service against a real database: refunds (what can be refunded, how often, to
which payment, the goods back on the shelf or not, marked items by their code)."""

import pytest

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    QUEUED,
    SELL,
    SELL_REFUND,
    SUBJECT_MARKED,
    Payments,
)
from gateway.services.fiscal import receipt_failed, receipt_sending
from gateway.services.orders import create_order, ship_order
from gateway.services.refunds import refund
from tests.builders import CASHIER, MANAGER, order
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    all_jobs,
    code,
    fiscalise,
    job,
    ledger,
    marked_goods,
    sale,
    snapshot,
    sold_and_fiscalised,
    staff,
)

# --- helpers ----------------------------------------------------------------------------------


# --- refunds ----------------------------------------------------------------------------------


def test_only_a_fiscalised_sell_receipt_can_be_refunded(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    with pytest.raises(InvalidTransition, match="not fiscalised yet"):
        shop.run(refund, receipt_id, None, by=MANAGER)
    with pytest.raises(NotFound):
        shop.run(refund, 999, None, by=MANAGER)
    fiscalise(shop, receipt_id, fd=10)
    refund_id = shop.run(refund, receipt_id, None, by=MANAGER)["receipt_id"]
    fiscalise(shop, refund_id, fd=11)
    with pytest.raises(NotFound):  # a refund of a refund
        shop.run(refund, refund_id, None, by=MANAGER)


def test_full_refund_puts_the_goods_back_and_returns_the_cash_without_the_change(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 50000}, change=20000)
    assert shop.level("A").on_hand == 2
    result = shop.run(refund, sold, None, by=MANAGER)
    refund_id = result["receipt_id"]
    assert result == {
        "receipt_id": refund_id,
        "kind": SELL_REFUND,
        "state": QUEUED,
        "total": 30000,
        "change": 0,
    }
    back = job(shop, refund_id)
    assert (back.kind, back.refund_of, back.state) == (SELL_REFUND, sold, QUEUED)
    assert back.draft.payments == Payments(cash=30000, card=0)
    assert (back.draft.cashier, back.draft.cashier_inn) == (MANAGER.name, MANAGER.inn)
    assert [(i.sku, i.qty, i.price) for i in back.draft.items] == [("A", 3, 10000)]
    assert shop.level("A").on_hand == 5
    assert ledger(shop, "A")[-1] == ("return", 3, 0, f"receipt/{refund_id}", MANAGER.name)
    adjusted = shop.events("stock.adjusted")[-1]
    assert (adjusted["reason"], adjusted["receipt_id"], adjusted["by"]) == (
        "return",
        refund_id,
        MANAGER.name,
    )
    assert adjusted["items"] == [{"sku": "A", "delta": 3, "on_hand": 5}]


def test_refunding_twice_is_refused_and_changes_nothing(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    shop.run(refund, sold, None, by=MANAGER)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="nothing left to refund") as exc:
        shop.run(refund, sold, None, by=MANAGER)
    assert exc.value.reason == "already_refunded"
    with pytest.raises(InvalidInput, match="1 × A asked back, 0 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    assert snapshot(shop) == before
    assert shop.level("A").on_hand == 5


def test_partial_refunds_never_exceed_what_was_sold(shop):
    shop.stock(A=5, B=5)
    sold = sold_and_fiscalised(shop, ("A", 3), ("B", 1))
    with pytest.raises(InvalidInput, match="4 × A asked back, 3 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 4}]}, by=MANAGER)
    with pytest.raises(InvalidInput, match="2 × A asked back, 1 left"):  # 2 + 2 > 3 in one go
        shop.run(
            refund, sold, {"items": [{"sku": "A", "qty": 2}, {"sku": "A", "qty": 2}]}, by=MANAGER
        )
    with pytest.raises(InvalidInput, match="C asked back, 0 left"):
        shop.run(refund, sold, {"items": [{"sku": "C", "qty": 1}]}, by=MANAGER)
    first = shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    assert first["total"] == 20000
    with pytest.raises(InvalidInput, match="2 × A asked back, 1 left"):
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    rest = shop.run(refund, sold, None, by=MANAGER)  # whatever is left: 1 A and 1 B
    items = job(shop, rest["receipt_id"]).draft.items
    assert sorted((i.sku, i.qty) for i in items) == [("A", 1), ("B", 1)]
    assert (shop.level("A").on_hand, shop.level("B").on_hand) == (5, 5)


def test_a_queued_refund_already_counts_against_the_receipt(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 1))
    refund_id = shop.run(refund, sold, None, by=MANAGER)["receipt_id"]
    shop.run(receipt_sending, refund_id, 10)
    shop.run(receipt_failed, refund_id, "paper out")
    with pytest.raises(InvalidInput, match="nothing left"):
        shop.run(refund, sold, None, by=MANAGER)


def test_refunding_a_marked_item_by_its_code(shop):
    marked_goods(shop, on_hand=3)
    codes = [code("serial0001"), code("serial0002"), code("serial0003")]
    sold = sold_and_fiscalised(shop, ("M", 3, codes), payment="card")
    result = shop.run(
        refund, sold, {"items": [{"sku": "M", "marking_codes": [codes[1]]}]}, by=MANAGER
    )
    [item] = job(shop, result["receipt_id"]).draft.items
    assert (item.qty, item.subject, item.marking_code) == (1, SUBJECT_MARKED, codes[1])
    assert job(shop, result["receipt_id"]).draft.payments == Payments(cash=0, card=50000)
    assert shop.level("M").on_hand == 1
    before = snapshot(shop)
    for bad, why in (
        ([codes[1]], "serial0002 of M is already refunded"),
        ([code("never-sold")], "never-sold of M was not sold on this receipt"),
        ([codes[0], codes[0]], "serial0001 is scanned twice"),
        ([], "no marking codes"),
    ):
        with pytest.raises(InvalidInput, match=why) as refused:
            shop.run(refund, sold, {"items": [{"sku": "M", "marking_codes": bad}]}, by=MANAGER)
        assert refused.value.reason in ("refund_code", "refund_codes_needed")
    with pytest.raises(InvalidInput, match="is marked: scan the codes") as refused:
        shop.run(refund, sold, {"items": [{"sku": "M", "qty": 1}]}, by=MANAGER)
    assert refused.value.reason == "refund_codes_needed"
    assert snapshot(shop) == before
    rest = shop.run(refund, sold, None, by=MANAGER)
    assert [i.marking_code for i in job(shop, rest["receipt_id"]).draft.items] == [
        codes[0],
        codes[2],
    ]


def test_a_marked_code_pasted_without_gs_or_typed_from_the_label_names_the_piece(shop):
    marked_goods(shop, on_hand=2)
    codes = [code("serial0001"), code("serial0002")]
    sold = sold_and_fiscalised(shop, ("M", 2, codes), payment="card")
    pasted = {"items": [{"sku": "M", "marking_codes": [codes[1].replace("\x1d", "")]}]}
    result = shop.run(refund, sold, pasted, by=MANAGER)
    assert [i.marking_code for i in job(shop, result["receipt_id"]).draft.items] == [codes[1]]
    typed = {"items": [{"sku": "M", "marking_codes": ["0104601234567893215serial0001"]}]}
    result = shop.run(refund, sold, typed, by=MANAGER)  # GTIN and serial, from the label
    assert [i.marking_code for i in job(shop, result["receipt_id"]).draft.items] == [codes[0]]


def test_all_marked_pieces_left_go_back_by_count_with_the_receipts_codes(shop):
    marked_goods(shop, on_hand=3)
    shop.stock(A=5)
    codes = [code("serial0001"), code("serial0002"), code("serial0003")]
    sold = sold_and_fiscalised(shop, ("M", 3, codes), ("A", 2), payment="card")
    first = {"items": [{"sku": "M", "marking_codes": [codes[0]]}]}
    shop.run(refund, sold, first, by=MANAGER)
    rest = {"items": [{"sku": "M", "qty": 2}, {"sku": "A", "qty": 1}]}  # all of M, part of A
    result = shop.run(refund, sold, rest, by=MANAGER)
    items = job(shop, result["receipt_id"]).draft.items
    assert sorted((i.sku, i.marking_code, i.qty) for i in items if i.sku == "M") == [
        ("M", codes[1], 1),
        ("M", codes[2], 1),
    ]
    assert [i.qty for i in items if i.sku == "A"] == [1]


def test_a_code_of_another_item_on_the_receipt_is_refused_by_name(shop):
    marked_goods(shop, on_hand=1)
    marked_goods(shop, sku="N", on_hand=1)
    sold = sold_and_fiscalised(
        shop, ("M", 1, [code("serial0001")]), ("N", 1, [code("serial0009")]), payment="card"
    )
    wrong = {"items": [{"sku": "M", "marking_codes": [code("serial0009")]}]}
    with pytest.raises(InvalidInput, match="sold on this receipt as N, not M"):
        shop.run(refund, sold, wrong, by=MANAGER)


def test_refunding_a_marked_item_scanned_with_a_symbology_prefix(shop):
    marked_goods(shop, on_hand=1)
    sold = sold_and_fiscalised(shop, ("M", 1, ["]d2" + code("serial0001")]), payment="card")
    scanned = {"items": [{"sku": "M", "marking_codes": ["]d2" + code("serial0001")]}]}
    result = shop.run(refund, sold, scanned, by=MANAGER)
    assert job(shop, result["receipt_id"]).draft.items[0].marking_code == code("serial0001")


def test_a_mixed_payment_is_refunded_to_the_card_first(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 20000, "card": 10000})
    result = shop.run(refund, sold, {"items": [{"sku": "A", "qty": 2}]}, by=MANAGER)
    assert job(shop, result["receipt_id"]).draft.payments == Payments(cash=10000, card=10000)


def test_partial_refunds_of_a_mixed_payment_never_give_the_card_more_than_it_paid(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 20000, "card": 10000})
    ids = [
        shop.run(refund, sold, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)["receipt_id"]
        for _ in range(3)
    ]
    paid_back = [job(shop, i).draft.payments for i in ids]
    assert paid_back[0] == Payments(cash=0, card=10000)
    assert sum(p.card for p in paid_back) == 10000
    assert sum(p.cash for p in paid_back) == 20000


def test_refund_of_one_sku_sold_at_two_prices_returns_what_was_paid(shop):
    shop.stock(A=5)
    web = order("W-1", ("A", 1), ("A", 1))
    web["lines"][1]["price"] = 5000  # the second one at a discount
    shop.run(create_order, web)
    receipt_id = shop.run(ship_order, "W-1", by=CASHIER, receipt={})["receipt_id"]
    fiscalise(shop, receipt_id, fd=10)
    assert job(shop, receipt_id).total == 15000
    result = shop.run(refund, receipt_id, None, by=MANAGER)
    assert result["total"] == 15000


def test_returned_goods_fill_short_orders(shop):
    shop.stock(A=1)
    sold = sold_and_fiscalised(shop, ("A", 1))
    shop.run(create_order, order("W-1", ("A", 1)))
    assert shop.order("W-1").status == "short"
    shop.run(refund, sold, None, by=MANAGER)
    assert shop.order("W-1").status == "reserved"
    assert (shop.level("A").on_hand, shop.level("A").reserved) == (1, 1)
    assert shop.events("order.reserved")[-1]["order_id"] == "W-1"
    assert shop.events("order.reserved")[-1]["status"] == "reserved"


def test_a_refund_without_restock_leaves_the_stock_alone(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    adjusted = len(shop.events("stock.adjusted"))
    shop.run(refund, sold, {"restock": False}, by=MANAGER)
    assert shop.level("A").on_hand == 3
    assert len(shop.events("stock.adjusted")) == adjusted
    assert [m[0] for m in ledger(shop, "A")].count("return") == 0


def test_refund_of_a_shipment_receipt_keeps_the_order_and_the_contact(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    receipt_id = shop.run(ship_order, "W-1", by=CASHIER, receipt={})["receipt_id"]
    fiscalise(shop, receipt_id, fd=10)
    refund_id = shop.run(refund, receipt_id, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)[
        "receipt_id"
    ]
    back = job(shop, refund_id)
    assert (back.order_id, back.refund_of, back.shipment_id) == ("W-1", receipt_id, None)
    assert back.draft.contact == "anna@example.ru"
    assert back.draft.payments == Payments(cash=0, card=10000)
    fiscalise(shop, refund_id, fd=11)
    event = shop.events("receipt.fiscalized")[-1]
    assert (event["kind"], event["refund_of"], event["order_id"]) == (
        SELL_REFUND,
        receipt_id,
        "W-1",
    )


def test_refund_with_an_idempotency_key_refunds_once(shop):
    shop.stock(A=5)
    sold = sold_and_fiscalised(shop, ("A", 2))
    body = {"items": [{"sku": "A", "qty": 1}]}
    first = shop.run(refund, sold, body, by=MANAGER, idem_key="r-1")
    again = shop.run(refund, sold, body, by=MANAGER, idem_key="r-1")
    assert again == {**first, "replayed": True}
    assert shop.level("A").on_hand == 4
    assert [k for _, k, _ in all_jobs(shop)] == [SELL, SELL_REFUND]
