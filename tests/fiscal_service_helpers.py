"""Shared pieces of the fiscal service tests (test_fiscal_service*.py): goods, sales and the
receipt jobs they queue, read back from the database."""

from contextlib import closing

import pytest

from gateway.domain.fiscal import Fiscalised
from gateway.services.fiscal import (
    counter_sale,
    receipt_fiscalised,
    receipt_sending,
)
from tests.builders import CASHIER, hire, product, variant

GS = "\x1d"
CRYPTO = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd=="
FN = "7380440700076549"


@pytest.fixture(autouse=True)
def staff(shop):
    """Refunds and cash moves are audited: the audit names staff rows. Imported by each file."""
    shop.run(hire)


def code(serial: str) -> str:
    return f"0104601234567893215{serial}{GS}91EE11{GS}92{CRYPTO}"


def marked_goods(shop, sku="M", price=50000, on_hand=5):
    shop.load_catalog(product(f"P-{sku}", [variant(sku, price)], [], marked=True))
    shop.stock(**{sku: on_hand})


def job(shop, job_id):
    with shop.db.transaction() as uow:
        return uow.fiscal.job(job_id)


def all_jobs(shop):
    with closing(shop.db.reader()) as conn:
        return [
            tuple(r) for r in conn.execute("SELECT id, kind, state FROM receipt_job ORDER BY id")
        ]


def ledger(shop, sku):
    with closing(shop.db.reader()) as conn:
        rows = conn.execute(
            "SELECT reason, d_on_hand, d_reserved, ref_id, actor FROM stock_move"
            " WHERE sku = ? ORDER BY id",
            (sku,),
        )
        return [tuple(r) for r in rows]


SNAPSHOT_TABLES = (
    "stock_level",
    "stock_move",
    "customer_order",
    "order_line",
    "shipment",
    "shipment_line",
    "outbox",
    "receipt_job",
    "command_log",
    "counter",
)


def snapshot(shop) -> dict:
    """Everything a refused command must leave untouched."""
    with closing(shop.db.reader()) as conn:
        return {
            table: sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)
            for table in SNAPSHOT_TABLES
        }


def fiscalise(shop, job_id, *, fd, shift=1, change=0, number=None):
    fiscal = Fiscalised(FN, fd, 3000000000 + fd, shift, number or fd, "2026-03-02T10:15:00")
    shop.run(receipt_sending, job_id, fd - 1)
    return shop.run(receipt_fiscalised, job_id, fiscal, change)


def sale(shop, *items, payment="cash", by=CASHIER, **extra):
    """counter_sale with items given as (sku, qty) or (sku, qty, codes)."""
    lines = []
    for sku, qty, *codes in items:
        line = {"sku": sku, "qty": qty}
        if codes:
            line["marking_codes"] = codes[0]
        lines.append(line)
    return shop.run(counter_sale, {"items": lines, "payment": payment, **extra}, by=by)


def sold_and_fiscalised(shop, *items, payment="cash", fd=10, change=0):
    result = sale(shop, *items, payment=payment)
    fiscalise(shop, result["receipt_id"], fd=fd, change=change)
    return result["receipt_id"]
