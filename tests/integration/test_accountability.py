"""Who did it (issue 9, accountability): every row that records an action keeps the actor's staff
id beside the name, and so do the outbound events; a cashier is refused a manager's action and
nothing changes, unless a manager approved it, which the audit records with both; a receipt
names its cashier to the register (tags 1021, 1203). ARCHITECTURE.md, "Who did it"."""

import json
import time
from contextlib import closing, contextmanager

import pytest

from drivers.scanner import scan_from_text
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.scanner.station import ScanStation
from gateway.adapters.sqlite.schema_staff import ACTOR_ID_COLUMNS
from gateway.adapters.sqlite.writer import Writer
from gateway.config import FiscalConfig
from gateway.domain.fiscal import Fiscalised, ReceiptDraft
from gateway.domain.staff import Forbidden
from gateway.services.fiscal import (
    cash_moved,
    counter_sale,
    receipt_fiscalised,
    receipt_sending,
    shift_closed,
    shift_opened,
)
from gateway.services.orders import cancel_order, confirm_order, create_order, ship_order
from gateway.services.printing import TEST_PAGE, queue_print
from gateway.services.receiving import (
    post_receiving,
    resolve_unknown_code,
    scan_into_receiving,
    start_receiving,
    void_receiving,
)
from gateway.services.refunds import refund
from gateway.services.stocktake import apply_stocktake, scan_into_stocktake, start_stocktake
from tests import builders
from tests.builders import CASHIER, MANAGER, hire

A_CODE, UNKNOWN, STRANGER = "4601234567893", "2000000000015", "2000000000022"
FAST = {"control_timeout": 0.08, "byte_timeout": 0.1, "timeout_scale": 0.01, "poll": 0.1}
WAIT = 15.0
ANY_SALE = {"items": [{"sku": "A", "qty": 1}], "payment": "cash"}


@pytest.fixture
def staffed(shop):
    """A shop with A (barcode A_CODE) and B in stock, and CASHIER and MANAGER as staff rows (the
    audit references them)."""
    shop.run(hire)
    a = builders.product("P-A", [builders.variant("A", 10000, [{"code": A_CODE}])], [])
    shop.load_catalog(a, builders.simple_product("B"))
    shop.stock(A=20, B=20)
    return shop


@contextmanager
def till(shop, sim):
    """The fiscal worker on the register simulator, writing to the shop's database."""
    writer = Writer(shop.db.path).start()
    worker = FiscalWorker(FiscalConfig(port=sim.slave_path, **FAST), writer)
    writer.on_commit(worker.wake)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        writer.stop()


def wait_until_printed(shop) -> None:
    deadline = time.monotonic() + WAIT
    while rows(shop, "SELECT DISTINCT state FROM receipt_job") != [("done",)]:
        assert time.monotonic() < deadline, "the receipts were not printed"
        time.sleep(0.02)


def rows(shop, query: str, *args) -> list[tuple]:
    with closing(shop.db.reader()) as conn:
        return [tuple(row) for row in conn.execute(query, args)]


def everything(shop) -> dict:
    """Every table, to show a refused command changed nothing."""
    tables = [name for (name,) in rows(shop, "SELECT name FROM sqlite_master WHERE type='table'")]
    return {table: sorted(rows(shop, f"SELECT * FROM {table}"), key=repr) for table in tables}


def audit(shop) -> list[tuple]:
    return rows(shop, "SELECT kind, staff_id, approved_by, amount FROM audit ORDER BY id")


def a_day(shop, sim) -> None:
    """A day in the shop: a cashier and a manager sell, ship, receive, count and run the till."""
    shop.run(create_order, builders.order("W-1", ("A", 1)))
    shop.run(create_order, builders.order("W-2", ("B", 1)))
    shop.run(confirm_order, "W-1", by=CASHIER)
    shop.run(cancel_order, "W-2", by=MANAGER)
    with till(shop, sim) as worker:
        worker.request("open_shift", by=CASHIER)
        worker.request("cash_in", amount=50000, by=CASHIER)
        shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})
        shop.run(counter_sale, ANY_SALE, by=MANAGER)
        wait_until_printed(shop)
        worker.request("cash_out", amount=1000, by=CASHIER.approved(MANAGER))
        worker.request("close_shift", by=MANAGER)
    shop.run(queue_print, TEST_PAGE, {}, by=CASHIER)
    doc = shop.run(start_receiving, by=CASHIER)["doc_id"]
    for code in (A_CODE, UNKNOWN, STRANGER):
        shop.run(scan_into_receiving, doc, code, by=CASHIER)
    shop.run(resolve_unknown_code, doc, UNKNOWN, "B", by=MANAGER)
    shop.run(post_receiving, doc, by=MANAGER, allow_unresolved=True)
    dropped = shop.run(start_receiving, by=MANAGER)["doc_id"]
    shop.run(void_receiving, dropped, by=CASHIER)
    take = shop.run(start_stocktake, by=CASHIER, skus=["A"])["take_id"]
    shop.run(scan_into_stocktake, take, A_CODE, by=CASHIER, qty=3)
    shop.run(apply_stocktake, take, by=MANAGER)


# (table, id column) -> (its name column, which rows, who did it in `a_day`)
ACTORS = {
    ("stock_move", "staff_id"): ("actor", "reason = 'sale'", MANAGER),
    ("shipment", "staff_id"): ("actor", "order_id = 'W-1'", CASHIER),
    ("receipt_job", "staff_id"): ("created_by", "order_id IS NULL", MANAGER),
    ("fiscal_shift", "opened_by_id"): ("opened_by", "number = 1", CASHIER),
    ("fiscal_shift", "closed_by_id"): ("closed_by", "number = 1", MANAGER),
    ("cash_move", "staff_id"): ("actor", "kind = 'in'", CASHIER),
    ("print_job", "staff_id"): ("created_by", "kind = 'test_page'", CASHIER),
    ("receiving_doc", "created_by_id"): ("created_by", "id = 'R-1'", CASHIER),
    ("receiving_doc", "posted_by_id"): ("posted_by", "id = 'R-1'", MANAGER),
    ("receiving_doc", "voided_by_id"): ("voided_by", "id = 'R-2'", CASHIER),
    ("receiving_link", "linked_by_id"): ("linked_by", "code = '2000000000015'", MANAGER),
    ("stocktake", "started_by_id"): ("started_by", "id = 'INV-1'", CASHIER),
    ("stocktake", "closed_by_id"): ("closed_by", "id = 'INV-1'", MANAGER),
    ("customer_order", "confirmed_by_id"): ("confirmed_by", "id = 'W-1'", CASHIER),
}


def test_every_row_that_records_an_action_keeps_the_actors_id_beside_the_name(staffed, sim):
    assert set(ACTORS) == {(t, c) for t, columns in ACTOR_ID_COLUMNS.items() for c in columns}
    a_day(staffed, sim)
    for (table, column), (name, where, who) in ACTORS.items():
        found = rows(staffed, f"SELECT DISTINCT {name}, {column} FROM {table} WHERE {where}")
        assert found == [(who.name, who.id)], (table, column)
    # The repositories read the ids back into the domain's values.
    with staffed.db.transaction() as uow:
        assert uow.orders.get("W-1").confirmed_by_id == CASHIER.id
        doc, dropped = uow.receiving.get("R-1"), uow.receiving.get("R-2")
        assert (doc.created_by_id, doc.posted_by_id, dropped.voided_by_id) == (1, 2, 1)
        assert [link.by_id for link in uow.receiving.links("R-1")] == [MANAGER.id]
        take = uow.stocktake.get("INV-1")
        assert (take.started_by_id, take.closed_by_id) == (CASHIER.id, MANAGER.id)
        assert [uow.fiscal.job(n).staff_id for n in (1, 2)] == [CASHIER.id, MANAGER.id]
    # The cash out a manager approved is audited with both; money actions are listed.
    assert audit(staffed) == [
        ("cash_in", CASHIER.id, None, 50000),
        ("override", CASHIER.id, MANAGER.id, 1000),
        ("cash_out", CASHIER.id, MANAGER.id, 1000),
        ("close_shift", MANAGER.id, None, 50000 + 10000 - 1000),  # W-1 was paid online
    ]


def test_outbound_events_carry_the_staff_id_with_the_name(staffed, sim):
    a_day(staffed, sim)
    events = {}
    for event_type, data in rows(staffed, "SELECT type, data_json FROM outbox ORDER BY seq"):
        events.setdefault(event_type, []).append(json.loads(data))

    def who(data: dict, name: str = "by") -> tuple:
        return data[name], data["staff_id"]

    assert who(events["order.confirmed"][0]) == (CASHIER.name, CASHIER.id)
    assert who(events["order.cancelled"][0]) == (MANAGER.name, MANAGER.id)
    assert who(events["receiving.posted"][0]) == (MANAGER.name, MANAGER.id)
    adjusted = {data["reason"]: who(data) for data in events["stock.adjusted"]}
    assert adjusted == {
        "initial": (None, None),  # the test's own set-up: no one
        "counter_sale": (MANAGER.name, MANAGER.id),
        "stocktake": (MANAGER.name, MANAGER.id),
    }
    # The register's events name the cashier as one object (MQTT-CONTRACT 1.1).
    receipts = [data["cashier"] for data in events["receipt.fiscalized"]]
    assert receipts == [
        {"staff_id": CASHIER.id, "name": CASHIER.name},
        {"staff_id": MANAGER.id, "name": MANAGER.name},
    ]
    opened, closed = events["shift.opened"][0], events["shift.closed"][0]
    assert opened["cashier"] == {"staff_id": CASHIER.id, "name": CASHIER.name}
    assert closed["cashier"] == {"staff_id": MANAGER.id, "name": MANAGER.name}


def test_the_receipt_and_the_shift_it_opens_name_the_cashier_and_inn(staffed, sim):
    staffed.run(counter_sale, ANY_SALE, by=MANAGER)  # the day's first receipt
    with till(staffed, sim):
        wait_until_printed(staffed)
    [opening] = [doc for doc in sim.archive if doc["type"] == "open_shift"]
    [receipt] = sim.receipts
    for document in (opening, receipt):
        assert (document["tlv"]["1021"], document["tlv"]["1203"]) == (MANAGER.name, MANAGER.inn)
    assert rows(staffed, "SELECT opened_by, opened_by_id FROM fiscal_shift") == [
        (MANAGER.name, MANAGER.id)
    ]


def test_a_draft_queued_before_staff_had_an_inn_still_reads():
    old = {"kind": "sell", "items": [], "payments": {"cash": 0, "card": 0}, "cashier": "Анна"}
    draft = ReceiptDraft.from_json(old)
    assert (draft.cashier, draft.cashier_inn) == ("Анна", None)


# --- a manager's actions --------------------------------------------------------------------


def fiscalised_sale(shop) -> int:
    receipt_id = shop.run(counter_sale, ANY_SALE, by=CASHIER)["receipt_id"]
    shop.run(receipt_sending, receipt_id, 1)
    fiscal = Fiscalised("7380440700076549", 2, 3000000002, 1, 1, "2026-03-02T10:15:00")
    shop.run(receipt_fiscalised, receipt_id, fiscal, 0)
    return receipt_id


def unknown_code_scanned(shop) -> str:
    doc = shop.run(start_receiving, by=CASHIER)["doc_id"]
    shop.run(scan_into_receiving, doc, UNKNOWN, by=CASHIER)
    return doc


def counted(shop) -> str:
    take = shop.run(start_stocktake, by=CASHIER, skus=["A"])["take_id"]
    shop.run(scan_into_stocktake, take, A_CODE, by=CASHIER, qty=2)
    return take


def shift_open(shop) -> int:
    shop.run(shift_opened, 1, by=CASHIER, fd=1, fp=1)
    return 1


# action -> (its set-up, then the action by someone) on a staffed shop
MANAGER_ACTIONS = {
    "refund": (fiscalised_sale, lambda shop, sold, by: shop.run(refund, sold, None, by=by)),
    "cancel": (
        lambda shop: shop.run(create_order, builders.order("W-1", ("A", 1)))["order_id"],
        lambda shop, order_id, by: shop.run(cancel_order, order_id, by=by),
    ),
    "link_code": (
        unknown_code_scanned,
        lambda shop, doc, by: shop.run(resolve_unknown_code, doc, UNKNOWN, "A", by=by),
    ),
    "post_unresolved": (
        unknown_code_scanned,
        lambda shop, doc, by: shop.run(post_receiving, doc, by=by, allow_unresolved=True),
    ),
    "apply_stocktake": (counted, lambda shop, take, by: shop.run(apply_stocktake, take, by=by)),
    "close_shift": (
        shift_open,
        lambda shop, shift, by: shop.run(shift_closed, shift, by=by, fd=2, fp=2),
    ),
    "cash_out": (
        shift_open,
        lambda shop, _, by: shop.run(cash_moved, "out", 1000, by=by, register_doc=2),
    ),
}


@pytest.mark.parametrize("action", MANAGER_ACTIONS)
def test_a_cashier_is_refused_a_managers_action_and_nothing_changes(staffed, action):
    set_up, act = MANAGER_ACTIONS[action]
    subject = set_up(staffed)
    before = everything(staffed)
    with pytest.raises(Forbidden) as refused:
        act(staffed, subject, CASHIER)
    assert refused.value.reason == "needs_manager"
    assert everything(staffed) == before


@pytest.mark.parametrize("action", MANAGER_ACTIONS)
def test_a_managers_approval_lets_a_cashier_do_it_and_the_audit_names_both(staffed, action):
    set_up, act = MANAGER_ACTIONS[action]
    act(staffed, set_up(staffed), CASHIER.approved(MANAGER))
    overrides = rows(staffed, "SELECT staff_id, approved_by FROM audit WHERE kind = 'override'")
    assert overrides == [(CASHIER.id, MANAGER.id)]


def test_the_register_is_not_asked_when_the_role_does_not_allow_it(tmp_path):
    """Refused before the request is queued: this worker never runs, so a queued request would
    end as `FiscalUnavailable` after its timeout instead."""
    worker = FiscalWorker(FiscalConfig(port=str(tmp_path / "no-such-port"), **FAST), writer=None)
    for op, kwargs in (("close_shift", {}), ("cash_out", {"amount": 100})):
        with pytest.raises(Forbidden, match="needs a manager"):
            worker.request(op, by=CASHIER, timeout=0.1, **kwargs)


def test_the_scanners_own_scans_are_the_person_who_pointed_it(staffed):
    seen = []

    def receive(doc_id, code, by):
        seen.append(by)
        return staffed.run(scan_into_receiving, doc_id, code.code, by=by)

    station = ScanStation({"receiving": receive}, lookup=lambda code: None)
    doc = staffed.run(start_receiving, by=CASHIER)["doc_id"]
    target = station.set_target("receiving", doc, CASHIER)["target"]
    assert (target["by"], target["staff_id"]) == (CASHIER.name, CASHIER.id)
    assert station.handle(scan_from_text(A_CODE))["ok"]  # the physical scanner: no one says who
    station.scan_text(A_CODE, by=MANAGER)  # typed on a manager's tablet
    assert seen == [CASHIER, MANAGER]
