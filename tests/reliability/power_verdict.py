"""What the power-cut campaign counts, each from an observer that does not take the gateway's
word: the database file read directly after a kill (integrity_check, check_invariants, the
acknowledged requests and orders in it), the register simulator's archive (receipts), the
printer simulator's paper (slips), and the back-office simulator (outbound seqs, oversold)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from gateway.adapters.sqlite.invariants import check_invariants
from tests.reliability.power_load import Op
from tests.reliability.power_shop import SKUS, START_STOCK

RECEIPTED = ("sale", "ship")  # requests whose acknowledgement promises a fiscal receipt


@dataclass
class Acked:
    """Everything acknowledged so far: staff API requests (2xx), web orders the gateway
    answered, web cancels it confirmed."""

    ops: list[Op]
    orders: list[str]
    cancels: list[str]


@dataclass
class AfterKill:
    integrity_failures: int = 0
    invariant_failures: int = 0
    lost: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def after_kill(db_path: Path, acked: Acked) -> AfterKill:
    """The file as the power cut left it (SQLite recovers the WAL on open, as at a boot)."""
    found = AfterKill()
    with closing(sqlite3.connect(db_path, timeout=30)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            found.integrity_failures = 1
            found.problems.append(f"integrity_check: {integrity}")
        broken = check_invariants(conn)
        found.invariant_failures = len(broken)
        found.problems += broken
        found.lost = missing(conn, acked)
    return found


def missing(conn: sqlite3.Connection, acked: Acked) -> list[str]:
    """Acknowledged but not in the database: a request's key (every one of them runs once by
    its key), an answered order, a confirmed cancel."""
    keys = {row[0] for row in conn.execute("SELECT idem_key FROM command_log")}
    status = dict(conn.execute("SELECT id, status FROM customer_order"))
    lost = [f"{op.kind} {op.key}" for op in acked.ops if op.key not in keys]
    lost += [f"order {o}" for o in acked.orders if o not in status]
    lost += [f"cancel {o}" for o in acked.cancels if status.get(o) != "cancelled"]
    return lost


def effects_missing(conn: sqlite3.Connection, acked: Acked) -> list[str]:
    """At the end, by their effects: a shipped order is shipped, every acknowledged scan is
    counted in its receiving line, a posted receiving is posted, a slip is in the queue."""
    status = dict(conn.execute("SELECT id, status FROM customer_order"))
    lines = {(d, s): q for d, s, q in conn.execute("SELECT doc_id, sku, qty FROM receiving_line")}
    posted = {row[0] for row in conn.execute("SELECT id FROM receiving_doc WHERE status='posted'")}
    slips = {row[0] for row in conn.execute("SELECT ref FROM print_job WHERE kind='pick_slip'")}
    scans: Counter = Counter()
    for op in acked.ops:
        if op.kind == "scan":
            scans[op.about["doc"], op.about["sku"]] += op.about["units"]
    lost = [f"scans {d}/{s}" for (d, s), n in scans.items() if lines.get((d, s), 0) < n]
    for op in acked.ops:
        if op.kind == "ship" and status.get(op.about["order_id"]) != "shipped":
            lost.append(f"shipment of {op.about['order_id']}")
        elif op.kind == "post" and op.about["doc"] not in posted:
            lost.append(f"posting of {op.about['doc']}")
        elif op.kind == "slip" and op.about["order_id"] not in slips:
            lost.append(f"pick slip of {op.about['order_id']}")
    return lost


def scans_doubled(conn: sqlite3.Connection, ops: list[Op]) -> int:
    """Units a receiving counts beyond the scans the tablet sent into it (each key once)."""
    sent: Counter = Counter()
    for op in ops:
        if op.kind == "scan":
            sent[op.about["doc"], op.about["sku"]] += op.about["units"]
    rows = conn.execute("SELECT doc_id, sku, qty FROM receiving_line")
    return sum(max(0, qty - sent[(doc, sku)]) for doc, sku, qty in rows)


@dataclass
class Receipts:
    doubled: int
    lost: list[str]
    strays: int
    units_sold: Counter


def receipts(archive: list[dict], ops: list[Op]) -> Receipts:
    """Each sale and shipment names its receipt by its buyer contact (tag 1008). Doubled: two
    receipts for one; lost: an acknowledged one with none."""
    contacts = Counter(doc.get("buyer_contact") for doc in archive)
    wanted = {_contact(op) for op in ops if op.kind in RECEIPTED}
    acked = [op for op in ops if op.kind in RECEIPTED and op.acked]
    units: Counter = Counter()
    for doc in archive:
        for item in doc["items"]:
            units[item["name"].removeprefix("Товар P-")] += item["quantity"] // 1_000_000
    return Receipts(
        doubled=sum(n - 1 for n in contacts.values() if n > 1),
        lost=[op.key for op in acked if not contacts[_contact(op)]],
        strays=sum(n for contact, n in contacts.items() if contact not in wanted),
        units_sold=units,
    )


def _contact(op: Op) -> str:
    return op.about.get("contact") or op.about["receipt"]["contact"]


def slips_printed_twice(documents) -> int:
    """Nobody asked for a reprint: a slip (its title and order number) must come out once. A
    piece torn off by a kill counts as a print too."""
    printed = Counter(
        "\n".join(doc.text.splitlines()[:2]) for doc in documents if not doc.is_blank()
    )
    return sum(n - 1 for n in printed.values() if n > 1)


def oversold_units(units_sold: Counter, scanned: dict[str, int], cloud_oversold: dict) -> int:
    """Units on receipts beyond what the shop ever had (its first stock and every unit the
    tablet scanned in, whether or not that receiving was posted), plus a unit for each sku the
    back-office saw web orders hold beyond on_hand."""
    beyond = sum(max(0, units_sold[sku] - START_STOCK - scanned[sku]) for sku in SKUS)
    return beyond + len(cloud_oversold)
