"""The receipt jobs of the fiscal fault campaign (``tests/fiscal_campaign.py``): one sku per
job at a unique price (so a total names its job), most of them counter sales, some prepayments
paid on the site (electronic only, Internet: 1214 = 1, 1125, 1187, 1008, card) and some
handovers offsetting a prepayment (1214 = 4, paid by 1215); and how a receipt in the simulator's
archive is checked to be of its job's kind."""

from __future__ import annotations

from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.fiscal import (
    METHOD_FULL_PREPAYMENT,
    PREPAYMENT,
    SELL,
    Payments,
    ReceiptDraft,
    ReceiptItem,
)
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.fiscal import counter_sale
from gateway.services.stock import apply_stock_change
from tests.builders import CASHIER  # no INN: one FF0C for the cashier (SALE_COMMANDS)

BASE_PRICE = 10_000  # kopecks; job i costs BASE_PRICE + i, so a total names its job
SITE = "shop.example.ru"
# Job i's kind: most are counter sales; some paid on the site, some handed over against that.
COUNTER, PREPAID_ONLINE, OFFSET = "counter", "prepayment", "offset"
KIND_CYCLE = (COUNTER, PREPAID_ONLINE, COUNTER, OFFSET, COUNTER)


def sku(i: int) -> str:
    return f"C{i:05d}"


def item_name(i: int) -> str:
    return f"Товар P-{sku(i)}"  # the catalog's product name; one variant, no characteristics


def job_kind(i: int) -> str:
    return KIND_CYCLE[i % len(KIND_CYCLE)]


def web_draft(i: int) -> ReceiptDraft:
    """A prepayment paid on the site (electronic, Internet) or the handover offsetting one."""
    price = BASE_PRICE + i
    if job_kind(i) == PREPAID_ONLINE:
        item = ReceiptItem(sku(i), item_name(i), price, 1, "vat22", method=METHOD_FULL_PREPAYMENT)
        return ReceiptDraft(
            PREPAYMENT, (item,), Payments(card=price), f"buyer{i}@example.ru", CASHIER.name,
            electronic=True, internet=True, payment_id=f"pay-{i}",
        )  # fmt: skip
    item = ReceiptItem(sku(i), item_name(i), price, 1, "vat22")
    return ReceiptDraft(SELL, (item,), Payments(prepaid=price), None, CASHIER.name)


def prepare_database(db_path: Path, jobs: int) -> None:
    """A catalog of one sku per job, one on hand each, and `jobs` receipt jobs queued before the
    gateway starts: a counter sale of the sku, or a web shop receipt of it (`web_draft`)."""
    products = [
        {
            "id": f"P-{sku(i)}",
            "name": f"Товар P-{sku(i)}",
            "vat": "vat22",
            "characteristics": [],
            "variants": [{"sku": sku(i), "characteristics": {}, "price": BASE_PRICE + i}],
        }
        for i in range(jobs)
    ]
    database = Database(db_path)
    try:
        database.run(apply_catalog, parse_catalog_upsert({"full": False, "products": products}))
        stock = {"reason": "initial", "items": [{"sku": sku(i), "on_hand": 1} for i in range(jobs)]}
        database.run(apply_stock_change, parse_stock_change("set", stock))
        for i in range(jobs):
            if job_kind(i) != COUNTER:
                database.run(lambda uow, draft: uow.fiscal.add_job(draft, by=CASHIER), web_draft(i))
                continue
            sale = {"items": [{"sku": sku(i), "qty": 1}], "payment": "card"}
            database.run(counter_sale, sale, by=CASHIER)
    finally:
        database.close()


def of_its_kind(doc: dict, receipt_kind: str, prepaid: int) -> bool:
    """A prepayment: 1214 = 1, an Internet settlement on the site, to the buyer, not printed; a
    sale: 1214 = 4, printed, its 1215 what the job offsets (0 for a counter sale)."""
    method = doc["items"][0]["payment_method"]
    if receipt_kind == PREPAYMENT:
        paid_online = doc["internet"] and doc["place"] == SITE and bool(doc["buyer_contact"])
        return method == 1 and not doc["printed"] and paid_online and doc["prepaid"] == 0
    return method == 4 and doc["printed"] and doc["prepaid"] == prepaid
