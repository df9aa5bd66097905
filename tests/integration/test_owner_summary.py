"""The owner's summary (issue 10) on a whole shop: the gateway with the register simulator, linked
to the back-office simulator over a real Mosquitto. Анна (a cashier) and Ольга (the manager) sell
through the API, Ольга refunds one of Анна's items, cash goes in and out, Ольга closes the shift
counting a rouble less than the books say. The gateway's summary (API and page) gives each
cashier their own figures; the cloud computes the SAME figures from the events alone, in
process and with `python -m simulators.backoffice --summary`."""

import json
import subprocess
import sys
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.outbox import OUTBOX_HEAD
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.staff import CASHIER, MANAGER
from simulators.backoffice.cloud import Cloud
from simulators.backoffice.summary import owner_summary as cloud_summary
from simulators.fiscal_register import FiscalRegisterSimulator
from tests import builders
from tests.loopback import free_port
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, signed_in_client

ROOT = Path(__file__).resolve().parents[2]
STORE = "shop-summary"


@pytest.fixture
def sim(tmp_path):
    """The register simulator answering every receipt with its date and time (FF45 extended):
    the day a receipt counts for is the one it carries."""
    simulator = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json", extended_answers=True)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def shop(tmp_path, sim, broker):
    """(gateway, Анна's client, Ольга's client, cloud), linked and seeded through the cloud."""
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "{STORE}"
[mqtt]
url = "{broker.url}"
[database]
path = "{tmp_path / "gateway.db"}"
[web]
listen = "127.0.0.1:{free_port()}"
[fiscal]
port = "{sim.slave_path}"
poll = 0.1
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
""",
        encoding="utf-8",
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    cloud = Cloud(broker.url, STORE, gap_timeout=0.5)
    cloud.start()
    assert cloud.wait_connected(10)
    # Sent before the gateway subscribed, the catalog would be lost (a first session holds none).
    wait_until(lambda: gateway.link.snapshot()["state"] == "connected", "the gateway's link")
    mug = {**builders.variant("MUG", 45000), "min_stock": 5}
    cap = builders.variant("CAP", 30000)
    cloud.send(
        "catalog.upsert",
        builders.catalog(
            builders.product("P-MUG", [mug], [], name="Кружка"),
            builders.product("P-CAP", [cap], [], name="Кепка"),
        ),
    )
    cloud.send("stock.set", builders.stock_set(MUG=6, CAP=4))
    cloud.send("order.created", builders.order("W-1", ("CAP", 1), paid=False))
    wait_until(lambda: cloud.orders.get("W-1") == "reserved", "the web order reserved")
    olga = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    anna = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN, inn="500100732259")
    app = gateway.web_app()
    with (
        signed_in_client(app, anna, CASHIER_PIN) as anna_client,
        signed_in_client(app, olga, MANAGER_PIN) as olga_client,
    ):
        anna_client.staff, olga_client.staff = anna, olga
        yield gateway, anna_client, olga_client, cloud
    cloud.stop()
    gateway.stop()


def wait_until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def ok(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return answer.json()


def printed(client: TestClient, count: int) -> None:
    def done() -> bool:
        rows = client.get("/api/receipts").json()
        return len(rows) == count and all(row["state"] == "done" for row in rows)

    wait_until(done, f"{count} receipts printed")


def rows(gateway: Gateway, sql: str) -> list:
    with closing(open_connection(gateway.config.database_path, readonly=True)) as conn:
        return conn.execute(sql).fetchall()


def a_day_at_the_till(gateway, anna, olga) -> None:
    ok(anna.post("/api/fiscal/open-shift", json={}))
    # Анна: two mugs for 1 000 ₽ cash (100 ₽ change), a cap by card.
    sold = ok(anna.post("/api/sales", json={"items": [{"sku": "MUG", "qty": 2}],
                                           "payment": {"cash": 100000}}))  # fmt: skip
    ok(anna.post("/api/sales", json={"items": [{"sku": "CAP"}], "payment": "card"}))
    # Ольга: a mug paid part cash, part card.
    ok(olga.post("/api/sales", json={"items": [{"sku": "MUG"}],
                                     "payment": {"cash": 20000, "card": 25000}}))  # fmt: skip
    printed(anna, 3)
    # Ольга takes one of Анна's mugs back: 450 ₽ in cash out of the drawer.
    refund = {"items": [{"sku": "MUG", "qty": 1}]}
    ok(olga.post(f"/api/receipts/{sold['receipt_id']}/refund", json=refund))
    printed(anna, 4)
    ok(anna.post("/api/fiscal/cash-in", json={"amount": 5000}))
    ok(olga.post("/api/fiscal/cash-out", json={"amount": 2000}))


ANNA = {"receipts": 2, "revenue": 120000, "cash": 90000, "card": 30000, "online": 0,
        "refunds": {"count": 0, "total": 0}, "discounts": 0, "net": 120000,
        "average": 60000}  # fmt: skip
OLGA = {"receipts": 1, "revenue": 45000, "cash": 20000, "card": 25000, "online": 0,
        "refunds": {"count": 1, "total": 45000}, "discounts": 0, "net": 0,
        "average": 45000}  # fmt: skip
DRAWER = 5000 - 2000 + 90000 + 20000 - 45000  # in − out + cash sales − cash refund


def test_the_summary_shows_both_cashiers_and_the_cloud_computes_the_same(shop):
    gateway, anna, olga, cloud = shop
    a_day_at_the_till(gateway, anna, olga)
    drawer = ok(olga.get("/api/summary"))["shift"]["cash_in_drawer"]
    assert drawer == DRAWER
    closed = ok(olga.post("/api/fiscal/close-shift", json={"counted": DRAWER - 100}))
    assert (closed["cash_expected"], closed["cash_difference"]) == (DRAWER, -100)

    [(day,)] = rows(gateway, "SELECT DISTINCT substr(fiscal_ts, 1, 10) FROM receipt_job")
    summary = ok(olga.get(f"/api/summary?day={day}"))
    today = summary["sales"]["today"]
    cashiers = {p["name"]: {k: v for k, v in p.items() if k != "name"} for p in today["cashiers"]}
    assert cashiers == {
        "Анна": {"staff_id": anna.staff.id, **ANNA},
        "Ольга": {"staff_id": olga.staff.id, **OLGA},
    }
    assert [p["staff_id"] for p in today["cashiers"]] == [anna.staff.id, olga.staff.id]
    assert {k: today[k] for k in ("receipts", "revenue", "cash", "card", "refunds", "average")} == {
        "receipts": 3, "revenue": 165000, "cash": 110000, "card": 55000,
        "refunds": {"count": 1, "total": 45000}, "average": 55000,
    }  # fmt: skip
    assert summary["sales"]["week"]["revenue"] >= 165000
    shift = summary["shift"]
    assert shift["open"] is False
    assert shift["last_closed"] | {"closed_at": None} == {
        "number": closed["shift"],
        "closed_at": None,
        "closed_by": {"staff_id": olga.staff.id, "name": "Ольга"},
        "cash_expected": DRAWER,
        "cash_counted": DRAWER - 100,
        "cash_difference": -100,
    }
    assert summary["orders"]["to_confirm"] == 1  # W-1 waits for the shop
    assert [item["sku"] for item in summary["low_stock"]] == ["MUG"]  # 4 left, minimum 5

    # The page says the same, in words.
    page = olga.get(f"/summary?day={day}")
    assert page.status_code == 200
    for words in ("Анна", "Ольга", "1\u202f200,00 ₽", "Недостача 1,00 ₽", "Кружка"):
        assert words in page.text, words

    # The cloud, from the events it received: the same figures for that day and week.
    outbox_seq = rows(gateway, OUTBOX_HEAD)[0][0]
    wait_until(lambda: cloud.applied_through >= outbox_seq, "the cloud to hold every event")
    remote = cloud_summary(cloud.events(), date.fromisoformat(day))
    assert remote["sales"] == summary["sales"]
    assert remote["shift"] == summary["shift"]
    assert [item["sku"] for item in remote["low_stock"]] == ["MUG"]

    # The owner away from the shop, from the terminal: replayed events, the same figures.
    command = [sys.executable, "-m", "simulators.backoffice", "--summary", "--json",
               "--url", cloud.url, "--store", STORE, "--day", day, "--wait", "20"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    printed_summary = json.loads(done.stdout)
    assert printed_summary["sales"] == summary["sales"]
    assert printed_summary["shift"]["last_closed"] == summary["shift"]["last_closed"]
    words = subprocess.run(command[:4] + command[5:], cwd=ROOT, capture_output=True, text=True,
                           timeout=60).stdout  # fmt: skip
    assert "Анна: чеков 2, выручка 1 200,00 ₽" in words, words
    assert "разница -1,00 ₽" in words, words


def test_a_shift_open_on_the_summary_with_its_drawer_and_who_opened_it(shop):
    gateway, anna, olga, cloud = shop
    ok(anna.post("/api/fiscal/open-shift", json={}))
    ok(anna.post("/api/fiscal/cash-in", json={"amount": 5000}))
    shift = ok(olga.get("/api/summary"))["shift"]
    assert (shift["open"], shift["opened_by"], shift["cash_in_drawer"]) == (
        True,
        {"staff_id": anna.staff.id, "name": "Анна"},
        5000,
    )
    assert shift["expired"] is False and shift["expires_at"] > shift["opened_at"]
    uncounted = olga.post("/api/fiscal/close-shift", json={"counted": -1})
    assert uncounted.status_code == 422  # nothing printed: the shift is still open
    assert ok(olga.get("/api/summary"))["shift"]["open"] is True
    bad_day = olga.get("/api/summary?day=yesterday")
    assert bad_day.status_code == 422 and "2026-11-27" in bad_day.json()["detail"]
