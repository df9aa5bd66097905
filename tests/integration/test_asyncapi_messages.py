"""Every message the gateway publishes (driven through the real services on a real database,
turned into wire envelopes exactly like the cloud link does) and every message it accepts
validates against docs/asyncapi.yaml; and invalid messages are refused by both the document's
schemas and the code."""

import json
import threading
from contextlib import closing

import pytest

from gateway.adapters.mqtt.client import status_bytes
from gateway.adapters.sqlite.command_clock import utc_now
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.messages import INBOUND_TYPES, envelope_bytes
from gateway.services.inbox import skip_gap
from tests import builders
from tests.asyncapi_cloud import (
    NEW_LABEL,
    PREFIX,
    STRANGE_LABEL,
    SUFFIX_OF,
    TS,
    Cloud,
    in_seq,
    run_scenario,
    types_the_code_publishes,
)
from tests.asyncapi_contract import Contract, load_document
from tests.builders import CASHIER, MANAGER

# Gateway → cloud types the contract defines but no code publishes yet. When one of them gets an
# emit(...) in the gateway package, the test fails until run_scenario (tests/asyncapi_cloud.py)
# produces it.
NOT_PRODUCED_YET: frozenset[str] = frozenset()

# The message.rejected / order.rejected reasons the scenario must provoke.
REJECTION_REASONS = frozenset(
    {
        "invalid_json",
        "invalid",
        "wrong_version",
        "unknown_type",
        "wrong_topic",
        "oversize",
        "characteristics_mismatch",
        "unknown_sku",
        "negative_stock",
        "invalid_transition",
        "payment_not_applicable",
    }
)


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(load_document())


def test_every_message_the_code_accepts_validates_and_is_applied(shop, contract):
    cloud = run_scenario(shop, contract)
    assert cloud.accepted == set(INBOUND_TYPES)
    assert contract.types_for("receive") == cloud.accepted


def test_every_message_the_code_publishes_validates(shop, contract):
    run_scenario(shop, contract)
    cloud = Cloud(shop, contract)  # a gap never filled: skipped, with an alarm in the status
    after_gap = cloud.envelope("sync.ack", {"through_seq": 1}, seq=in_seq(shop) + 2, id="late")
    assert cloud.deliver(after_gap)["parked"]
    shop.run(skip_gap, PREFIX)

    with closing(shop.db.reader()) as conn:
        rows = conn.execute(
            "SELECT seq, event_id, type, topic, data_json, created_at FROM outbox ORDER BY seq"
        ).fetchall()
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    validated: dict[str, list[dict]] = {}
    for seq, event_id, event_type, topic, data_json, created_at in rows:
        # Exactly what CloudLink._publish_outbox puts on <prefix>/<store>/out/<topic>.
        payload = envelope_bytes(event_id, event_type, ts=created_at, seq=seq, data_json=data_json)
        message = json.loads(payload)
        contract.check(f"out/{topic}", message)
        validated.setdefault(event_type, []).append(message["data"])

    # The variants and extensions the scenario had to produce are all there.
    assert {d["full"] for d in validated["stock.changed"]} == {False, True}
    assert {d["status"] for d in validated["order.reserved"]} == {"reserved", "short"}
    cancelled = validated["order.cancelled"]
    assert [d.get("needs_attention") for d in cancelled] == [True, None, None, None]
    assert cancelled[0]["status"] == "shipped"
    rejected = {d["reason"] for d in validated["message.rejected"]}
    assert rejected >= REJECTION_REASONS, REJECTION_REASONS - rejected
    documented = set(contract.schema_examples("MessageRejectedData", "reason"))
    assert rejected <= documented, f"document these reasons: {rejected - documented}"
    order_reasons = {d["reason"] for d in validated["order.rejected"]}
    assert order_reasons <= set(contract.schema_examples("OrderRejectedData", "reason"))
    # The till: receipts and shifts (run_the_register in tests/asyncapi_cloud.py).
    receipts = validated["receipt.fiscalized"]
    assert [(d["kind"], d["order_id"], d["refund_of"]) for d in receipts] == [
        ("sell", "W-6", None),
        ("sell", None, None),
        ("sell_refund", None, receipts[1]["receipt_id"]),
        ("prepayment", "W-8", None),  # contract 1.1: paid on the site
        ("sell", "W-8", None),  # its handover, paid by the prepayment
        ("prepayment", "W-9", None),
        ("prepayment_refund", "W-9", receipts[5]["receipt_id"]),  # cancelled, money back
    ]
    assert receipts[1]["payments"] == {"cash": 15000, "card": 0, "prepaid": 0}
    assert receipts[1]["change"] == 5000
    assert [(d["payments"], d.get("payment_id")) for d in receipts[3:]] == [
        ({"cash": 0, "card": 10000, "prepaid": 0}, "pay-8"),
        ({"cash": 0, "card": 0, "prepaid": 10000}, None),
        ({"cash": 0, "card": 10000, "prepaid": 0}, "pay-9"),
        ({"cash": 0, "card": 10000, "prepaid": 0}, "pay-9"),
    ]
    anna = {"staff_id": CASHIER.id, "name": CASHIER.name}
    olga = {"staff_id": MANAGER.id, "name": MANAGER.name}
    # Ольга refunded; the site's payments have no cashier (the register prints its default).
    assert [d["cashier"] for d in receipts] == [anna, anna, olga, None, anna, None, None]
    # The drawer after each: W-6 paid by card, 150 ₽ in with 50 ₽ change, 100 ₽ back; the
    # payments on the site and their offset move no cash.
    assert [d["cash_in_drawer"] for d in receipts] == [0, 10000, 0, 0, 0, 0, 0]
    shipped = validated["order.shipped"]
    assert [d["receipt_id"] for d in shipped] == [
        None,
        receipts[0]["receipt_id"],
        receipts[4]["receipt_id"],
    ]
    assert {d["receipt"] for d in shipped} == {None}  # the fiscal data is in receipt.fiscalized
    by_receipt = {d["reason"]: d.get("receipt_id") for d in validated["stock.adjusted"]}
    assert by_receipt["counter_sale"] == receipts[1]["receipt_id"]
    assert by_receipt["return"] == receipts[2]["receipt_id"]
    opened = validated["shift.opened"]
    assert [(d["shift"], d["cashier"]) for d in opened] == [(1, None), (2, anna)]
    assert opened[0]["fiscal"] == {"fd": None, "fp": None}  # opened at the register's keyboard
    assert opened[1]["fiscal"]["fd"] and opened[1]["fiscal"]["fp"] is not None
    [closed] = validated["shift.closed"]
    assert (closed["shift"], closed["cashier"]) == (1, olga)
    counted = (closed["cash_expected"], closed["cash_counted"], closed["cash_difference"])
    assert counted == (5000, 4900, -100)  # a rouble short
    assert closed["fiscal"]["fd"]
    assert closed["totals"] == {
        "sales": {"count": 5, "total": 50000, "cash": 10000, "card": 30000, "prepaid": 10000},
        "refunds": {"count": 2, "total": 20000, "cash": 10000, "card": 10000, "prepaid": 0},
        "cash_in": 5000,
        "cash_out": 0,
        "cash_in_drawer": 5000,
    }

    # The stockroom (receive_and_count in tests/asyncapi_cloud.py).
    [posted] = validated["receiving.posted"]
    assert posted["lines"] == [{"sku": "TS-RED-M", "qty": 11}, {"sku": "B", "qty": 12}]
    assert posted["unknown_codes"] == [STRANGE_LABEL]
    assert posted["unknown"] == [{"code": STRANGE_LABEL, "scans": 1}]
    assert posted["resolved_codes"] == [{"code": NEW_LABEL, "sku": "B", "pack": 6, "learned": True}]
    assert (posted["by"], posted["staff_id"], posted["supplier_ref"]) == (
        MANAGER.name,
        MANAGER.id,
        "УПД 118",
    )
    [counted] = [d for d in validated["stock.adjusted"] if d["reason"] == "stocktake"]
    assert counted["items"] == [
        {"sku": "B", "delta": -11, "on_hand": 6},
        {"sku": "TS-RED-M", "delta": -3, "on_hand": 10},
    ]
    assert (counted["by"], counted["staff_id"], counted["stocktake_id"]) == (
        MANAGER.name,
        MANAGER.id,
        "INV-1",
    )
    assert "receipt_id" not in counted

    # The stock desk (contract 1.1): A reached its catalog threshold when W-1 reserved it, and
    # a manager's correction says why and who.
    assert validated["stock.low"][0] == {"sku": "A", "available": 2, "min_stock": 2}
    [corrected] = [d for d in validated["stock.adjusted"] if d.get("correction_id")]
    assert corrected["items"] == [{"sku": "B", "delta": -1, "on_hand": 5}]
    assert (corrected["reason"], corrected["note"], corrected["by"], corrected["staff_id"]) == (
        "damage",
        "порван шов",
        MANAGER.name,
        MANAGER.id,
    )

    # The fiscal drive's health (contract 1.1): a queue 8 days old reached the 7-day level.
    [alarm] = validated["fiscal.alarm"]
    assert (alarm["kind"], alarm["days"]) == ("ofd_queue", 8) and "ОФД" in alarm["detail"]

    # gateway.status, built like the running gateway builds it, without starting anything.
    config = load_config(None, env={"STOREGW_DATABASE_PATH": str(shop.db.path)})
    threads = set(threading.enumerate())
    gateway = Gateway(config)
    assert set(threading.enumerate()) == threads and gateway.link is None
    with pytest.raises(RuntimeError, match="not running"):
        gateway.writer.submit(lambda uow: None)  # the writer was not started either
    for online in (True, False):  # the retained status, and the last will
        message = json.loads(status_bytes(gateway.cloud_status(online), utc_now()))
        contract.check("out/status", message)
        assert message["data"]["online"] is online and message["data"]["alarms"]
        validated.setdefault(message["type"], []).append(message["data"])

    produced = types_the_code_publishes()
    assert set(validated) == produced, "drive every type the code publishes in the scenario"
    assert NOT_PRODUCED_YET.isdisjoint(produced), (
        f"{NOT_PRODUCED_YET & produced} is published now: produce it in run_scenario"
        " and take it off NOT_PRODUCED_YET"
    )
    assert contract.types_for("send") == set(validated) | NOT_PRODUCED_YET


# --- invalid messages: refused by the document and by the code ---------------------------------


def _message(type_: str, data, **fields) -> dict:
    return {"v": 1, "id": "bad-1", "type": type_, "ts": TS, "data": data, **fields}


def _order(*lines, **fields) -> dict:
    return builders.order("W-BAD", *lines, **fields)


def _qty(qty) -> dict:
    order = _order(("A", 1))
    order["lines"][0]["qty"] = qty
    return order


def _paid(**fields) -> dict:
    body = {"order_id": "W-BAD", "payment_id": "pay-bad", "amount": 100, "method": "sbp",
            "paid_at": TS}  # fmt: skip
    return {key: value for key, value in {**body, **fields}.items() if value is not None}


REFUND_NEGATIVE = {"order_id": "W-BAD", "payment_id": "p", "amount": -1, "refunded_at": TS}
VAT20 = builders.catalog(builders.product("P-OLD", [builders.variant("OLD-1")], [], vat="vat20"))


@pytest.mark.parametrize(
    ("message", "refusal"),
    [
        pytest.param(_message("order.created", _qty(1.5)), "order.rejected", id="qty-1.5"),
        pytest.param(_message("order.created", _qty(0)), "order.rejected", id="qty-0"),
        pytest.param(_message("order.created", _qty("2")), "order.rejected", id="qty-string"),
        pytest.param(_message("order.created", _order()), "order.rejected", id="no-lines"),
        pytest.param(
            _message("order.cancelled", {"reason": "customer"}),
            "message.rejected",
            id="cancel-without-order_id",
        ),
        pytest.param(
            _message("order.updated", _order(("A", 1))), "message.rejected", id="edit-no-version"
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), v=2), "message.rejected", id="v-2"
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), v=True), "message.rejected", id="v-true"
        ),
        pytest.param(
            {**_message("order.created", _order(("A", 1))), "id": "x" * 65},
            "message.rejected",
            id="id-too-long",
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), seq=0), "message.rejected", id="seq-0"
        ),
        pytest.param(_message("order.created", []), "message.rejected", id="data-not-object"),
        pytest.param(
            _message("stock.adjust", builders.stock_adjust(A=0)), "message.rejected", id="delta-0"
        ),
        pytest.param(
            _message("stock.set", builders.stock_set(A=-1)), "message.rejected", id="on_hand<0"
        ),
        pytest.param(
            _message("stock.set", {"reason": "count", "items": []}),
            "message.rejected",
            id="no-items",
        ),
        pytest.param(
            _message("sync.ack", {"through_seq": "1"}), "message.rejected", id="ack-string"
        ),
        pytest.param(_message("cmd.replay", {"from_seq": 0}), "message.rejected", id="replay-0"),
        pytest.param(_message("catalog.upsert", VAT20), "message.rejected", id="vat20"),
        pytest.param(_message("order.paid", _paid(amount=0)), "message.rejected", id="paid-0"),
        pytest.param(
            _message("order.paid", _paid(amount="100")), "message.rejected", id="paid-string"
        ),
        pytest.param(
            _message("order.paid", _paid(method="cash")), "message.rejected", id="paid-in-cash"
        ),
        pytest.param(
            _message("order.paid", _paid(paid_at="вчера")), "message.rejected", id="paid-when"
        ),
        pytest.param(
            _message("order.paid", _paid(payment_id=None)), "message.rejected", id="no-payment-id"
        ),
        pytest.param(
            _message("order.refunded", REFUND_NEGATIVE), "message.rejected", id="refund-negative"
        ),
    ],
)
def test_invalid_messages_are_refused_by_the_document_and_the_code(
    shop, contract, message, refusal
):
    shop.stock(A=5)
    suffix = SUFFIX_OF[message["type"]]
    refusals = Cloud(shop, contract).refused(message, suffix)  # checks the document, too
    assert {e["type"] for e in refusals} == {refusal}
    assert shop.order("W-BAD") is None and shop.level("A").reserved == 0
    assert shop.level("OLD-1") is None
    with closing(shop.db.reader()) as conn:
        assert conn.execute("SELECT count(*) FROM receipt_job").fetchone()[0] == 0
