"""Helpers of the end-to-end tests of payments on the site (test_payments_on_site.py): the
gateway's config, the catalog the cloud sends, the cloud's messages, and looks at the register
simulator's fiscal drive and paper."""

import time

from gateway.bootstrap import Gateway
from simulators.backoffice.cloud import Cloud
from tests import builders
from tests.loopback import free_port

STORE = "shop-paid"
SITE = "shop.example.ru"
PAID_AT = "2026-11-27T10:15:00Z"
FULL_PREPAYMENT, ADVANCE, FULL_PAYMENT = 1, 3, 4  # tag 1214
SALE, SALE_RETURN = 1, 2  # the archive's op_type (tag 1054)


def wait_until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def gateway_toml(tmp_path, broker_url: str, fiscal_port: str) -> str:
    return f"""
[store]
id = "{STORE}"
[mqtt]
url = "{broker_url}"
[database]
path = "{tmp_path / "gateway.db"}"
[web]
listen = "127.0.0.1:{free_port()}"
[fiscal]
port = "{fiscal_port}"
site = "{SITE}"
poll = 0.1
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
"""


def seed(cloud: Cloud) -> None:
    mug = builders.product("P-MUG", [builders.variant("MUG", 45000)], [], name="Кружка")
    cap = builders.product("P-CAP", [builders.variant("CAP", 30000)], [], name="Кепка", vat="vat10")
    shoes = builders.product("P-SH", [builders.variant("SHOE", 500000)], [], name="Кроссовки",
                             marked=True)  # fmt: skip
    cloud.send("catalog.upsert", builders.catalog(mug, cap, shoes))
    cloud.send("stock.set", builders.stock_set(MUG=10, CAP=10, SHOE=2))


def order(cloud: Cloud, order_id: str, *lines: tuple[str, int, int], **fields) -> int:
    """order.created with (sku, qty, price) lines, paid at pickup unless order.paid says so;
    returns its total."""
    data = builders.order(order_id, *[(sku, qty) for sku, qty, _ in lines], paid=False, **fields)
    for line, (_, _, price) in zip(data["lines"], lines, strict=True):
        line["price"] = price
    cloud.send("order.created", data)
    wait_until(lambda: cloud.orders.get(order_id) == "reserved", f"{order_id} reserved")
    return sum(qty * price for _, qty, price in lines)


def pay(cloud: Cloud, order_id: str, amount: int, payment_id: str) -> dict:
    data = {"order_id": order_id, "payment_id": payment_id, "amount": amount,
            "method": "card_online", "paid_at": PAID_AT}  # fmt: skip
    return cloud.send("order.paid", data)


def applied_through(gateway: Gateway) -> int:
    """The last cloud seq the gateway applied (its `in_seq`)."""
    rows = gateway.read(
        lambda conn: conn.execute("SELECT value FROM counter WHERE name = 'in_seq'").fetchall()
    )
    return rows[0][0] if rows else 0


def receipts(sim) -> list[dict]:
    return [doc for doc in sim.archive if doc["type"] == "receipt"]


def wait_receipts(sim, count: int) -> list[dict]:
    wait_until(lambda: len(receipts(sim)) >= count, f"{count} receipt(s) in the fiscal drive")
    time.sleep(0.3)  # a second one would come now: it must not
    found = receipts(sim)
    assert len(found) == count, [(d["fd"], d["op_type"], d["total"]) for d in found]
    return found


def paper_receipts(sim) -> int:
    return sum("КАССОВЫЙ ЧЕК" in text for text in sim.printed)


def sums(doc: dict) -> dict[str, int]:
    return {p["kind"]: p["sum"] for p in doc["payments"]}


def assert_online(doc: dict, op_type: int, total: int) -> None:
    """An electronic-only Internet settlement to the buyer's e-mail, paid electronically."""
    assert (doc["op_type"], doc["total"]) == (op_type, total)
    assert doc["internet"] is True and doc["tlv"]["1125"] == 1
    assert doc["place"] == SITE and doc["tlv"]["1187"] == SITE
    assert doc["buyer_contact"] == "anna@example.ru" and doc["tlv"]["1008"] == "anna@example.ru"
    assert doc["printed"] is False
    assert sums(doc) == {"electronic": total} and doc["prepaid"] == 0


def ship(client, order_id: str, **body) -> dict:
    answer = client.post(f"/api/orders/{order_id}/ship", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def cloud_receipts(cloud: Cloud, count: int) -> list[dict]:
    def fiscalized() -> list[dict]:
        return [e["data"] for e in cloud.events() if e["type"] == "receipt.fiscalized"]

    wait_until(lambda: len(fiscalized()) >= count, f"{count} receipt.fiscalized at the cloud")
    return fiscalized()
