"""`storegw fiscal correction` and `storegw fiscal corrections` (issue 11): the real console script
as a subprocess, beside a running gateway with the register simulator. A manager's PIN proves
who queues it; the running gateway prints what the terminal queued; a wrong PIN, a cashier and
bad arguments are one-line refusals that queue nothing."""

import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from gateway.domain.staff import CASHIER, MANAGER
from gateway.services.fiscal import counter_sale
from tests.clean_env import storegw_free_env
from tests.integration.test_fiscal_api import start_with_mugs
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
REASON = "Касса не работала, продажа записана в тетрадь"


@pytest.fixture
def shop(tmp_path, sim):
    """A running gateway (its config in tmp_path/gateway.toml) with Ольга and Анна."""
    gateway = start_with_mugs(tmp_path, sim.slave_path)
    gateway.manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    gateway.cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
    gateway.config_path = tmp_path / "gateway.toml"
    yield gateway
    gateway.stop()


def storegw(shop, *args, pin: str = MANAGER_PIN) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STOREGW), "fiscal", *map(str, args), "--config", str(shop.config_path)],
        input=f"{pin}\n",
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


def ok(shop, *args, **kwargs) -> dict:
    result = storegw(shop, *args, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(shop, *args, **kwargs) -> str:
    result = storegw(shop, *args, **kwargs)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("storegw: error: ")
    return line


def corrections_in(sim, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [doc for doc in sim.archive if doc["type"] == "correction"]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"corrections not fiscalised: {sim.archive}")


def test_a_correction_from_the_terminal_is_printed_by_the_running_gateway(shop, sim):
    args = ("correction", "--manager", "ольга", "--date", YESTERDAY, "--sku", "MUG", "--qty", 2)
    checked = ok(shop, *args, "--cash", "--reason", REASON, "--dry-run")
    assert [r["receipt_id"] for r in checked["receipts"]] == [None] and checked["total"] == 90000
    assert sim.archive == []

    queued = ok(
        shop, *args, "--price", "440,50", "--cash", "--order-number", "7/26", "--reason", REASON
    )
    [receipt] = queued["receipts"]
    assert (receipt["operation"], receipt["total"]) == ("sell", 88100)
    assert receipt["correction"]["by_order"] is True and receipt["correction"]["number"] == "7/26"
    [doc] = corrections_in(sim, 1)
    assert (doc["doc_type"], doc["op_type"], doc["total"]) == (31, 1, 88100)
    assert (doc["correction"]["1173"], doc["correction"]["1179"]) == (1, "7/26")
    assert doc["correction"]["date"] == YESTERDAY

    listed = ok(shop, "corrections")
    assert listed[0]["receipt_id"] == receipt["receipt_id"]
    assert listed[0]["correction"]["reason"] == REASON
    audit = [row for row in shop.read(_audit) if row[0] == "correction"]
    assert audit == [("correction", "Ольга", 88100, f"receipt {receipt['receipt_id']}: {REASON}")]


def test_a_wrong_receipt_is_reversed_and_replaced_from_the_terminal(shop, sim):
    sold = shop.run(counter_sale, {"items": [{"sku": "MUG", "qty": 2}], "payment": "cash"},
                    by=shop.cashier)  # fmt: skip
    deadline = time.monotonic() + 15
    while len(sim.receipts) < 1:
        assert time.monotonic() < deadline, sim.archive
        time.sleep(0.05)
    then = ("--then-sku", "MUG", "--then-qty", 1, "--cash", "--reason", "Две вместо одной")
    result = ok(shop, "correction", "--manager", shop.manager.id, "--reverse", sold["receipt_id"],
                *then)  # fmt: skip
    assert [r["role"] for r in result["receipts"]] == ["reverse", "replace"]
    reverse, right = corrections_in(sim, 2)
    assert (reverse["op_type"], reverse["total"], right["op_type"], right["total"]) == (
        2, 90000, 1, 45000,
    )  # fmt: skip
    assert reverse["correction"]["date"] == date.today().isoformat()  # the wrong receipt's day


def test_no_correction_without_a_managers_pin(shop, sim):
    base = ("correction", "--date", YESTERDAY, "--sku", "MUG", "--cash", "--reason", REASON)
    assert "wrong PIN for Ольга" in refused(shop, *base, "--manager", "Ольга", pin="9999")
    assert "needs a manager" in refused(shop, *base, "--manager", "Анна", pin=CASHIER_PIN)
    assert "no one called 'Пётр'" in refused(shop, *base, "--manager", "Пётр")
    kinds = [row[0] for row in shop.read(_audit)]
    assert "pin_refused" in kinds and "correction" not in kinds


@pytest.mark.parametrize(
    "args, words",
    [
        (("--sku", "MUG", "--cash", "--date", "2099-01-01"), "ещё не наступила"),
        (("--sku", "MUG", "--date", YESTERDAY), "say how it was paid"),
        (("--sku", "MUG", "--sku", "MUG", "--qty", 1, "--cash", "--date", YESTERDAY),
         "give one --qty per --sku"),
        (("--sku", "MUG", "--price", "4.5.0", "--cash", "--date", YESTERDAY), "roubles"),
        (("--sku", "MUG", "--cash-amount", "100", "--date", YESTERDAY), "a split payment"),
        (("--reverse", 99, "--sku", "MUG", "--cash"), "with --reverse"),
        (("--reverse", 99,), "Чек № 99 не найден"),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_line_and_queue_nothing(shop, sim, args, words):
    line = refused(shop, "correction", "--manager", "Ольга", "--reason", REASON, *args)
    assert words in line
    assert ok(shop, "corrections") == []


def test_the_help_explains_both_cases():
    result = subprocess.run(
        [str(STOREGW), "fiscal", "correction", "--help"], env=ENV, capture_output=True, text=True
    )
    assert result.returncode == 0
    for words in ("A sale made while the register was down", "A wrong receipt", "--then-sku",
                  "PIN", "--take-from-stock", "Exit status"):  # fmt: skip
        assert words in result.stdout


def _audit(conn) -> list[tuple]:
    rows = conn.execute(
        "SELECT a.kind, s.name, a.amount, a.detail FROM audit a"
        " LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id"
    )
    return [tuple(row) for row in rows]
