"""The trading day's verdict (tests/reliability/trading_day.py), counted by observers that do not
trust the gateway's bookkeeping: the back-office simulator (every message the cloud processed,
in seq order), the register simulator's fiscal drive, the printer simulator, and a direct read of
the database once the gateway has stopped (check_invariants, PRAGMA integrity_check)."""

from __future__ import annotations

from collections import Counter
from contextlib import closing

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from tests.reliability.figures import Figures
from tests.reliability.trading_day_shop import Shop
from tests.reliability.trading_day_work import Tally

SELL = 1  # the register's operation type of a sale (1054)


def by_type(events: list[dict], kind: str) -> list[dict]:
    return [e["data"] for e in events if e["type"] == kind]


def missing_and_extra(figures: Figures, name: str, done: set, seen: list) -> None:
    """`done`: what the gateway acknowledged; `seen`: what the cloud got (one entry per message)."""
    counts = Counter(seen)
    figures.zero(f"{name}_lost", len(done - set(counts)))
    figures.zero(f"{name}_unasked", len(set(counts) - done))
    figures.zero(f"{name}_doubled", sum(n - 1 for n in counts.values()))


def cloud_verdict(figures: Figures, shop: Shop, tally: Tally, outbox_seq: int) -> None:
    events = shop.cloud.events()
    figures.add("gateway_messages_sent", outbox_seq)
    figures.add("cloud_messages_received", len(events))
    figures.zero("messages_lost", outbox_seq - len(events))
    figures.zero("seq_gaps", sum(1 for n, e in enumerate(events, 1) if e["seq"] != n))
    first = shop.cloud.first_status
    figures.zero("web_orders_unanswered", sum(1 for o in tally.orders_sent if o not in first))
    shipped = [d["order_id"] for d in by_type(events, "order.shipped")]
    missing_and_extra(figures, "shipments", tally.shipped, shipped)
    cancelled = [d["order_id"] for d in by_type(events, "order.cancelled")]
    missing_and_extra(
        figures, "cancels", tally.cancelled_at_desk | tally.cancelled_by_cloud, cancelled
    )
    posted = [d["doc_id"] for d in by_type(events, "receiving.posted")]
    missing_and_extra(figures, "receivings", tally.receivings, posted)
    receipts = [d for d in by_type(events, "receipt.fiscalized") if d["kind"] == "sell"]
    missing_and_extra(figures, "receipts", tally.receipt_ids, [d["receipt_id"] for d in receipts])
    shifts = Counter(e["type"] for e in events if e["type"].startswith("shift."))
    figures.zero(
        "shift_events_wrong", abs(shifts["shift.opened"] - 1) + abs(shifts["shift.closed"] - 1)
    )
    for closed in by_type(events, "shift.closed"):  # the books against the counted drawer
        figures.zero("cash_difference_kopecks", abs(closed["cash_difference"] or 0))
    register_verdict(figures, shop, {d["fiscal"]["fd"] for d in receipts})


def register_verdict(figures: Figures, shop: Shop, reported_fds: set[int]) -> None:
    """The fiscal drive against the cloud: each sale printed once, and each reported."""
    sales = [doc for doc in shop.register.receipts if doc["op_type"] == SELL]
    printed = [doc["fd"] for doc in sales]
    figures.add("register_receipts", len(printed))
    figures.zero("receipts_outside_the_shift", sum(1 for doc in sales if doc["shift"] != 1))
    figures.zero("receipts_unreported", len(set(printed) - reported_fds))
    figures.zero("receipts_not_on_drive", len(reported_fds - set(printed)))


def printer_verdict(figures: Figures, shop: Shop, tally: Tally) -> None:
    documents = len(shop.printer.documents)
    figures.add("printed_documents", documents)
    figures.zero("print_jobs_lost", max(0, tally.printed - documents))
    figures.zero("print_jobs_doubled", max(0, documents - tally.printed))


def database_verdict(figures: Figures, shop: Shop) -> None:
    """After the gateway stopped: the invariants, the file, and the stock the cloud believes."""
    with closing(open_connection(shop.db_path, readonly=True)) as conn:
        problems = check_invariants(conn)
        integrity = [tuple(row) for row in conn.execute("PRAGMA integrity_check")]
        levels = {
            sku: (on_hand, reserved)
            for sku, on_hand, reserved in conn.execute(
                "SELECT sku, sum(on_hand), sum(reserved) FROM stock_level GROUP BY sku"
            )
        }
    failed = shop.read("SELECT id, attempts, error FROM receipt_job WHERE state = 'failed'")
    figures.zero("receipts_failed", len(failed))
    for job in failed[:5]:
        figures.note(f"receipt failed: {job}")
    figures.zero("invariant_failures", len(problems))
    figures.zero("integrity_failures", 0 if integrity == [("ok",)] else len(integrity))
    cloud = {sku: (s["on_hand"], s["reserved"]) for sku, s in shop.cloud.stock.items()}
    wrong = [sku for sku in levels.keys() | cloud.keys() if levels.get(sku) != cloud.get(sku)]
    figures.zero("cloud_stock_wrong_skus", len(wrong))
    figures.zero("oversold_skus", len(shop.cloud.check_oversold()))
    for problem in problems[:5]:
        figures.note(f"invariant: {problem}")
    for sku in wrong[:5]:
        figures.note(f"{sku}: gateway {levels.get(sku)}, cloud {cloud.get(sku)}")
