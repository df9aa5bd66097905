"""What the owner's summary («Сводка», issue 10) costs with a year of receipts.

A gateway database (migrations applied) holding 100 000 fiscalised receipts over the last 365
days (about 270 a day, 5 cashiers, one in twenty a refund, cash / card / mixed payments), 2 000
web orders (most finished), 1 000 skus with stock, some under their minimum, and an open shift.
Then `owner_summary` (the shift and its drawer, today, yesterday, this week and last week in all
and by cashier, the orders waiting, the goods running out) on a read-only connection, as the
page and the API call it: 5 untimed, then 50 timed.

Baseline, same run, same database: one raw `SELECT sum(total) FROM receipt_job` (the whole
table, what a summary without the day index would read at least once).

Prints:
  BENCH owner_summary_ms            median of the timed runs (aim: <= 100 ms)
  BENCH owner_summary_p99_ms
  BENCH receipt_job_raw_sum_ms      the baseline (median)
  BENCH owner_summary_vs_raw_sum_ratio"""

import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.summary_queries import owner_summary

RECEIPTS = 100_000
DAYS = 365
CASHIERS = ((1, "Анна"), (2, "Ольга"), (3, "Пётр"), (4, "Мария"), (5, "Иван"))
SKUS = 1_000
ORDERS = 2_000
WARM, RUNS = 5, 50
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
WAITING = ("reserved", "short", "confirmed")


def fill(db: Path, today: date, rng: random.Random) -> None:
    Database(db)  # the migrations
    now = datetime.now(UTC).strftime(STAMP)
    with closing(open_connection(db)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO product(id, name, vat, catalog_version) VALUES ('P', 'P', 'vat22', 1)"
        )
        conn.executemany(
            "INSERT INTO variant(sku, product_id, name, char_key, price)"
            " VALUES (?, 'P', ?, ?, 10000)",
            [(f"S{n}", f"Товар {n}", f"k{n}") for n in range(SKUS)],
        )
        conn.executemany(
            "INSERT INTO stock_level(sku, location_id, on_hand, reserved) VALUES (?, 'main', ?, ?)",
            [(f"S{n}", n % 7, 0) for n in range(SKUS)],
        )
        conn.execute("UPDATE variant SET min_stock = 3 WHERE rowid % 10 = 0")
        conn.executemany(
            "INSERT INTO customer_order(id, number, channel, paid, status, arrival, location_id,"
            " created_at, updated_at) VALUES (?, ?, 'web', 1, ?, ?, 'main', ?, ?)",
            [
                (f"W-{n}", str(n), "shipped" if n % 10 else rng.choice(WAITING), n, now, now)
                for n in range(ORDERS)
            ],
        )  # fmt: skip
        rows = []
        for n in range(1, RECEIPTS + 1):
            day = today - timedelta(days=(RECEIPTS - n) * DAYS // RECEIPTS)
            staff_id, name = CASHIERS[n % len(CASHIERS)]
            kind = "sell_refund" if n % 20 == 0 else "sell"
            total = rng.randrange(5_000, 500_000)
            cash, card, change = rng.choice(((total, 0, 0), (0, total, 0), (total + 5000, 0, 5000)))
            draft = json.dumps({"kind": kind, "cashier": name}, ensure_ascii=False)
            ts = f"{day.isoformat()}T{9 + n % 12:02d}:{n % 60:02d}"
            shift = (today - day).days + 1  # a shift a day, the newest open (number 1)
            rows.append(
                (kind, draft, total, cash, card, change, staff_id, n, n, shift, ts, now, now)
            )
        conn.executemany(
            "INSERT INTO receipt_job(kind, draft_json, total, cash, card, change, staff_id,"
            " state, fd, fp, shift, fiscal_ts, created_at, updated_at, fn)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, 'FN1')",
            rows,
        )
        conn.execute(
            "INSERT INTO fiscal_shift(fn, number, opened_by, opened_by_id, opened_at)"
            " VALUES ('FN1', 1, 'Анна', 1, ?)",
            (now,),
        )  # fmt: skip
        conn.execute("COMMIT")


def timed(call, runs: int) -> list[float]:
    for _ in range(WARM):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    rng = random.Random(10)
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "gateway.db"
        started = time.monotonic()
        fill(db, today, rng)
        print(f"filled {RECEIPTS} receipts in {time.monotonic() - started:.1f} s")
        with closing(open_connection(db, readonly=True)) as conn:
            summary = owner_summary(conn, today, default_min=0)
            ours = timed(lambda: owner_summary(conn, today, default_min=0), RUNS)
            raw = timed(lambda: conn.execute("SELECT sum(total) FROM receipt_job").fetchone(), RUNS)
            (total_receipts,) = conn.execute("SELECT count(*) FROM receipt_job").fetchone()
    week = summary["sales"]["week"]
    today_count, low = summary["sales"]["today"]["receipts"], len(summary["low_stock"])
    print(f"today: {today_count} receipts; this week {week['receipts']}"
          f" by {len(week['cashiers'])} cashiers; low stock {low} skus")  # fmt: skip
    wrong = total_receipts != RECEIPTS or len(week["cashiers"]) != len(CASHIERS)
    wrong = wrong or summary["sales"]["today"]["receipts"] == 0 or not summary["shift"]["open"]
    median, p99 = statistics.median(ours), sorted(ours)[int(len(ours) * 0.99) - 1]
    base = statistics.median(raw)
    print(f"BENCH owner_summary_ms {median:.2f} ms")
    print(f"BENCH owner_summary_p99_ms {p99:.2f} ms")
    print(f"BENCH receipt_job_raw_sum_ms {base:.2f} ms")
    print(f"BENCH owner_summary_vs_raw_sum_ratio {median / base:.2f} ratio")
    print(f"aim owner_summary_ms <= 100: {'met' if median <= 100 else 'NOT met'}")
    if wrong:
        print("the summary's figures are wrong", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
