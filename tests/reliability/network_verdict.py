"""The network campaign's count, once every fault is over and the link has settled: from the
cloud simulator (what it received, applied, de-duplicated), the broker's log, and a direct read
of the gateway's database (inbox, orders, stock ledger, invariants, integrity_check) — never the
gateway's own figures."""

from __future__ import annotations

from collections import Counter

from tests.mqtt_helpers import database_problems
from tests.reliability.figures import Figures
from tests.reliability.network_load import CloudTraffic, ShopSales
from tests.reliability.network_rig import Rig

APPLIED = ("applied", "rejected")  # the gateway's inbox handled it (a rejection is an answer)


def to_cloud(rig: Rig, figures: Figures, sales: list[ShopSales]) -> None:
    """Gateway → cloud: every outbox seq once at the cloud, with the id the database gave it."""
    outbox = dict(rig.query("SELECT seq, event_id FROM outbox"))
    head = rig.counters().get("outbox_seq", 0)
    events = {e["seq"]: e for e in rig.cloud.events()}
    received = rig.cloud.received  # held ones too: a seq beyond a hole
    missing = [seq for seq in range(1, head + 1) if seq not in events]
    wrong = [
        seq for seq, event_id in outbox.items() if seq in events and events[seq]["id"] != event_id
    ]
    holes = [s for s in range(1, max(received, default=0)) if s not in received]
    figures.add("messages_to_cloud", head)
    figures.add("delivered_once_to_cloud", len(events))
    figures.add("duplicates_suppressed_by_cloud", rig.cloud.duplicates)
    figures.zero("lost_to_cloud", len(missing))
    figures.zero("gaps_to_cloud", len(holes))
    figures.zero("wrong_message_at_seq", len(wrong))
    if missing:
        figures.note(f"gateway seqs the cloud never applied: {missing[:10]}")
    # The web shop's stock, as the cloud rebuilt it from stock.changed, is the database's.
    shelf = rig.query("SELECT sku, SUM(on_hand), SUM(reserved) FROM stock_level GROUP BY sku")
    seen = rig.cloud.stock
    differ = [
        sku
        for sku, on_hand, reserved in shelf
        if seen.get(sku, {}).get("on_hand") != on_hand or seen[sku]["reserved"] != reserved
    ]
    figures.zero("stock_disagreements", len(differ))
    figures.zero("oversold_at_cloud", len(rig.cloud.check_oversold()))
    if differ:
        figures.note(f"cloud stock {seen} vs database {shelf}")
    # Every sale the staff API acknowledged reached the cloud, once.
    sold = Counter(
        e["data"].get("receipt_id")
        for e in events.values()
        if e["type"] == "stock.adjusted" and e["data"].get("reason") == "counter_sale"
    )
    acknowledged = [r for s in sales for r in s.receipts]
    figures.add("sales_acknowledged", len(acknowledged))
    figures.add("sales_refused", sum(s.refused for s in sales))
    figures.add("sales_unanswered", sum(s.failed for s in sales))
    figures.zero("sales_lost_to_cloud", sum(1 for r in acknowledged if sold[r] == 0))
    figures.zero("sales_doubled_at_cloud", sum(1 for n in sold.values() if n > 1))


def from_cloud(rig: Rig, figures: Figures, traffic: CloudTraffic) -> None:
    """Cloud → gateway: every message the cloud numbered is in the inbox once, and its effect
    is in the tables (each web order exists, each cancel took, each delivery is one ledger row)."""
    sent = rig.cloud.sent
    seen = dict(rig.query("SELECT msg_id, outcome FROM inbox_seen"))
    handled = [seq for seq, env in sent.items() if seen.get(env["id"]) in APPLIED]
    lost = sorted(seq for seq, env in sent.items() if seen.get(env["id"]) not in APPLIED)
    in_seq = rig.counters().get("in_seq", 0)
    figures.add("messages_from_cloud", len(sent))
    figures.add("delivered_once_from_cloud", len(handled))
    figures.add(
        "rejected_by_gateway", sum(1 for env in sent.values() if seen.get(env["id"]) == "rejected")
    )
    deliveries = rig.deliveries_to_gateway()
    figures.add("broker_deliveries_to_gateway", deliveries)
    figures.add("duplicates_suppressed_by_gateway", max(0, deliveries - len(handled)))
    figures.zero("lost_from_cloud", len(lost))
    figures.zero("gaps_from_cloud", max(0, max(sent, default=0) - in_seq))
    if lost:
        figures.note(f"cloud seqs the gateway never handled: {lost[:10]}")
    orders = dict(rig.query("SELECT id, status FROM customer_order"))
    figures.zero("orders_missing", sum(1 for o in traffic.orders if o not in orders))
    figures.zero(
        "cancels_not_applied", sum(1 for o in traffic.cancelled if orders.get(o) != "cancelled")
    )
    moves = Counter(dict(rig.query("SELECT reason, COUNT(*) FROM stock_move GROUP BY reason")))
    figures.zero("deliveries_not_applied_once", abs(moves["cloud_adjust"] - traffic.deliveries))
    sale_moves = rig.query(
        "SELECT ref_id, COUNT(*) FROM stock_move WHERE reason = 'sale' GROUP BY ref_id"
    )
    figures.zero("sales_doubled_in_ledger", sum(1 for _, n in sale_moves if n > 1))


def database(rig: Rig, figures: Figures) -> None:
    problems = database_problems(rig.db_path)
    integrity = rig.query("PRAGMA integrity_check")
    figures.zero("invariant_failures", len(problems))
    figures.zero("integrity_failures", 0 if integrity == [("ok",)] else len(integrity))
    for problem in problems[:5]:
        figures.note(f"invariant: {problem}")
    figures.add("broker_drop_episodes", rig.broker_log_count("Outgoing messages are being dropped"))
    alarms = rig.query("SELECT name, detail FROM alarm")
    figures.add("alarms_open_at_end", len(alarms))
    for name, detail in alarms[:5]:
        figures.note(f"alarm at the end: {name}: {detail}")
