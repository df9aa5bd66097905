"""The owner's summary counts money received (issue 11): a web order paid on the site counts on
the prepayment's receipt, its handover (settled by offsetting the prepayment, tag 1215) brings
no money and is not a second purchase; a prepayment given back is a refund. The gateway's books
(summary_queries) and the cloud's figures from the `receipt.fiscalized` events alone
(simulators/backoffice/summary.py) agree.

The receipts are queued, sent and fiscalised through the fiscal services as the worker does,
with the register's answer given here (the register's side is tested with the simulator)."""

import json
from contextlib import closing
from datetime import date

from gateway.adapters.sqlite.summary_queries import owner_summary
from gateway.domain.fiscal import (
    PREPAYMENT,
    PREPAYMENT_REFUND,
    SELL,
    SELL_REFUND,
    Fiscalised,
    Payments,
    ReceiptDraft,
    ReceiptItem,
)
from gateway.services import fiscal as service
from simulators.backoffice.summary import owner_summary as cloud_summary

FN = "7380440700000001"
DAY = "2026-03-02"


def item(price: int, qty: int = 1, method: str = "full_payment") -> ReceiptItem:
    return ReceiptItem("MUG", "Кружка", price, qty, "vat22", method=method)


def fiscalise(shop, draft: ReceiptDraft, fd: int, *, refund_of: int | None = None) -> int:
    """Queue the receipt, then record it sent and signed, as the fiscal worker does."""

    def queue(uow) -> int:
        return uow.fiscal.add_job(draft, refund_of=refund_of)

    job_id = shop.run(queue)
    shop.run(service.receipt_sending, job_id, fd - 1, FN)
    signed = Fiscalised(FN, fd, 1000 + fd, 1, fd, f"{DAY}T12:{fd:02d}:00")
    shop.run(service.receipt_fiscalised, job_id, signed, draft.change)
    return job_id


def envelopes(shop) -> list[dict]:
    with closing(shop.db.reader()) as conn:
        rows = conn.execute("SELECT seq, type, data_json, created_at FROM outbox").fetchall()
    return [{"seq": s, "type": t, "data": json.loads(d), "ts": ts} for s, t, d, ts in rows]


ONLINE = {"electronic": True, "internet": True, "contact": "buyer@example.com"}
CASHIER = {"cashier": "Анна"}


def paid_online(shop, amount: int, fd: int, *, back: bool = False) -> int:
    """A prepayment taken on the site (or, `back`, given back), electronic only."""
    kind, payment = (PREPAYMENT_REFUND, None) if back else (PREPAYMENT, f"pay-{fd}")
    lines = (item(amount, method="full_prepayment"),)
    draft = ReceiptDraft(kind, lines, Payments(card=amount), payment_id=payment, **ONLINE)
    return fiscalise(shop, draft, fd)


def at_counter(shop, kind: str, lines: tuple, payments: Payments, fd: int, **kw) -> int:
    return fiscalise(shop, ReceiptDraft(kind, lines, payments, **CASHIER), fd, **kw)


def test_a_prepaid_order_and_its_handover_count_the_money_once(shop):
    shop.run(service.shift_opened, 1, fn=FN, by=None, fd=None, fp=None)
    # At the counter: 900 ₽ paid with 1 000 ₽ cash.
    sale = at_counter(shop, SELL, (item(90000),), Payments(cash=100000), 1)
    # Paid on the site: 500 ₽; handed over later against the prepayment.
    paid_online(shop, 50000, 2)
    at_counter(shop, SELL, (item(50000),), Payments(prepaid=50000), 3)
    # 200 ₽ paid on the site, 300 ₽ of goods handed over: 100 ₽ more in cash at the counter.
    paid_online(shop, 20000, 4)
    at_counter(shop, SELL, (item(15000, 2),), Payments(cash=10000, prepaid=20000), 5)
    # 70 ₽ paid on the site and given back (the order was cancelled).
    paid_online(shop, 7000, 6)
    paid_online(shop, 7000, 7, back=True)
    # One mug from the counter sale taken back, in cash.
    at_counter(shop, SELL_REFUND, (item(45000),), Payments(cash=45000), 8, refund_of=sale)

    with closing(shop.db.reader()) as conn:
        books = owner_summary(conn, date.fromisoformat(DAY))
    today = books["sales"]["today"]
    keys = ("receipts", "revenue", "cash", "card", "online", "refunds", "net")
    assert {k: today[k] for k in keys} == {
        "receipts": 4,  # the counter sale and the three prepayments; handovers are no purchase
        "revenue": 90000 + 50000 + 20000 + 10000 + 7000,
        "cash": 90000 + 10000,
        "card": 0,  # no card at the counter: the site's money is not the card terminal's
        "online": 50000 + 20000 + 7000,
        "refunds": {"count": 2, "total": 7000 + 45000},
        "net": 177000 - 52000,
    }
    assert today["average"] == 44250  # 1 770 ₽ over 4 purchases

    events = envelopes(shop)
    fiscalized = [e["data"] for e in events if e["type"] == "receipt.fiscalized"]
    assert [e["payments"].get("prepaid", 0) for e in fiscalized] == [0, 0, 50000, 0, 20000, 0,
                                                                       0, 0]  # fmt: skip
    remote = cloud_summary(events, date.fromisoformat(DAY))
    assert remote["sales"] == books["sales"]


def test_card_is_the_counters_card_only_and_the_sites_money_has_its_own_line(shop):
    """The owner holds «картой» against the card terminal's total: a payment on the site (by
    card on the site or SBP) is not in it, it is «оплачено на сайте»; revenue has both."""
    shop.run(service.shift_opened, 1, fn=FN, by=None, fd=None, fp=None)
    at_counter(shop, SELL, (item(30000),), Payments(card=30000), 1)  # the terminal: 300 ₽
    at_counter(shop, SELL, (item(20000),), Payments(cash=5000, card=15000), 2)  # 150 ₽ more
    paid_online(shop, 70000, 3)  # SBP or card on the site: the cloud's payment
    paid_online(shop, 70000, 4, back=True)
    paid_online(shop, 12000, 5)

    with closing(shop.db.reader()) as conn:
        books = owner_summary(conn, date.fromisoformat(DAY))["sales"]
    today = books["today"]
    assert (today["card"], today["online"], today["cash"]) == (45000, 82000, 5000)
    assert today["revenue"] == today["cash"] + today["card"] + today["online"] == 132000
    assert today["refunds"] == {"count": 1, "total": 70000}
    site = next(p for p in today["cashiers"] if p["name"] is None)
    anna = next(p for p in today["cashiers"] if p["name"] == "Анна")
    assert (site["card"], site["online"]) == (0, 82000)
    assert (anna["card"], anna["online"]) == (45000, 0)
    remote = cloud_summary(envelopes(shop), date.fromisoformat(DAY))
    assert remote["sales"] == books
