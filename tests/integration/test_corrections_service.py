"""Correction receipts against a real database (services/corrections.py, issue 11): a sale made
while the register was down, a wrong receipt reversed and replaced in one transaction, the
audit's line with the reason, the stock only when asked, the manager's permission, and every
refusal leaving everything as it was."""

import json
from contextlib import closing
from datetime import date, timedelta

import pytest

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    CORRECTION,
    QUEUED,
    SELL,
    SELL_REFUND,
    CorrectionBasis,
    Fiscalised,
    Payments,
)
from gateway.domain.staff import Forbidden
from gateway.services.corrections import preview_correction, queue_correction
from gateway.services.fiscal import (
    counter_sale,
    receipt_failed,
    receipt_fiscalised,
    receipt_sending,
)
from gateway.services.refunds import refund
from tests.builders import CASHIER, MANAGER, hire
from tests.integration.test_corrections_end_to_end import contract_errors

TODAY = date.today()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
WEEK_AGO = TODAY - timedelta(days=7)
REASON = "Касса не работала, продажа записана в тетрадь"
TABLES = ("stock_level", "stock_move", "outbox", "receipt_job", "audit", "command_log")


@pytest.fixture(autouse=True)
def staff(shop):
    shop.run(hire)
    shop.stock(MUG=5, CAP=3)


def unrecorded(**extra) -> dict:
    return {
        "items": [{"sku": "MUG", "qty": 2}],
        "payment": "cash",
        "date": YESTERDAY,
        "reason": REASON,
        **extra,
    }


def correct(shop, data, by=MANAGER, **kwargs):
    return shop.run(queue_correction, data, by=by, **kwargs)


def job(shop, job_id):
    with shop.db.transaction() as uow:
        return uow.fiscal.job(job_id)


def rows(shop, query, *args):
    with closing(shop.db.reader()) as conn:
        return [tuple(row) for row in conn.execute(query, args)]


def snapshot(shop) -> dict:
    return {table: rows(shop, f"SELECT * FROM {table} ORDER BY rowid") for table in TABLES}


def audit(shop):
    return rows(
        shop,
        "SELECT a.kind, s.name, m.name, a.amount, a.detail FROM audit a"
        " LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN staff m ON m.id = a.approved_by"
        " ORDER BY a.id",
    )


def fiscalise(shop, job_id, fd, day=WEEK_AGO):
    fiscal = Fiscalised("7380440700076549", fd, 1000 + fd, 1, fd, f"{day.isoformat()}T10:15")
    shop.run(receipt_sending, job_id, fd - 1)
    shop.run(receipt_fiscalised, job_id, fiscal, 0)


def sold(shop, payment, *lines, fd=10):
    """A counter sale of (sku, qty) lines, printed a week ago (fd)."""
    items = [{"sku": sku, "qty": qty} for sku, qty in lines]
    receipt_id = shop.run(counter_sale, {"items": items, "payment": payment}, by=CASHIER)[
        "receipt_id"
    ]
    fiscalise(shop, receipt_id, fd)
    return receipt_id


# --- a sale made while the register was down ---------------------------------------------------


def test_an_unrecorded_sale_queues_one_correction_of_a_sale_with_its_basis(shop):
    result = correct(shop, unrecorded(basis="order", order_number="15-07/2026"))
    [view] = result["receipts"]
    assert result["receipt_id"] == view["receipt_id"] == 1 and result["total"] == 20000
    assert (view["kind"], view["operation"], view["state"], view["role"]) == (
        CORRECTION,
        SELL,
        QUEUED,
        "sale",
    )
    queued = job(shop, 1)
    assert queued.kind == CORRECTION and queued.draft.operation == SELL
    assert queued.draft.correction == CorrectionBasis(
        SELL, True, YESTERDAY, "15-07/2026", REASON, None
    )
    assert [(i.sku, i.name, i.price, i.qty) for i in queued.draft.items] == [
        ("MUG", "Товар P-MUG", 10000, 2)
    ]
    assert queued.draft.payments == Payments(cash=20000)
    assert (queued.draft.cashier, queued.draft.cashier_inn) == ("Ольга", "500100732259")
    # The register's operation is a sale (the shift's buckets), the receipt's kind a correction.
    assert rows(shop, "SELECT kind, receipt_kind, total, cash FROM receipt_job") == [
        (SELL, CORRECTION, 20000, 20000)
    ]
    assert audit(shop)[-1] == ("correction", "Ольга", None, 20000, f"receipt 1: {REASON}")


def test_the_catalog_price_is_the_default_and_a_price_can_be_given(shop):
    data = unrecorded(items=[{"sku": "MUG", "qty": 1}, {"sku": "CAP", "qty": 2, "price": 4550}])
    data["payment"] = {"cash": 5000, "card": 14100}
    correct(shop, data)
    draft = job(shop, 1).draft
    assert [(i.sku, i.price, i.qty) for i in draft.items] == [("MUG", 10000, 1), ("CAP", 4550, 2)]
    assert draft.payments == Payments(cash=5000, card=14100)


def test_the_stock_is_left_alone_unless_asked(shop):
    before = shop.events("stock.adjusted")
    correct(shop, unrecorded())
    assert shop.level("MUG").on_hand == 5 and shop.events("stock.adjusted") == before

    correct(shop, unrecorded(take_from_stock=True))
    assert shop.level("MUG").on_hand == 3
    move = rows(shop, "SELECT reason, d_on_hand, ref_id, actor FROM stock_move ORDER BY id")[-1]
    assert move == ("sale", -2, "receipt/2", "Ольга")
    adjusted = shop.events("stock.adjusted")[-1]
    assert (adjusted["reason"], adjusted["receipt_id"], adjusted["by"]) == (
        "counter_sale",
        2,
        "Ольга",
    )
    assert adjusted["items"] == [{"sku": "MUG", "delta": -2, "on_hand": 3}]


@pytest.mark.parametrize(
    "data, error, words",
    [
        (unrecorded(date=TOMORROW), InvalidInput, "ещё не наступила"),
        (unrecorded(items=[{"sku": "NOPE"}]), InvalidInput, "Товара NOPE нет в каталоге"),
        (unrecorded(payment={"cash": 30000}), InvalidInput, "a correction gives no change"),
        (unrecorded(payment={"card": 1000}), InvalidInput, "less than the total"),
        (unrecorded(items=[{"sku": "MUG", "price": 0}]), InvalidInput, "больше нуля"),
        (unrecorded(reason=" "), InvalidInput, "Напишите причину"),
        (unrecorded(take_from_stock=True, items=[{"sku": "MUG", "qty": 6}]), InvalidInput,
         "по учёту на складе 5 шт., а коррекция списывает 6"),
        ({**unrecorded(), "date": None}, InvalidInput, "Укажите дату продажи"),
    ],
)  # fmt: skip
def test_a_refused_correction_changes_nothing(shop, data, error, words):
    before = snapshot(shop)
    with pytest.raises(error) as caught:
        correct(shop, data)
    assert words in caught.value.detail
    assert snapshot(shop) == before


def test_a_cashier_needs_a_managers_pin_and_both_are_in_the_audit(shop):
    before = snapshot(shop)
    with pytest.raises(Forbidden) as caught:
        correct(shop, unrecorded(), by=CASHIER)
    assert caught.value.reason == "needs_manager" and "чек коррекции" in caught.value.detail
    assert snapshot(shop) == before
    correct(shop, unrecorded(), by=CASHIER.approved(MANAGER))
    assert audit(shop)[-2:] == [
        ("override", "Анна", "Ольга", 20000, "fiscal_correction"),
        ("correction", "Анна", "Ольга", 20000, f"receipt 1: {REASON}"),
    ]
    assert job(shop, 1).draft.cashier == "Анна"  # tag 1021: who queued it, as for a refund


def test_a_double_tap_queues_once(shop):
    first = correct(shop, unrecorded(), idem_key="corr-1")
    again = correct(shop, unrecorded(), idem_key="corr-1")
    assert again == {**first, "replayed": True}
    assert len(rows(shop, "SELECT id FROM receipt_job")) == 1


def test_the_preview_says_what_would_be_printed_and_writes_nothing(shop):
    before = snapshot(shop)
    preview = shop.run(preview_correction, unrecorded(take_from_stock=True), by=CASHIER)
    assert snapshot(shop) == before
    [view] = preview["receipts"]
    assert view["receipt_id"] is None and view["operation"] == SELL and preview["total"] == 20000
    assert view["items"] == [
        {"sku": "MUG", "name": "Товар P-MUG", "price": 10000, "qty": 2, "amount": 20000}
    ]
    assert preview["stock"] == [{"sku": "MUG", "delta": -2, "on_hand": 3}]
    queued = correct(shop, unrecorded(take_from_stock=True))
    assert [{**v, "receipt_id": None, "state": None} for v in queued["receipts"]] == [view]


# --- a wrong receipt ---------------------------------------------------------------------------


def test_a_wrong_receipt_is_reversed_then_replaced_in_one_transaction(shop):
    wrong = sold(shop, {"cash": 30000}, ("MUG", 2))  # 200 ₽, change 100 ₽
    data = {
        "corrects": wrong,
        "items": [{"sku": "CAP"}],
        "payment": "card",
        "reason": "Не тот товар",
    }
    result = correct(shop, data)
    reverse, right = result["receipts"]
    assert (reverse["receipt_id"], right["receipt_id"]) == (2, 3) and result["total"] == 30000
    back = job(shop, 2)
    assert back.draft.operation == SELL_REFUND and back.refund_of == wrong
    assert back.draft.correction == CorrectionBasis(
        SELL_REFUND, False, WEEK_AGO.isoformat(), None, "Не тот товар", wrong
    )
    assert [(i.sku, i.price, i.qty) for i in back.draft.items] == [("MUG", 10000, 2)]
    assert back.draft.payments == Payments(cash=20000)  # the change is not paid back
    replaced = job(shop, 3)
    assert replaced.draft.operation == SELL and replaced.refund_of is None
    assert replaced.draft.correction.corrects == wrong
    assert replaced.draft.correction.date == WEEK_AGO.isoformat()  # 1178: the wrong sale's day
    assert [(i.sku, i.qty) for i in replaced.draft.items] == [("CAP", 1)]
    assert replaced.draft.payments == Payments(card=10000)
    assert audit(shop)[-2:] == [
        ("correction", "Ольга", None, 20000, f"receipt 2 reverses receipt {wrong}: Не тот товар"),
        ("correction", "Ольга", None, 10000, f"receipt 3 replaces receipt {wrong}: Не тот товар"),
    ]
    # What is reversed is neither refunded nor reversed again.
    with pytest.raises(InvalidInput, match="nothing left to refund"):
        shop.run(refund, wrong, {}, by=MANAGER)
    with pytest.raises(InvalidTransition, match="уже исправлен или возвращён") as caught:
        correct(shop, {"corrects": wrong, "reason": "ещё раз"})
    assert caught.value.reason == "already_corrected"


def test_a_partly_refunded_receipt_is_reversed_for_what_is_left(shop):
    wrong = sold(shop, {"cash": 5000, "card": 15000}, ("MUG", 2))
    shop.run(refund, wrong, {"items": [{"sku": "MUG", "qty": 1}]}, by=MANAGER)  # to the card
    correct(shop, {"corrects": wrong, "reason": "Ошибочная цена", "date": YESTERDAY})
    back = job(shop, 3).draft
    assert [(i.sku, i.qty) for i in back.items] == [("MUG", 1)]
    assert back.payments == Payments(cash=5000, card=5000)  # the card had 10000 of its 15000
    assert back.correction.date == YESTERDAY


def test_stock_follows_a_replaced_receipt_only_when_asked(shop):
    wrong = sold(shop, "cash", ("MUG", 2))  # MUG 5 -> 3
    data = {"corrects": wrong, "items": [{"sku": "CAP"}, {"sku": "MUG"}], "payment": "cash"}
    correct(
        shop,
        {**data, "reason": "Пробили две кружки вместо кружки и кепки", "take_from_stock": True},
    )
    assert (shop.level("MUG").on_hand, shop.level("CAP").on_hand) == (4, 2)
    adjusted = shop.events("stock.adjusted")[-2:]
    for event in adjusted:  # the contract's reasons, with the receipt that moved the goods
        data = {k: v for k, v in event.items() if k not in ("seq", "type")}
        assert contract_errors("StockAdjustedData", data) == []
    assert [(e["reason"], e["receipt_id"], e["items"]) for e in adjusted] == [
        ("counter_sale", 3, [{"sku": "CAP", "delta": -1, "on_hand": 2}]),
        ("return", 2, [{"sku": "MUG", "delta": 1, "on_hand": 4}]),
    ]


def test_what_cannot_be_corrected_is_refused_with_the_reason(shop):
    printed = sold(shop, "cash", ("MUG", 1))
    queued = shop.run(counter_sale, {"items": [{"sku": "MUG"}], "payment": "cash"}, by=CASHIER)
    failed = shop.run(counter_sale, {"items": [{"sku": "CAP"}], "payment": "cash"}, by=CASHIER)
    shop.run(receipt_failed, failed["receipt_id"], "Неверная ставка НДС")
    refunded = shop.run(refund, printed, {"items": [{"sku": "MUG", "qty": 1}]}, by=MANAGER)
    fiscalise(shop, refunded["receipt_id"], 11)
    before = snapshot(shop)
    for receipt, error, words in (
        (99, NotFound, "Чек № 99 не найден"),
        (queued["receipt_id"], InvalidTransition, "ещё не напечатан"),
        (failed["receipt_id"], InvalidTransition, "коррекция не нужна"),
        (refunded["receipt_id"], InvalidInput, "не чек продажи"),
        (printed, InvalidTransition, "уже исправлен или возвращён полностью"),
    ):
        with pytest.raises(error, match=words):
            correct(shop, {"corrects": receipt, "reason": "ошибка"})
    assert snapshot(shop) == before


def test_the_date_of_a_correction_is_not_before_the_wrong_receipt(shop):
    wrong = sold(shop, "cash", ("CAP", 1))
    before = snapshot(shop)
    early = (WEEK_AGO - timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput, match="раньше исправляемого чека") as caught:
        correct(shop, {"corrects": wrong, "reason": "ошибка", "date": early})
    assert caught.value.reason == "date"
    assert snapshot(shop) == before


def test_a_correction_fiscalised_is_announced_as_a_correction(shop):
    wrong = sold(shop, "cash", ("MUG", 1))
    correct(shop, {"corrects": wrong, "reason": "Не тот товар"})
    fiscalise(shop, 2, 11, day=TODAY)
    event = shop.events("receipt.fiscalized")[-1]
    assert (event["receipt_id"], event["kind"], event["refund_of"]) == (2, CORRECTION, wrong)
    assert event["total"] == 10000 and event["cashier"]["name"] == "Ольга"
    draft = json.loads(rows(shop, "SELECT draft_json FROM receipt_job WHERE id = 2")[0][0])
    assert draft["correction"]["reason"] == "Не тот товар"
