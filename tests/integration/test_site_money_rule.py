"""Money paid on the site is told by one rule on both screens (schema_shift.PAID_ON_THE_SITE):
«Смена» (the shift's totals) and «Сводка» (the owner's summary) count the card of a payment's
receipt and of its refund as paid on the site, never a handover that offsets a prepayment nor
the card terminal at the counter. Through the cloud's messages (the inbox), the order and sale
services and the fiscal services as the worker runs them, on a real database."""

from contextlib import closing
from datetime import date

from gateway.adapters.sqlite.schema_shift import PAID_ON_THE_SITE
from gateway.adapters.sqlite.summary_queries import owner_summary
from gateway.domain.fiscal import PREPAYMENT, PREPAYMENT_REFUND, SELL
from gateway.services import fiscal as service
from gateway.services.orders import ship_order
from tests.builders import CASHIER
from tests.payments_helpers import fiscalise, jobs, make_cloud, rows

FN = "7380440700076549"  # the drive payments_helpers.fiscalise signs with, shift 1
DAY = date(2026, 11, 27)  # ... on this day


def test_the_summary_and_the_shift_count_the_same_money_as_paid_on_the_site(shop):
    shop.run(service.shift_opened, 1, fn=FN, by=None, fd=None, fp=None)
    cloud = make_cloud(shop)
    cloud.order("W-1", ("A", 2))  # 200 ₽, paid on the site, handed over against it
    cloud.pay("W-1", 20000)
    cloud.order("W-2", ("A", 1))  # 100 ₽, paid on the site and given back
    cloud.pay("W-2", 10000, "pay-2")
    cloud.refund("W-2", 10000, "pay-2")
    shop.run(ship_order, "W-1", by=CASHIER, receipt={"payment": "cash"})
    sale = {"items": [{"sku": "B", "qty": 1}], "payment": "card"}  # 50 ₽, the card terminal
    shop.run(service.counter_sale, sale, by=CASHIER)
    queued = jobs(shop)
    for fd, job in enumerate(queued, start=1):
        fiscalise(shop, job.id, fd)
    assert [(j.kind, j.draft.payment_id) for j in queued] == [
        (PREPAYMENT, "pay-1"),
        (PREPAYMENT, "pay-2"),
        (PREPAYMENT_REFUND, "pay-2"),
        (SELL, None),  # the handover offsets the prepayment: no payment of its own
        (SELL, None),
    ]
    # The cloud's payment_id and the rule describe the same receipts.
    mismatched = f"(payment_id IS NOT NULL) != ({PAID_ON_THE_SITE})"
    assert rows(shop, f"SELECT count(*) FROM receipt_job WHERE {mismatched}") == [(0,)]

    with closing(shop.db.reader()) as conn:
        today = owner_summary(conn, DAY)["sales"]["today"]
    shift = shop.run(service.current_shift_totals, 1, FN)
    sales, refunds = shift["sales"], shift["refunds"]

    assert today["online"] == sales["online"] == 20000 + 10000  # the two payments only
    assert today["card"] == sales["card"] - sales["online"] == 5000  # the terminal's total
    assert today["revenue"] == today["cash"] + today["card"] + today["online"] == 35000
    assert refunds["online"] == refunds["card"] == 10000  # the payment given back on the site
    assert today["refunds"] == {"count": 1, "total": 10000}
