"""A delivery received by scan, end to end (issue 5): the scanner simulator types the delivery on
a pty into a running gateway, the receiving document is posted, stock and `short` orders change,
the events go out, and the printer simulator (ESC/POS on TCP) holds the receiving report. Анна
(a cashier) receives; Ольга (the manager) links the label the catalog does not know."""

import json
from contextlib import closing

import pytest

from gateway.adapters.sqlite.connection import open_connection
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, MANAGER
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from simulators.printer import PrinterSimulator
from simulators.scanner import ScannerSimulator
from tests import builders
from tests.loopback import free_port
from tests.scan_pages import wait_until
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, signed_in_client

SHIRT, BOX = "4601234567893", "14601234567890"  # a unit's EAN-13, a box of 6 (GTIN-14)
MUG = "4600000000015"
STRANGER = "2900000000018"  # a shop's own label the catalog does not know


@pytest.fixture
def shop_floor(tmp_path):
    scanner = ScannerSimulator(link_path=tmp_path / "scanner")
    scanner.start()
    printer = PrinterSimulator(port=0)
    host, port = printer.start()
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-e2e"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[scanner]
port = "{tmp_path / "scanner"}"
[printer]
url = "tcp://{host}:{port}"
poll = 0.2
""",
        encoding="utf-8",
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    shirts = builders.product(
        "P-TS", [builders.variant("TS-M", 129900, [{"code": SHIRT}, {"code": BOX, "pack": 6}])], []
    )
    mugs = builders.product("P-MUG", [builders.variant("MUG", 45000, [{"code": MUG}])], [])
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(shirts, mugs)))
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(**{"TS-M": 1})))
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
    app = gateway.web_app()
    client = signed_in_client(app, cashier, CASHIER_PIN)
    client.manager = signed_in_client(app, manager, MANAGER_PIN)
    with client, client.manager:
        yield gateway, client, scanner, printer
    gateway.stop()
    scanner.stop()
    printer.stop()


def outbox(gateway, event_type: str) -> list[dict]:
    with closing(open_connection(gateway.config.database_path, readonly=True)) as conn:
        rows = conn.execute("SELECT data_json FROM outbox WHERE type = ?", (event_type,))
        return [json.loads(row[0]) for row in rows]


def test_a_delivery_scanned_posted_and_printed(shop_floor, tmp_path):
    gateway, api, scanner, printer = shop_floor
    # Two web orders wait for shirts: 1 is on the shelf, 8 are wanted.
    gateway.run(create_order, builders.order("W-1", ("TS-M", 3)))
    gateway.run(create_order, builders.order("W-2", ("TS-M", 5)))
    assert gateway.run(lambda uow: uow.orders.get("W-2").status) == "short"
    wait_until(lambda: gateway.hardware.scanner.status == "ok", "the scanner reader")

    doc = api.post("/api/receivings", json={"supplier_ref": "ТН-77"}).json()
    pointed = api.post("/api/scanner/target", json={"kind": "receiving", "id": doc["doc_id"]})
    assert pointed.status_code == 200, pointed.text
    for code in (SHIRT, SHIRT, BOX, MUG, STRANGER):
        scanner.scan(code)
    scanner.scan(SHIRT, layout="ru")  # digits survive a Russian layout: still a good scan
    scanner.scan("0104601234567893215abc", layout="ru")  # letters do not: refused, not counted

    def counted():
        view = api.get(f"/api/receivings/{doc['doc_id']}").json()
        lines = {line["sku"]: line["qty"] for line in view["lines"]}
        return view if lines == {"TS-M": 9, "MUG": 1} and view["unknown"] else None

    view = wait_until(counted, "the scans on the document")
    assert view["unknown"] == [{"code": STRANGER, "scans": 1}]
    history = wait_until(lambda: api.get("/api/scanner").json()["last"][:7], "the history")
    # An unknown code is kept on the document but gets the bad beep: someone must look.
    assert [entry["ok"] for entry in history if entry["text"] == STRANGER] == [False]
    assert [entry["ok"] for entry in history if entry["text"] == MUG] == [True]
    refused = [entry for entry in history if not entry["ok"]]
    assert {entry.get("reason") for entry in refused} >= {"keyboard_layout"}
    assert "раскладк" in next(e["message"] for e in refused if e.get("reason") == "keyboard_layout")

    # The unknown label is a mug: the manager links it once, learned for the next delivery.
    link = {"code": STRANGER, "sku": "MUG"}
    resolved = api.manager.post(f"/api/receivings/{doc['doc_id']}/resolve", json=link)
    assert resolved.status_code == 200, resolved.text
    posted = api.post(f"/api/receivings/{doc['doc_id']}/post", json={})
    assert posted.status_code == 200, posted.text
    again = api.post(f"/api/receivings/{doc['doc_id']}/post", json={}).json()
    assert again.get("already") is True  # posting twice posts once

    level = gateway.run(lambda uow: uow.stock.level("TS-M"))
    assert (level.on_hand, level.reserved) == (10, 8)  # both orders are whole now
    assert gateway.run(lambda uow: uow.orders.get("W-2").status) == "reserved"
    [event] = outbox(gateway, "receiving.posted")
    assert sorted((line["sku"], line["qty"]) for line in event["lines"]) == [
        ("MUG", 2),
        ("TS-M", 9),
    ]
    assert event["unknown_codes"] == [] and event["by"] == "Анна"
    assert {"order_id": "W-2"}.items() <= outbox(gateway, "order.reserved")[-1].items()
    changed = [item for e in outbox(gateway, "stock.changed") for item in e["items"]]
    last_shirts = [item for item in changed if item["sku"] == "TS-M"][-1]
    assert (last_shirts["on_hand"], last_shirts["reserved"], last_shirts["available"]) == (10, 8, 2)

    [report] = printer.wait_for_documents(1)
    assert doc["doc_id"] in report.text and "Анна" in report.text
    assert "TS-M" in report.text and report.cut
    png = printer.render_png(0, tmp_path / "receiving-report.png")
    assert png.stat().st_size > 1000

    # The learned label now finds the mug with no document open (a lookup).
    scanner.scan(STRANGER)
    wait_until(
        lambda: (api.get("/api/scanner").json()["last"][0].get("found") or {}).get("items"),
        "a lookup of the learned label",
    )
