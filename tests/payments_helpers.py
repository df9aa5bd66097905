"""Shared pieces of the tests of payments on the site through the inbox (test_payments*.py):
the cloud's messages applied on arrival, and looks at the receipt jobs and refusals."""

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

from gateway.adapters.sqlite.order_queries import order_detail
from gateway.domain.fiscal import Fiscalised
from gateway.services.fiscal import receipt_fiscalised, receipt_sending
from gateway.services.inbox import receive_cloud_message
from tests import builders
from tests.builders import hire

PREFIX = "storegw/shop-001"
PAID_AT = "2026-11-27T10:15:00Z"


class Cloud:
    """The cloud's messages, applied on arrival (no seq), each with its own message id."""

    def __init__(self, shop):
        self.shop, self.count = shop, 0

    def send(self, type_: str, data: dict, msg_id: str | None = None) -> dict:
        self.count += 1
        envelope = {"v": 1, "id": msg_id or f"m-{self.count}", "type": type_, "data": data}
        payload = json.dumps(envelope).encode()
        return self.shop.run(receive_cloud_message, PREFIX, "in/orders", payload)

    def order(self, order_id: str, *lines, paid: bool = False, **fields) -> None:
        data = builders.order(order_id, *lines, paid=paid, **fields)
        assert self.send("order.created", data)["outcome"] == "applied"

    def pay(self, order_id: str, amount: int, payment_id: str = "pay-1", **fields) -> dict:
        data = {"order_id": order_id, "payment_id": payment_id, "amount": amount,
                "method": "card_online", "paid_at": PAID_AT}  # fmt: skip
        return self.send("order.paid", {**data, **fields.pop("data", {})}, **fields)

    def refund(self, order_id: str, amount: int, payment_id: str = "pay-1", **fields) -> dict:
        data = {"order_id": order_id, "payment_id": payment_id, "amount": amount,
                "refunded_at": fields.pop("at", "2026-11-28T09:00:00Z")}  # fmt: skip
        return self.send("order.refunded", data, **fields)


def make_cloud(shop) -> "Cloud":
    """A, B (10 % VAT) and a marked M in stock; the staff the audit names."""
    shop.run(hire)  # refunds are audited: the audit names staff rows
    shop.load_catalog(
        builders.simple_product("A", 10000),
        builders.product("P-B", [builders.variant("B", 5000)], [], vat="vat10"),
        builders.product("P-M", [builders.variant("M", 50000)], [], marked=True),
    )
    shop.stock(A=10, B=10, M=5)
    return Cloud(shop)


def jobs(shop) -> list:
    with shop.db.transaction() as uow:
        ids = [r[0] for r in uow.conn.execute("SELECT id FROM receipt_job ORDER BY id")]
        return [uow.fiscal.job(job_id) for job_id in ids]


def rows(shop, sql: str) -> list[tuple]:
    with closing(shop.db.reader()) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def rejected(shop) -> list[dict]:
    return [(e["reason"], e["detail"]) for e in shop.events("message.rejected")]


def fiscalise(shop, job_id: int, fd: int) -> None:
    shop.run(receipt_sending, job_id, fd - 1)
    fiscal = Fiscalised("7380440700076549", fd, 3000000000 + fd, 1, fd, "2026-11-27T12:00:00")
    shop.run(receipt_fiscalised, job_id, fiscal, 0)


def page(shop, order_id: str) -> dict:
    """The order screen's data (the order API's answer)."""
    with closing(shop.db.reader()) as conn:
        conn.row_factory = sqlite3.Row
        return order_detail(conn, order_id, datetime.now(UTC))
