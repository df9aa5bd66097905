"""Trading-day campaign (issue 13 part 6): a day at ten times a busy shop's load in compressed
time, against the real gateway process (`storegw run --config`) with a real Mosquitto, the
back-office simulator as the cloud, the register simulator on a pty and the printer simulator on
TCP, driven only through the gateway's real entry points: MQTT from the cloud and the staff API
over HTTP (signed-in tablets: a cashier, a manager).

A busy shop's day (BUSY_DAY) with one register, as this project's shops count it: 200 web orders
(10 % cancelled by the buyer on the site, 5 % by the manager as no-shows, 4 % left for tomorrow,
the rest shipped and paid at the desk, a third with a pick slip), 400 counter sales (1-3 lines
each), 10 deliveries received by scan (30 scans each, then posted: the report prints), 1
stocktake of a 40-sku shelf, 100 shelf labels, one shift opened in the morning and closed at
night with the drawer counted. At scale 1 the day is LOAD = 10 times that: 2 000 web orders,
4 000 counter sales, about 5 700 receipts on the register, 100 deliveries, 10 stocktakes.

The day runs in SLICES; the first WARM_UP of them are the warm-up. At a quiet moment after the
warm-up and at the end of the day (every receipt and print job done, the cloud holding every
gateway message) the gateway is read from outside: resident memory (/proc/<pid>/status VmRSS),
open files (/proc/<pid>/fd), threads (/proc/<pid>/task), and its database and WAL files. Each
must end at most 1.2 times its warm-up value; the database file, which keeps the day's records
by design, by its growth per operation (`resource_figures`). The verdict (trading_day_verdict.py) is
counted by the cloud, the register's fiscal drive, the printer and a read of the stopped
gateway's database."""

from __future__ import annotations

import time
from pathlib import Path

from tests.reliability.figures import Figures, scaled
from tests.reliability.trading_day_shop import Shop
from tests.reliability.trading_day_verdict import (
    cloud_verdict,
    database_verdict,
    printer_verdict,
)
from tests.reliability.trading_day_work import Day, DayPlan

LOAD = 10
BUSY_DAY = DayPlan(
    web_orders=200,
    counter_sales=400,
    receivings=10,
    scans_per_receiving=30,
    stocktakes=1,
    skus_per_stocktake=40,
    labels=100,
)
SLICES = 20
WARM_UP = 2  # slices: a tenth of the day
GROWTH_BOUND = 1.2  # end ≤ 1.2 × the value after warm-up (the bound)
RESOURCES = ("rss_kb", "open_files", "threads", "db_bytes", "db_file_bytes", "wal_bytes")


def plan_at(scale: float) -> DayPlan:
    day = BUSY_DAY
    return DayPlan(
        web_orders=scaled(day.web_orders * LOAD, scale, minimum=20),
        counter_sales=scaled(day.counter_sales * LOAD, scale, minimum=40),
        receivings=scaled(day.receivings * LOAD, scale, minimum=2),
        scans_per_receiving=day.scans_per_receiving,
        stocktakes=scaled(day.stocktakes * LOAD, scale, minimum=1),
        skus_per_stocktake=day.skus_per_stocktake,
        labels=scaled(day.labels * LOAD, scale, minimum=5),
    )


def run(workdir: Path, scale: float, seed: int) -> Figures:
    figures = Figures("trading_day")
    plan = plan_at(scale)
    started = time.monotonic()
    shop = Shop(workdir)
    try:
        shop.open()
        day = Day(shop, plan, seed)
        day.open_shop()
        opened = day.reading()
        for n in range(SLICES):
            day.slice(n / SLICES, (n + 1) / SLICES)
            if n + 1 == WARM_UP:
                warm = day.reading()
        day.close_shop()
        end = day.reading()
        outbox_seq = shop.backlog()["outbox_seq"]
        figures.zero("gateway_exit_code", shop.stop_gateway())
        counted(figures, day)
        resource_figures(figures, opened, warm, end)
        cloud_verdict(figures, shop, day.tally, outbox_seq)
        printer_verdict(figures, shop, day.tally)
        database_verdict(figures, shop)
    finally:
        shop.close()
    figures.add("minutes", (time.monotonic() - started) / 60)
    return figures


def counted(figures: Figures, day: Day) -> None:
    tally = day.tally
    figures.add("web_orders", len(tally.orders_sent))
    for kind in ("order_shipped", "order_cancelled", "counter_sale", "receiving_posted", "scan"):
        figures.add(kind + "s", tally.done[kind])
    figures.add("orders_cancelled_by_cloud", len(tally.cancelled_by_cloud))
    figures.add("stocktakes_applied", tally.done["stocktake_applied"])
    figures.add("print_jobs", tally.printed)
    figures.add("operations", sum(tally.done.values()) + len(tally.orders_sent))
    figures.zero("server_errors", len(tally.server_errors))
    figures.zero("refused", sum(tally.refused.values()))
    for error in tally.server_errors[:5]:
        figures.note(error)
    if tally.refused:
        figures.note(f"refused: {dict(tally.refused)}")


def resource_figures(figures: Figures, opened: dict, warm: dict, end: dict) -> None:
    """Each resource at the end against its value after the warm-up. The database file grows
    with the records a shop keeps by design (orders, the ledger, receipts, shifts forever; the
    outbox 7 days), so its bound is on growth per operation: the rest of the day against the
    warm-up. A table never pruned faster than the work, or free pages never reused, breaks it.
    `db_bytes` is the pages in use (checkpointed or still in the WAL), `db_file_bytes` the file."""
    for name in RESOURCES:
        figures.add(f"{name}_warm", warm[name])
        figures.add(f"{name}_end", end[name])
    for name in ("rss_kb", "open_files", "threads", "wal_bytes"):
        figures.add(f"{name}_ratio", round(end[name] / warm[name], 3), at_most=GROWTH_BOUND)
    for name in ("db_bytes", "db_file_bytes"):  # plain figures: a day's records are kept
        figures.add(f"{name}_ratio", round(end[name] / warm[name], 3))
    warm_rate = (warm["db_bytes"] - opened["db_bytes"]) / (
        warm["operations"] - opened["operations"]
    )
    day_rate = (end["db_bytes"] - warm["db_bytes"]) / (end["operations"] - warm["operations"])
    figures.add("db_bytes_per_operation_warm", round(warm_rate))
    figures.add("db_bytes_per_operation_end", round(day_rate))
    figures.add(
        "db_growth_per_operation_ratio", round(day_rate / warm_rate, 3), at_most=GROWTH_BOUND
    )
