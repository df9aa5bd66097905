"""Correction receipts end to end (issue 11): a running gateway, its JSON API signed in by PIN and
the register simulator. A manager records a sale made while the register was down (one
correction in the fiscal drive: type 31, 1173, 1178, 1179 when by order, operation приход); a
wrong receipt is reversed and replaced (two corrections: возврат прихода of its items, then
приход of the right ones); a cashier is refused without a manager's PIN and served with it; the
audit shows who, how much and why; the cloud hears `receipt.fiscalized` of kind correction."""

import json
import sqlite3
import time
from contextlib import closing
from datetime import date, timedelta

import pytest
from jsonschema import Draft7Validator

from tests.asyncapi_contract import DOC_URI, Contract, load_document
from tests.integration.test_fiscal_api import start_with_mugs
from tests.signin import MANAGER_PIN, desk_clients

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
REASON = "Касса не работала, продажа записана в тетрадь"


@pytest.fixture
def api(tmp_path, sim):
    gateway = start_with_mugs(tmp_path, sim.slave_path)
    client = desk_clients(gateway)
    with client, client.manager:
        yield client
    gateway.stop()


def corrections_in(sim, count: int) -> list[dict]:
    """The fiscal drive's correction receipts once there are `count` of them."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [doc for doc in sim.archive if doc["type"] == "correction"]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"corrections not fiscalised: {sim.archive}")


def wait_done(client, receipt_id: int) -> dict:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = {row["receipt_id"]: row for row in client.get("/api/receipts").json()}
        if rows.get(receipt_id, {}).get("state") == "done":
            return rows[receipt_id]
        time.sleep(0.05)
    raise AssertionError(f"receipt {receipt_id} not done: {client.get('/api/receipts').json()}")


def outbox(tmp_path, event_type: str) -> list[dict]:
    with closing(sqlite3.connect(tmp_path / "gateway.db")) as conn:
        rows = conn.execute(
            "SELECT data_json FROM outbox WHERE type = ? ORDER BY seq", (event_type,)
        )
        return [json.loads(row[0]) for row in rows]


def contract_errors(schema: str, data: dict) -> list[str]:
    """What docs/asyncapi.yaml finds wrong with an event's data (empty: it is valid)."""
    registry = Contract(load_document()).registry
    ref = {"$ref": f"{DOC_URI}#/components/schemas/{schema}"}
    return [error.message for error in Draft7Validator(ref, registry=registry).iter_errors(data)]


def unrecorded(**extra) -> dict:
    sale = {"items": [{"sku": "MUG", "qty": 2}], "payment": "cash", "date": YESTERDAY}
    return {**sale, "reason": REASON, **extra}


def test_a_sale_made_while_the_register_was_down_is_one_correction(api, sim, tmp_path):
    preview = api.manager.post("/api/fiscal/corrections/preview", json=unrecorded())
    assert preview.status_code == 200, preview.text
    assert [r["operation"] for r in preview.json()["receipts"]] == ["sell"]
    assert sim.archive == []  # a preview prints nothing

    queued = api.manager.post("/api/fiscal/corrections", json=unrecorded(idem_key="c-1"))
    assert queued.status_code == 200, queued.text
    again = api.manager.post("/api/fiscal/corrections", json=unrecorded(idem_key="c-1"))
    assert again.json()["replayed"] is True  # a double tap queues once
    [doc] = corrections_in(sim, 1)
    assert (doc["doc_type"], doc["op_type"], doc["total"]) == (31, 1, 90000)
    assert doc["correction"]["1173"] == 0 and doc["correction"]["1179"] is None
    assert doc["correction"]["date"] == YESTERDAY
    assert [(i["name"], i["quantity"], i["price"]) for i in doc["items"]] == [
        ("Товар P-MUG", 2_000_000, 45000)
    ]
    assert sim.receipts == []  # not an ordinary receipt

    by_order = unrecorded(basis="order", order_number="15-07/2026")
    assert api.manager.post("/api/fiscal/corrections", json=by_order).status_code == 200
    _, ordered = corrections_in(sim, 2)
    assert (ordered["correction"]["1173"], ordered["correction"]["1179"]) == (1, "15-07/2026")

    first = wait_done(api, queued.json()["receipt_id"])
    assert first["kind"] == "sell"  # the register's operation; the list says which kind
    fiscalized = outbox(tmp_path, "receipt.fiscalized")
    assert [event["kind"] for event in fiscalized] == ["correction"] * len(fiscalized)
    assert contract_errors("ReceiptFiscalizedData", fiscalized[0]) == []
    basis = fiscalized[0]["correction"]  # the cloud learns of what, why and on what basis
    assert (basis["operation"], basis["date"], basis["reason"]) == ("sell", YESTERDAY, REASON)
    listed = api.get("/api/fiscal/corrections").json()
    assert [row["correction"]["number"] for row in listed][-2:] == ["15-07/2026", None]


def test_a_wrong_receipt_is_reversed_then_printed_right(api, sim):
    sold = api.post("/api/sales", json={"items": [{"sku": "MUG", "qty": 2}], "payment": "card"})
    wrong = sold.json()["receipt_id"]
    wait_done(api, wrong)
    [offered] = api.get("/api/fiscal/corrections/receipts", params={"q": str(wrong)}).json()
    assert offered["left"] == 2 and [i["qty"] for i in offered["items"]] == [2]

    right = {"items": [{"sku": "MUG", "qty": 1, "price": 40000}], "payment": "card"}
    body = {"corrects": wrong, **right, "reason": "Пробили две кружки вместо одной"}
    yesterday = api.manager.post("/api/fiscal/corrections", json={**body, "date": YESTERDAY})
    assert "раньше исправляемого чека" in yesterday.json()["detail"]  # the drive signed it today
    # No date given: the wrong receipt's own, as its fiscal drive recorded it (fiscal_ts).
    queued = api.manager.post("/api/fiscal/corrections", json=body)
    assert queued.status_code == 200, queued.text
    reverse, replaced = corrections_in(sim, 2)
    signed_on = time.strftime("%Y-%m-%d", time.gmtime(sim.receipts[0]["time"]))  # its clock
    assert reverse["correction"]["date"] == signed_on == offered["fiscal_ts"][:10]
    assert (reverse["op_type"], reverse["total"]) == (2, 90000)
    assert [(i["quantity"], i["price"]) for i in reverse["items"]] == [(2_000_000, 45000)]
    assert (replaced["op_type"], replaced["total"]) == (1, 40000)
    assert [(i["quantity"], i["price"]) for i in replaced["items"]] == [(1_000_000, 40000)]
    [receipt] = sim.receipts
    assert reverse["correction"]["date"] == replaced["correction"]["date"]
    assert reverse["fd"] > receipt["fd"] and replaced["fd"] == reverse["fd"] + 1
    # Reversed: neither refunded nor reversed again.
    refund = api.manager.post(f"/api/receipts/{wrong}/refund", json={})
    assert refund.status_code == 422 and refund.json()["error"] == "already_refunded"
    twice = api.manager.post("/api/fiscal/corrections", json={"corrects": wrong, "reason": "ещё"})
    assert twice.status_code == 409 and twice.json()["error"] == "already_corrected"
    assert (
        api.get("/api/fiscal/corrections/receipts", params={"q": str(wrong)}).json()[0]["left"] == 0
    )


def test_a_cashier_needs_a_managers_pin_and_the_audit_says_why(api, sim):
    refused = api.post("/api/fiscal/corrections", json=unrecorded())
    assert refused.status_code == 403 and refused.json()["error"] == "needs_manager"
    assert "чек коррекции: нужен PIN управляющего" in refused.json()["detail"]
    manager_id = next(p["id"] for p in api.gateway.auth.people() if p["role"] == "manager")
    override = {"X-Storegw-Override": f"{manager_id}:{MANAGER_PIN}"}
    allowed = api.post("/api/fiscal/corrections", json=unrecorded(), headers=override)
    assert allowed.status_code == 200, allowed.text
    corrections_in(sim, 1)
    audit = api.manager.get("/api/audit").json()
    [row] = [row for row in audit if row["kind"] == "correction"]
    receipt_id = allowed.json()["receipt_id"]
    assert (row["staff"], row["approved_by"], row["amount"]) == ("Анна", "Ольга", 90000)
    assert row["detail"] == f"receipt {receipt_id}: {REASON}"
    # One act, one row in «Журнал»: the manager's PIN is named on the correction's own row.
    # The audit table keeps its own override row all the same (append-only).
    assert not any(r["kind"] == "override" and r["detail"] == "fiscal_correction" for r in audit)
    with api.gateway.reader() as conn:
        kept = "SELECT COUNT(*) FROM audit WHERE kind = 'override' AND detail = 'fiscal_correction'"
        assert conn.execute(kept).fetchone()[0] == 1


def test_refusals_say_what_to_fix_and_print_nothing(api, sim):
    future = (date.today() + timedelta(days=1)).isoformat()
    for body, status, words in (
        (unrecorded(date=future), 422, "ещё не наступила"),
        (unrecorded(reason=""), 422, "Напишите причину"),
        (unrecorded(basis="order"), 422, "Укажите номер предписания"),
        (unrecorded(items=[{"sku": "NOPE"}]), 422, "Товара NOPE нет в каталоге"),
        ({"corrects": 42, "reason": "ошибка"}, 404, "Чек № 42 не найден"),
    ):
        answer = api.manager.post("/api/fiscal/corrections", json=body)
        assert (answer.status_code, words in answer.json()["detail"]) == (status, True), answer.text
    assert api.get("/api/receipts").json() == [] and sim.archive == []
