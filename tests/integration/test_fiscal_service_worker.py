"""The fiscal service against a real database: the worker's durable steps (sending, fiscalised,
requeued, failed, retried, after a restart), shifts and the cash drawer."""

from contextlib import closing

import pytest

from gateway.adapters.fiscal.worker import MAX_SEND_ATTEMPTS
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.fiscal_repo import state_count_sql
from gateway.adapters.sqlite.queries import failed_receipts
from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.fiscal import (
    DONE,
    FAILED,
    QUEUED,
    SELL,
    SENDING,
    Fiscalised,
)
from gateway.services.fiscal import (
    cash_moved,
    check_cash_move,
    receipt_failed,
    receipt_fiscalised,
    receipt_requeued,
    receipt_sending,
    retry_receipt,
    shift_closed,
    shift_opened,
)
from gateway.services.orders import create_order, ship_order
from gateway.services.refunds import refund
from tests.builders import CASHIER, MANAGER, order
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    FN,
    code,
    fiscalise,
    job,
    marked_goods,
    sale,
    sold_and_fiscalised,
    staff,
)

# --- helpers ----------------------------------------------------------------------------------


# --- the worker's durable steps -------------------------------------------------------------


def test_a_fiscalised_receipt_is_done_and_announced_once(shop):
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shipped = shop.run(ship_order, "W-1", by=CASHIER, receipt={})
    receipt_id = shipped["receipt_id"]
    shop.run(receipt_sending, receipt_id, 41)
    sending = job(shop, receipt_id)
    assert (sending.state, sending.saved_fd, sending.attempts) == (SENDING, 41, 1)
    fiscal = Fiscalised(FN, 42, 2718281828, 7, 15, "2026-03-02T10:15:00")
    assert shop.run(receipt_fiscalised, receipt_id, fiscal, 0) == {
        "receipt_id": receipt_id,
        "fd": 42,
    }
    done = job(shop, receipt_id)
    assert (done.state, done.fiscal, done.error) == (DONE, fiscal, None)
    [event] = shop.events("receipt.fiscalized")
    assert {k: v for k, v in event.items() if k != "seq"} == {
        "type": "receipt.fiscalized",
        "receipt_id": receipt_id,
        "kind": SELL,
        "order_id": "W-1",
        "shipment_id": shipped["shipment_id"],
        "refund_of": None,
        "total": 20000,
        "payments": {"cash": 0, "card": 20000, "prepaid": 0},
        "change": 0,
        "discount": 0,
        "cashier": {"staff_id": CASHIER.id, "name": CASHIER.name},
        "cash_in_drawer": 0,  # paid by card
        "fiscal": {
            "fn": FN,
            "fd": 42,
            "fp": 2718281828,
            "shift": 7,
            "number": 15,
            "ts": "2026-03-02T10:15:00",
        },
    }
    # The worker recorded it again after a restart: nothing new happens.
    again = shop.run(receipt_fiscalised, receipt_id, fiscal, 0)
    assert again == {"receipt_id": receipt_id, "already": True}
    assert len(shop.events("receipt.fiscalized")) == 1


def test_a_receipt_not_being_sent_cannot_be_fiscalised(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    fiscal = Fiscalised(FN, 42, 1, 1, 1, None)
    with pytest.raises(InvalidTransition, match="not being sent"):
        shop.run(receipt_fiscalised, receipt_id, fiscal, 0)
    assert job(shop, receipt_id).state == QUEUED
    assert shop.events("receipt.fiscalized") == []


def test_an_unknown_shift_after_the_close_is_taken_from_the_open_shift(shop):
    shop.stock(A=5)
    shop.run(shift_opened, 12, by=CASHIER, fd=1, fp=123)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_fiscalised, receipt_id, Fiscalised(FN, 6, 66, None, None, None), 0)
    assert job(shop, receipt_id).fiscal.shift == 12
    assert shop.events("receipt.fiscalized")[0]["fiscal"]["shift"] == 12


def failed_count(shop) -> int:
    with closing(shop.db.reader()) as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN " + state_count_sql(FAILED)).fetchall()
        assert "receipt_job_failed" in plan[0]["detail"]
        return failed_receipts(conn)


def test_requeue_fail_and_retry(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    with pytest.raises(InvalidTransition, match="only a failed one"):
        shop.run(retry_receipt, receipt_id, by=CASHIER)
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_requeued, receipt_id, "not in the FN")
    assert (job(shop, receipt_id).state, job(shop, receipt_id).error) == (QUEUED, "not in the FN")
    shop.run(receipt_sending, receipt_id, 5)
    shop.run(receipt_failed, receipt_id, "error 0x7E: wrong VAT")
    assert job(shop, receipt_id).state == FAILED
    assert failed_count(shop) == 1  # what gateway.status says, from the index of failed ones
    assert shop.run(retry_receipt, receipt_id, by=CASHIER) == {
        "receipt_id": receipt_id,
        "state": QUEUED,
    }
    assert job(shop, receipt_id).state == QUEUED
    assert failed_count(shop) == 0
    fiscalise(shop, receipt_id, fd=6)
    with pytest.raises(InvalidTransition, match="done"):
        shop.run(retry_receipt, receipt_id, by=CASHIER)
    with pytest.raises(NotFound):
        shop.run(retry_receipt, 999, by=CASHIER)


def test_a_retried_job_is_sent_again_after_the_attempt_limit(shop):
    shop.stock(A=5)
    receipt_id = sale(shop, ("A", 1))["receipt_id"]
    for _ in range(MAX_SEND_ATTEMPTS):
        shop.run(receipt_sending, receipt_id, 5)
        shop.run(receipt_requeued, receipt_id, "timeout, not in the FN")
    shop.run(receipt_failed, receipt_id, "refused 10 times")
    shop.run(retry_receipt, receipt_id, by=CASHIER)
    retried = job(shop, receipt_id)
    assert retried.state == QUEUED
    assert retried.attempts < MAX_SEND_ATTEMPTS  # otherwise the worker fails it at once


def test_the_worker_reconciles_a_sending_job_before_the_queue(shop):
    shop.stock(A=9)
    ids = [sale(shop, ("A", 1))["receipt_id"] for _ in range(3)]
    with shop.db.transaction() as uow:
        assert uow.fiscal.next_job().id == ids[0]
    shop.run(receipt_sending, ids[2], 7)
    with shop.db.transaction() as uow:
        assert uow.fiscal.next_job().id == ids[2]
        assert uow.fiscal.counts_by_state() == {QUEUED: 2, SENDING: 1}


def test_receipt_jobs_survive_a_restart(shop, tmp_path):
    marked_goods(shop, on_hand=2)
    receipt_id = sale(shop, ("M", 1, [code("serial0001")]), contact="anna@example.ru")["receipt_id"]
    expected = job(shop, receipt_id)
    reopened = Database(tmp_path / "gateway.db")  # migrations run again: nothing changes
    try:
        with reopened.transaction() as uow:
            assert uow.fiscal.job(receipt_id) == expected
    finally:
        reopened.close()


# --- shifts and the cash drawer -------------------------------------------------------------


def test_opening_a_shift_twice_records_it_once(shop):
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(shift_opened, 1, by=None, fd=None, fp=None)  # the worker saw the same shift
    [opened] = shop.events("shift.opened")
    assert (opened["shift"], opened["cashier"], opened["fiscal"]) == (
        1,
        {"staff_id": CASHIER.id, "name": "Анна"},
        {"fd": 1, "fp": 123},
    )
    assert shop.events("shift.closed") == []


def test_a_newer_shift_closes_the_stale_open_one(shop):
    shop.stock(A=5)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    sold_and_fiscalised(shop, ("A", 1))
    shop.run(shift_opened, 2, by=None, fd=None, fp=None)  # opened at the register's keyboard
    [closed] = shop.events("shift.closed")
    assert (closed["shift"], closed["cashier"]) == (1, None)
    assert (closed["cash_expected"], closed["cash_counted"], closed["cash_difference"]) == (
        10000,
        None,  # nobody counted the drawer of a shift closed at the keyboard
        None,
    )
    assert closed["totals"]["sales"] == {
        "count": 1,
        "total": 10000,
        "cash": 10000,
        "card": 0,
        "prepaid": 0,
    }
    assert [e["shift"] for e in shop.events("shift.opened")] == [1, 2]
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift() == 2


def test_cash_moves_need_an_open_shift(shop):
    with pytest.raises(InvalidTransition, match="Откройте смену"):
        shop.run(check_cash_move, "in", 1000)
    with pytest.raises(InvalidTransition):
        shop.run(cash_moved, "in", 1000, by=CASHIER, register_doc=2)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(shift_closed, 1, by=MANAGER, fd=9, fp=999)
    with pytest.raises(InvalidTransition):
        shop.run(check_cash_move, "in", 1000)


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100"])
def test_a_cash_move_needs_a_positive_whole_amount(shop, amount):
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    with pytest.raises(InvalidInput):
        shop.run(check_cash_move, "in", amount)


def test_cash_in_drawer_after_a_sale_with_change_a_refund_and_cash_moves(shop):
    shop.stock(A=5, B=5)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=123)
    shop.run(check_cash_move, "in", 100000)
    totals = shop.run(cash_moved, "in", 100000, by=CASHIER, register_doc=2)
    assert totals["cash_in_drawer"] == 100000
    # 300 ₽ paid with 500 ₽ cash: 200 ₽ change leaves the drawer.
    cash_sale = sold_and_fiscalised(shop, ("A", 3), payment={"cash": 50000}, change=20000, fd=3)
    # A mixed sale: only its cash part is in the drawer.
    sold_and_fiscalised(shop, ("B", 2), payment={"cash": 5000, "card": 15000}, fd=4)
    # One of the cash-sale items comes back in cash.
    refund_id = shop.run(refund, cash_sale, {"items": [{"sku": "A", "qty": 1}]}, by=MANAGER)
    fiscalise(shop, refund_id["receipt_id"], fd=5)
    # A receipt still queued is not money in the drawer yet.
    sale(shop, ("A", 1), payment="cash")
    expected = 100000 + 30000 + 5000 - 10000
    # Each receipt event tells the cloud the drawer after it.
    drawers = [e["cash_in_drawer"] for e in shop.events("receipt.fiscalized")]
    assert drawers == [100000 + 30000, 100000 + 30000 + 5000, expected]
    assert shop.run(check_cash_move, "out", 20000) == 1  # the register says if it fits
    totals = shop.run(cash_moved, "out", 20000, by=MANAGER, register_doc=6)
    assert totals["cash_in_drawer"] == expected - 20000
    counted = expected - 20000 - 150  # 1,50 ₽ short
    closed_totals = shop.run(shift_closed, 1, by=MANAGER, fd=7, fp=777, counted=counted)
    [closed] = shop.events("shift.closed")
    assert closed["totals"] == closed_totals
    assert (closed["shift"], closed["cashier"], closed["fiscal"]) == (
        1,
        {"staff_id": MANAGER.id, "name": MANAGER.name},
        {"fd": 7, "fp": 777},
    )
    assert (closed["cash_expected"], closed["cash_counted"], closed["cash_difference"]) == (
        expected - 20000,
        counted,
        -150,
    )
    with shop.db.transaction() as uow:
        assert uow.fiscal.shift_row(1)["cash_counted"] == counted
    assert closed["totals"] == {
        "sales": {"count": 2, "total": 50000, "cash": 35000, "card": 15000, "prepaid": 0},
        "refunds": {"count": 1, "total": 10000, "cash": 10000, "card": 0, "prepaid": 0},
        "cash_in": 100000,
        "cash_out": 20000,
        "cash_in_drawer": expected - 20000,
    }
    # Closing again (the worker saw the Z report too) returns the same figures, no new event.
    assert shop.run(shift_closed, 1, by=None, fd=None, fp=None) == closed_totals
    assert len(shop.events("shift.closed")) == 1


def test_shift_totals_count_only_that_shifts_receipts(shop):
    shop.stock(A=9)
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=1)
    first = sale(shop, ("A", 1))["receipt_id"]
    fiscalise(shop, first, fd=2, shift=1)
    shop.run(shift_closed, 1, by=MANAGER, fd=3, fp=3)
    shop.run(shift_opened, 2, by=CASHIER, fd=4, fp=4)
    second = sale(shop, ("A", 2), payment="card")["receipt_id"]
    fiscalise(shop, second, fd=5, shift=2)
    totals = shop.run(shift_closed, 2, by=MANAGER, fd=6, fp=6)
    assert totals["sales"] == {"count": 1, "total": 20000, "cash": 0, "card": 20000, "prepaid": 0}
    assert totals["cash_in_drawer"] == 0
    first_totals = shop.events("shift.closed")[0]["totals"]
    assert first_totals["sales"] == {
        "count": 1,
        "total": 10000,
        "cash": 10000,
        "card": 0,
        "prepaid": 0,
    }


def test_closing_a_shift_the_gateway_never_saw_opened(shop):
    totals = shop.run(shift_closed, 5, by=None, fd=None, fp=None)
    assert totals["sales"]["count"] == 0
    [closed] = shop.events("shift.closed")
    assert closed["shift"] == 5
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift() is None
