"""The fiscal worker against the register simulator on a pty (issue 4): receipts made from
shipped orders and counter sales, shifts and cash, the device states, recovery after a crash.
Every check of what was fiscalised reads the simulator's fiscal drive, not the gateway's records."""

import json
import time
from contextlib import closing
from types import SimpleNamespace

import psutil
import pytest

from drivers.fiscal import Cashier, ShtrihM
from drivers.fiscal.commands import SALE
from drivers.fiscal.errors import NotEnoughCash
from drivers.fiscal.link import LinkSettings
from gateway.adapters.fiscal.receipt_mapping import driver_receipt
from gateway.adapters.fiscal.staff import FiscalUnavailable
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidInput, InvalidTransition
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.fiscal import counter_sale, receipt_failed, receipt_sending, retry_receipt
from gateway.services.orders import create_order, ship_order
from gateway.services.refunds import refund
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER, MANAGER
from tests.payments_helpers import Cloud

FAST = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01, "poll": 0.1}
CODE = "0104601234567893215abcDEF\x1d91EE11\x1d92" + "A" * 44
WAIT = 15.0


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    writer.call(builders.hire)  # cash moves, refunds and closings are audited
    shirt = builders.product(
        "P-TS",
        [builders.variant("TS-RED-M", 129900, Цвет="красный", Размер="M")],
        ["Цвет", "Размер"],
        name="Футболка",
    )
    shoes = builders.product("P-SH", [builders.variant("SH-42", 499000)], [], marked=True)
    catalog = builders.catalog(shirt, shoes, builders.simple_product("MUG", 45000))
    writer.call(apply_catalog, parse_catalog_upsert(catalog))
    stock = builders.stock_set(**{"TS-RED-M": 10, "SH-42": 3, "MUG": 20})
    writer.call(apply_stock_change, parse_stock_change("set", stock))
    yield writer
    writer.stop()


@pytest.fixture
def start_worker(writer, sim):
    workers = []

    def start(port: str | None = None, **options) -> FiscalWorker:
        config = FiscalConfig(port=port or sim.slave_path, **{**FAST, **options})
        worker = FiscalWorker(config, writer)
        writer.on_commit(worker.wake)
        workers.append(worker.start())
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def jobs(writer) -> dict[int, dict]:
    with closing(open_connection(writer.path, readonly=True)) as conn:
        rows = conn.execute("SELECT id, state, fd, fp, shift, error FROM receipt_job").fetchall()
    return {row[0]: dict(row) for row in rows}


def events(writer, event_type: str) -> list[dict]:
    with closing(open_connection(writer.path, readonly=True)) as conn:
        rows = conn.execute(
            "SELECT data_json FROM outbox WHERE type = ? ORDER BY seq", (event_type,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def all_done(writer, count: int) -> bool:
    states = [job["state"] for job in jobs(writer).values()]
    return len(states) == count and all(state == "done" for state in states)


def ship(writer, order_id: str, *lines, receipt: dict, **fields) -> dict:
    writer.call(create_order, builders.order(order_id, *lines, **fields))
    return writer.call(ship_order, order_id, by=CASHIER, receipt=receipt)


def test_a_shipped_order_becomes_one_receipt_with_the_catalogs_names_vat_and_the_buyer(
    writer, sim, start_worker
):
    shipped = ship(writer, "W-1", ("TS-RED-M", 2), receipt={"payment": "cash"}, paid=False)
    start_worker()
    wait_for(lambda: all_done(writer, 1), "the receipt")
    [doc] = sim.receipts
    [item] = doc["items"]
    assert item["name"] == "Футболка (красный, M)" and item["vat"] == "22%"
    assert (item["price"], item["quantity"]) == (10000, 2_000_000)  # the order's price, 2 pcs
    assert doc["buyer_contact"] == "anna@example.ru" and doc["total"] == 20000
    assert doc["payments"] == [{"kind": "cash", "index": 1, "sum": 20000}]
    [event] = events(writer, "receipt.fiscalized")
    assert event["receipt_id"] == shipped["receipt_id"] and event["order_id"] == "W-1"
    assert (event["fiscal"]["fd"], event["fiscal"]["fp"]) == (doc["fd"], doc["fp"])
    assert event["fiscal"]["shift"] == 1 and event["kind"] == "sell"
    [opened] = events(writer, "shift.opened")  # the first receipt opened the day's shift
    assert opened["shift"] == 1 and opened["cashier"] == {"staff_id": CASHIER.id, "name": "Анна"}


def test_a_prepaid_web_order_is_settled_electronically(writer, sim, start_worker):
    ship(writer, "W-2", ("MUG", 1), receipt={"payment": "cash"})  # builders: paid=True
    start_worker()
    wait_for(lambda: all_done(writer, 1), "the receipt")
    assert sim.receipts[0]["payments"] == [{"kind": "electronic", "index": 2, "sum": 10000}]


def test_a_refund_of_a_prepayment_the_register_refused_waits_for_it(writer, sim, start_worker):
    cloud = Cloud(SimpleNamespace(run=writer.call))  # the cloud's messages through the writer
    cloud.order("W-9", ("MUG", 1))
    assert "receipt_id" in cloud.pay("W-9", 10000)
    [prepayment] = jobs(writer)
    writer.call(receipt_sending, prepayment, 0)
    writer.call(receipt_failed, prepayment, "error 0x7E: wrong VAT")  # the register refused it
    assert cloud.refund("W-9", 10000)["outcome"] == "applied"
    refund = max(jobs(writer))
    start_worker(site="shop.example.ru")
    wait_for(lambda: jobs(writer)[refund]["state"] == "failed", "the refund to be held")
    assert "retry it first" in jobs(writer)[refund]["error"] and sim.receipts == []
    writer.call(retry_receipt, prepayment, by=CASHIER)  # staff: the prepayment first ...
    wait_for(lambda: jobs(writer)[prepayment]["state"] == "done", "the prepayment")
    writer.call(retry_receipt, refund, by=CASHIER)  # ... then its refund
    wait_for(lambda: all_done(writer, 2), "the refund")
    assert [r["op_type"] for r in sim.receipts] == [1, 2]  # приход, then возврат прихода


def test_a_marked_item_carries_its_scanned_code_and_without_it_nothing_ships(
    writer, sim, start_worker
):
    writer.call(create_order, builders.order("W-3", ("SH-42", 1), paid=False))
    with pytest.raises(InvalidInput, match="marking code"):
        writer.call(ship_order, "W-3", by=CASHIER, receipt={"payment": "card"})
    assert jobs(writer) == {} and events(writer, "order.shipped") == []
    receipt = {"payment": "card", "marking_codes": {"1": [CODE]}}
    writer.call(ship_order, "W-3", by=CASHIER, receipt=receipt)
    start_worker()
    wait_for(lambda: all_done(writer, 1), "the receipt")
    [doc] = sim.receipts
    assert doc["marking_codes"] == [CODE] and doc["items"][0]["payment_object"] == 33


def test_paper_out_holds_the_receipt_until_staff_loads_paper_then_prints_it_once(
    writer, sim, start_worker
):
    sim.remove_paper()
    worker = start_worker()
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    wait_for(lambda: worker.state == "paper_out", "paper_out")
    time.sleep(0.3)
    assert [job["state"] for job in jobs(writer).values()] == ["queued"] and not sim.receipts
    sim.load_paper()
    wait_for(lambda: all_done(writer, 1), "the receipt")
    assert len(sim.receipts) == 1 and worker.state == "ok"


def test_a_dead_register_never_blocks_orders_and_is_found_again(
    writer, sim, start_worker, tmp_path
):
    link = tmp_path / "ttyFISCAL"  # the device node appears when the register is plugged in
    worker = start_worker(port=str(link))
    wait_for(lambda: worker.state == "offline", "offline")
    started = time.monotonic()
    ship(writer, "W-4", ("MUG", 1), receipt={"payment": "card"})
    assert time.monotonic() - started < 2.0  # shipping did not wait for the register
    assert jobs(writer)[1]["state"] == "queued"
    link.symlink_to(sim.slave_path)
    worker.wake()
    wait_for(lambda: all_done(writer, 1), "the receipt after reconnecting")
    assert worker.state == "ok"


def crashed_mid_job(writer, sim) -> tuple[int, ShtrihM, object]:
    """What a gateway that died while sending leaves: a `sending` job and a register that
    may or may not have it. Returns the job id, a driver on the register and the receipt."""
    sale = writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    driver = ShtrihM(sim.slave_path, settings=LinkSettings(**_link_settings()))
    driver.open_shift(Cashier("Анна"))
    drive = driver.fn_status()
    writer.call(receipt_sending, sale["receipt_id"], drive.last_fd, drive.fn)
    job = writer.call(lambda uow: uow.fiscal.job(sale["receipt_id"]))
    return job.id, driver, driver_receipt(job.draft, "osn")


def test_a_crash_after_the_register_signed_is_finished_from_the_fn_not_resent(
    writer, sim, start_worker
):
    job_id, driver, receipt = crashed_mid_job(writer, sim)
    signed = driver.sell(receipt)  # then the gateway "dies"
    driver.close()
    start_worker()
    wait_for(lambda: all_done(writer, 1), "reconciliation")
    assert len(sim.receipts) == 1
    assert (jobs(writer)[job_id]["fd"], jobs(writer)[job_id]["fp"]) == (signed.fd, signed.fp)


def test_a_crash_with_half_a_receipt_open_cancels_it_and_prints_it_once(writer, sim, start_worker):
    _, driver, receipt = crashed_mid_job(writer, sim)
    driver._open_receipt(SALE)
    driver._add_item(receipt.items[0], SALE)  # the close never went out
    driver.close()
    assert sim.mode == 8
    start_worker()
    wait_for(lambda: all_done(writer, 1), "the resend")
    assert len(sim.receipts) == 1 and sim.mode == 2


def test_shift_close_reports_totals_and_the_drawer_matches_the_registers(writer, sim, start_worker):
    worker = start_worker()
    sale = {"items": [{"sku": "MUG", "qty": 2}], "payment": {"cash": 100000}}  # change 10 000
    first = writer.call(counter_sale, sale, by=CASHIER)
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    wait_for(lambda: all_done(writer, 2), "two receipts")
    assert worker.request("cash_in", amount=5000, by=CASHIER)["cash_in_drawer"] == 95000
    with pytest.raises(NotEnoughCash):  # the register refuses: nothing recorded
        worker.request("cash_out", amount=95001, by=MANAGER)
    worker.request("cash_out", amount=1000, by=MANAGER)
    writer.call(refund, first["receipt_id"], {"items": [{"sku": "MUG", "qty": 1}]}, by=MANAGER)
    wait_for(lambda: all_done(writer, 3), "the refund")
    result = worker.request("close_shift", by=MANAGER)
    totals = result["totals"]
    assert totals["sales"] == {
        "count": 2,
        "total": 135000,
        "cash": 90000,
        "card": 45000,
        "prepaid": 0,
    }
    assert totals["refunds"] == {"count": 1, "total": 45000, "cash": 45000, "card": 0, "prepaid": 0}
    assert totals["cash_in_drawer"] == 5000 - 1000 + 90000 - 45000 == sim.cash_in_drawer
    [closed] = events(writer, "shift.closed")
    assert closed["totals"] == totals
    assert closed["cashier"] == {"staff_id": MANAGER.id, "name": MANAGER.name}
    with pytest.raises(InvalidTransition):
        worker.request("close_shift", by=MANAGER)


def test_an_expired_shift_holds_receipts_until_staff_closes_it(writer, sim, start_worker):
    worker = start_worker()
    worker.request("open_shift", by=CASHIER)
    sim.advance_clock(25 * 3600)
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    wait_for(lambda: worker.state == "shift_expired", "shift_expired")
    assert not sim.receipts
    worker.request("close_shift", by=MANAGER)
    wait_for(lambda: all_done(writer, 1), "the receipt in a new shift")
    assert jobs(writer)[1]["shift"] == 2 and worker.shift == {
        "open": True,
        "number": 2,
        "expired": False,
    }


def test_without_auto_open_receipts_wait_for_staff_to_open_the_shift(writer, sim, start_worker):
    worker = start_worker(auto_open_shift=False)
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    time.sleep(0.5)
    assert not sim.receipts and "откройте смену" in worker.detail
    assert worker.request("open_shift", by=CASHIER)["shift"] == 1
    wait_for(lambda: all_done(writer, 1), "the receipt")


def test_staff_requests_to_a_dead_register_fail_fast_with_a_clear_message(
    writer, start_worker, tmp_path
):
    worker = start_worker(port=str(tmp_path / "no-such-port"))
    wait_for(lambda: worker.state == "offline", "offline")
    started = time.monotonic()
    with pytest.raises(FiscalUnavailable, match="ККТ не на связи"):
        worker.request("x_report", by=CASHIER)
    assert time.monotonic() - started < 5


def _link_settings() -> dict:
    return {key: FAST[key] for key in ("control_timeout", "byte_timeout", "timeout_scale")}


def test_an_idle_worker_neither_spins_nor_floods_the_register(writer, sim, start_worker):
    """Commits elsewhere (orders, stock) wake the worker, but with nothing to print it only
    looks at its queue; the register is asked for its status once per `poll`."""
    start_worker(poll=0.5)
    wait_for(lambda: sim.executed.get(0x10), "the first status poll")
    process = psutil.Process()
    cpu_before, polls_before = sum(process.cpu_times()[:2]), sim.executed[0x10]
    for _ in range(100):  # a busy shop: many unrelated transactions
        writer.call(apply_stock_change, parse_stock_change("adjust", builders.stock_adjust(MUG=1)))
        time.sleep(0.01)
    idle = 1.0 + 0.01 * 100  # seconds, about
    polls = sim.executed[0x10] - polls_before
    assert polls <= idle / 0.5 + 2, polls
    assert sum(process.cpu_times()[:2]) - cpu_before < 0.5 * idle  # no busy loop


def test_a_receipt_in_flight_when_the_fiscal_drive_was_replaced_waits_for_a_person(
    writer, sim, start_worker
):
    """Document numbers start again in a new FN: comparing them with the old one could print the
    receipt twice. The job is failed with what to check, nothing is sent."""
    sale = writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    writer.call(receipt_sending, sale["receipt_id"], 0, "9999000000000001")  # the old FN
    start_worker()
    wait_for(lambda: jobs(writer)[sale["receipt_id"]]["state"] == "failed", "the failed job")
    assert "ФН заменён" in jobs(writer)[sale["receipt_id"]]["error"] and not sim.receipts


def test_a_receipt_left_half_printed_is_finished_when_paper_comes_even_with_nothing_queued(
    writer, sim, start_worker
):
    worker = start_worker()
    sim.inject("paper_out_during_print", command=0xFF45)
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    wait_for(lambda: all_done(writer, 1), "the signed receipt")
    wait_for(lambda: worker.state == "paper_out", "paper_out")
    sim.load_paper()
    wait_for(lambda: sim.executed.get(0xB0), "B0h: continue printing")
    wait_for(lambda: sim.sub_mode == 0, "the register idle again")
    assert len(sim.receipts) == 1


def test_a_shift_closed_and_opened_at_the_keyboard_between_two_looks_is_noticed(
    writer, sim, start_worker
):
    worker = start_worker(poll=2.0)  # idle, it looks rarely: the keyboard has the line meanwhile
    worker.request("open_shift", by=CASHIER)
    driver = ShtrihM(sim.slave_path, settings=LinkSettings(**_link_settings()))
    try:
        driver.close_shift(Cashier("Пётр"))  # the register's own keyboard, as it were
        driver.open_shift(Cashier("Пётр"))
    finally:
        driver.close()
    wait_for(lambda: worker.shift["number"] == 2, "shift 2 noticed")
    assert [e["shift"] for e in events(writer, "shift.closed")] == [1]
    assert [(e["shift"], e["cashier"]) for e in events(writer, "shift.opened")] == [
        (1, {"staff_id": CASHIER.id, "name": "Анна"}),
        (2, None),  # opened at the register's keyboard: nobody known
    ]


def test_a_refund_the_drawer_cannot_pay_waits_and_says_why_instead_of_looping(
    writer, sim, start_worker
):
    worker = start_worker()
    sale = writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "cash"}, by=CASHIER)
    wait_for(lambda: all_done(writer, 1), "the cash sale")
    worker.request("cash_out", amount=45000, by=MANAGER)  # the drawer is emptied
    refunded = writer.call(refund, sale["receipt_id"], {}, by=MANAGER)
    wait_for(lambda: worker.state == "error", "the register's refusal said")
    time.sleep(1.0)
    job = writer.call(lambda uow: uow.fiscal.job(refunded["receipt_id"]))
    assert job.state == "queued" and job.attempts <= 2, job  # not rebuilt and cancelled in a loop
    assert "cash" in worker.detail.lower() and len(sim.receipts) == 1
