"""The marking check before a sale (разрешительный режим) through the staff API of a running
gateway with the register simulator: `POST /api/marking/check` says what the register answered;
the sale and ship APIs check every code again (the page is not trusted) and a code the simulated
Честный ЗНАК refuses stops them with nothing changed; an accepted code is sold and its receipt
in the fiscal drive carries 2106; no answer in time is the offline rule, and the answer says so."""

import time

import pytest
from fastapi.testclient import TestClient

from gateway.adapters.fiscal.marking_checks import MarkingChecks
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, Staff
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.loopback import free_port
from tests.signin import desk_clients

CRYPTO = "\x1d91EE06\x1d92" + "A" * 44
VALID = "0104601234567893215shoe0001" + CRYPTO
SOLD = "0104601234567893215shoe0002" + CRYPTO
FORGED = "0104601234567893215shoe0003" + CRYPTO
SILENT = "0104601234567893215shoe0004" + CRYPTO


def start(tmp_path, port: str | None, marking_timeout: float = 3.0) -> Gateway:
    """A gateway with the simulator's port (fast link timeouts), the shoes marked."""
    fiscal = f"""
[fiscal]
port = "{port}"
poll = 0.1
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
marking_timeout = {marking_timeout}
"""
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-marking"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
{fiscal if port else ""}""",
        encoding="utf-8",
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    shoes = builders.product("P-SH", [builders.variant("SH-42", 499000)], [], marked=True)
    catalog = builders.catalog(shoes, builders.simple_product("MUG", 45000))
    gateway.run(apply_catalog, parse_catalog_upsert(catalog))
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(**{"SH-42": 3})))
    return gateway


@pytest.fixture
def api(tmp_path, sim):
    sim.set_marking_answer("sold", SOLD)
    sim.set_marking_answer("refused", FORGED)
    sim.set_marking_answer("no_answer", SILENT)
    gateway = start(tmp_path, sim.slave_path)
    client = desk_clients(gateway)
    with client, client.manager:
        yield client
    gateway.stop()


def sale(code: str, key: str = "tap-1") -> dict:
    items = [{"sku": "SH-42", "marking_codes": [code]}]
    return {"items": items, "payment": "card", "idem_key": key}


def on_hand(api) -> int:
    [row] = api.get("/api/lookup?sku=SH-42").json()["items"]
    return row["on_hand"]


def wait_done(api, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        receipts = api.get("/api/receipts").json()
        if len(receipts) == count and all(r["state"] == "done" for r in receipts):
            return receipts
        time.sleep(0.05)
    raise AssertionError(f"receipts not done: {api.get('/api/receipts').json()}")


def test_the_check_says_what_the_register_answered(api, sim):
    answers = {
        code: api.post("/api/marking/check", json={"code": code, "sku": "SH-42"}).json()
        for code in (VALID, SOLD, FORGED, SILENT)
    }
    seen = {
        code: (a["allowed"], a["result"], a["offline"], a["reason"]) for code, a in answers.items()
    }
    assert seen == {
        VALID: (True, 0x0F, False, "ok"),
        SOLD: (False, 0x07, False, "sold"),
        FORGED: (False, 0x05, False, "refused"),
        SILENT: (True, 0x13, True, "offline"),
    }
    assert "Код уже продан — товар продавать нельзя" in answers[SOLD]["detail"]
    assert "Код не прошёл проверку Честного ЗНАКА" in answers[FORGED]["detail"]
    assert "автономному режиму" in answers[SILENT]["detail"]
    assert sim.executed[0xFF61] == sim.executed[0xFF69] == 4  # every check refused after
    assert sim.receipts == []
    wrong = api.post("/api/marking/check", json={"code": "4600000000015"})
    assert wrong.status_code == 422 and "not a Честный ЗНАК code" in wrong.json()["detail"]
    # A return is never stopped by the check: a sold unit is what comes back.
    back = api.post("/api/marking/check", json={"code": SOLD, "refund": True}).json()
    assert (back["allowed"], back["reason"]) == (True, "ok")


@pytest.mark.parametrize("code", [SOLD, FORGED])
def test_a_refused_code_cannot_be_sold_and_nothing_changes(api, sim, code):
    refused = api.post("/api/sales", json=sale(code))  # no page check before: not trusted
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "marking_refused"
    assert "0104601234567893215shoe000" in refused.json()["detail"]
    assert on_hand(api) == 3
    assert api.get("/api/receipts").json() == []  # no receipt job
    time.sleep(0.3)
    assert sim.receipts == [] and 0xFF46 not in sim.executed


def test_an_accepted_code_is_sold_and_its_receipt_carries_2106(api, sim):
    checked = api.post("/api/marking/check", json={"code": VALID, "sku": "SH-42"}).json()
    assert checked["allowed"] is True
    sold = api.post("/api/sales", json=sale(VALID))
    assert sold.status_code == 200, sold.text
    wait_done(api, 1)
    assert on_hand(api) == 2
    [receipt] = sim.receipts
    assert receipt["marking_codes"] == [VALID]
    assert receipt["items"][0]["2106"] == 0x0F and receipt["tlv"]["2107"] == 0
    # The page's fresh answer was reused by the sale; the receipt checked it once more.
    assert sim.executed[0xFF61] == 2
    again = api.post("/api/sales", json=sale(VALID))  # a double tap: the same sale, not checked
    assert again.json()["replayed"] is True and sim.executed[0xFF61] == 2


def test_no_answer_in_time_sells_by_the_offline_rule(api, sim):
    sold = api.post("/api/sales", json=sale(SILENT))
    assert sold.status_code == 200, sold.text
    wait_done(api, 1)
    [receipt] = sim.receipts
    assert receipt["items"][0]["2106"] & 0x10  # formed offline
    assert receipt["tlv"]["2107"] == 1


def test_a_shipment_with_a_refused_code_is_refused(api, sim):
    api.gateway.run(create_order, builders.order("W-1", ("SH-42", 1), paid=False))
    receipt = {"payment": "card", "marking_codes": {"1": [SOLD]}}
    refused = api.post("/api/orders/W-1/ship", json={"receipt": receipt, "idem_key": "ship-1"})
    assert refused.status_code == 409 and refused.json()["error"] == "marking_refused"
    assert "Код уже продан" in refused.json()["detail"]
    order = api.get("/api/orders/W-1").json()
    assert [line["shipped"] for line in order["lines"]] == [0]
    assert api.get("/api/receipts").json() == []
    receipt["marking_codes"] = {"1": [VALID]}
    shipped = api.post("/api/orders/W-1/ship", json={"receipt": receipt, "idem_key": "ship-2"})
    assert shipped.status_code == 200, shipped.text
    wait_done(api, 1)
    assert sim.receipts[0]["items"][0]["2106"] == 0x0F


def test_a_register_that_does_not_answer_in_time_is_the_offline_rule(tmp_path, sim):
    gateway = start(tmp_path, sim.slave_path, marking_timeout=0.1)
    try:
        with desk_clients(gateway) as client:
            sim.inject("slow_answer", command=0xFF61, seconds=0.3)
            answer = client.post("/api/marking/check", json={"code": VALID}).json()
            assert (answer["allowed"], answer["offline"]) == (True, True)
            assert answer["reason"] == "not_checked" and answer["result"] is None
            assert "ККТ не ответила вовремя" in answer["detail"]
    finally:
        gateway.stop()


def test_without_a_register_codes_are_sold_by_the_offline_rule(tmp_path):
    gateway = start(tmp_path, None)
    try:
        with desk_clients(gateway) as client:
            answer = client.post("/api/marking/check", json={"code": VALID}).json()
            assert (answer["allowed"], answer["offline"], answer["reason"]) == (
                True,
                True,
                "not_checked",
            )
            sold = client.post("/api/sales", json=sale(VALID))
            assert sold.status_code == 200, sold.text
    finally:
        gateway.stop()


def test_an_answer_is_reused_while_fresh_and_asked_again_once_sold(api, sim):
    now = [1000.0]
    checks = MarkingChecks(api.gateway.fiscal, 3.0, clock=lambda: now[0])
    cashier = Staff(None, "Анна", CASHIER)
    assert checks.check(VALID, by=cashier).reason == "ok"
    assert checks.check(VALID, by=cashier).reason == "ok"
    assert sim.executed[0xFF61] == 1  # the second came from memory
    now[0] += 301  # a few minutes later Честный ЗНАК may know better
    sim.set_marking_answer("sold", VALID)
    assert checks.check(VALID, by=cashier).reason == "sold"
    assert sim.executed[0xFF61] == 2
    assert checks.check(SILENT, by=cashier).offline
    now[0] += 31  # "no answer" is asked again sooner
    sim.set_marking_answer("valid", SILENT)
    assert checks.check(SILENT, by=cashier).reason == "ok"
    checks.forget([SILENT])  # sold: the next check asks again
    assert checks.check(SILENT, by=cashier).reason == "ok" and sim.executed[0xFF61] == 5


def test_a_signed_out_tablet_cannot_check(api):
    with TestClient(api.app) as nobody:
        refused = nobody.post("/api/marking/check", json={"code": VALID})
    assert refused.status_code == 401


def test_a_code_refused_when_its_receipt_is_printed_fails_the_receipt_not_the_drive(api, sim):
    """The page's answer is reused for a few minutes; should Честный ЗНАК refuse the code by the
    time the receipt prints, the register's own check stops it: nothing is fiscalised and the
    receipt waits, failed with the reason, for staff."""
    assert api.post("/api/marking/check", json={"code": VALID}).json()["allowed"] is True
    sim.set_marking_answer("sold", VALID)
    assert api.post("/api/sales", json=sale(VALID)).status_code == 200
    deadline = time.monotonic() + 15
    while (receipts := api.get("/api/receipts").json())[0]["state"] != "failed":
        assert time.monotonic() < deadline, receipts
        time.sleep(0.05)
    assert "не прошёл проверку" in receipts[0]["error"]
    assert sim.receipts == [] and sim.mode & 0x0F != 8  # cancelled, not left open
