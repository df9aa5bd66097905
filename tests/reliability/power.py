"""Power-cut campaign (issue 13 part 1; RELIABILITY.md R1): the real gateway process is
SIGKILLed ≥ 200 times at random moments — while serving, and now and then while it is still
starting and recovering — under a mixed load: web orders and cancels from the back-office
simulator over a real Mosquitto; counter sales, pick slips, shipments and receiving scans from a
tablet on the staff API, which retries an unanswered request with the same idempotency key;
receipts on the register simulator, slips on the printer simulator.

After every kill the database file is read as the cut left it: integrity_check, the invariants,
and every acknowledged request and order must be in it. At the end (one clean run to let the
queues drain and the cloud catch up): receipts doubled or lost are counted in the register's
archive, slips printed twice on the printer's paper, outbound seq gaps at the back-office, and
oversold units from the receipts against the stock the shop ever had.

Acknowledged (`ops_acknowledged`): a staff API request the tablet got a 2xx for (a replay
included), a web order the cloud got the gateway's order.reserved or order.rejected for, a web
cancel the cloud got the gateway's order.cancelled for."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from tests.mqtt_helpers import counters, wait_in_sync, wait_until
from tests.reliability import power_verdict as verdict
from tests.reliability.figures import Figures, scaled
from tests.reliability.power_lazyfs import LazyFs, unavailable
from tests.reliability.power_load import GIVE_UP, Tablet, WebShop
from tests.reliability.power_shop import Shop

KILLS = 200
LAZYFS_KILLS = 20  # the slice whose unsynced writes are dropped at every cut
LOAD_SECONDS = (0.05, 0.4)  # the gateway serves this long (uniform) before the next cut
# Now and then the cut is aimed at a request on its way (within a few ms of sending it), so
# that some land between its commit and its answer: the window a retry's replay must close.
AIMED = 0.35
AIMED_DELAY = (0.0, 0.02)
KILL_WHILE_STARTING = 0.1  # chance that the next cut lands while it is starting again
STARTING_SECONDS = (0.05, 0.9)
SETTLE_TIMEOUT = 120.0


class Campaign:
    def __init__(self, workdir: Path, kills: int, seed: int, lazyfs: LazyFs | None = None):
        """With `lazyfs` the database is on it, and each cut also drops unsynced writes."""
        self.kills_wanted, self.rng = kills, random.Random(seed)
        self.lazyfs = lazyfs
        self.shop = Shop(workdir, db_dir=lazyfs.mount if lazyfs else None)
        self.seed = seed
        self.kills = self.kills_mid_request = self.kills_starting = 0
        self.integrity_failures = self.invariant_failures = 0
        self.lost: set[str] = set()
        self.notes: list[str] = []
        self.crashed: list[BaseException] = []

    def run(self) -> Figures:
        self.shop.open()
        self.web = WebShop(self.shop.cloud, self.seed + 1)
        self.tablet = Tablet(self.shop, self.seed + 2)
        stop = threading.Event()
        threads = [
            self._thread(self.web.run, stop),
            self._thread(self.tablet.run, stop, self.web.ready_to_ship),
        ]
        try:
            while self.kills < self.kills_wanted and not self.crashed:
                time.sleep(self.rng.uniform(*LOAD_SECONDS))
                if self.rng.random() < AIMED:
                    self.aim()
                self.cut()
                if self.rng.random() < KILL_WHILE_STARTING:
                    time.sleep(self.rng.uniform(*STARTING_SECONDS))
                    self.kills_starting += 1
                    self.cut()
                self.shop.wait_ready()
            stop.set()
            for thread in threads:
                thread.join(GIVE_UP + 10)
            if self.crashed:
                raise self.crashed[0]
            return self.finish()
        finally:
            stop.set()
            self.tablet.close()
            self.shop.close()

    def _thread(self, target, *args) -> threading.Thread:
        def guarded() -> None:
            try:
                target(*args)
            except BaseException as exc:  # the harness stops and reports it
                self.crashed.append(exc)

        thread = threading.Thread(target=guarded, daemon=True)
        thread.start()
        return thread

    def acked(self) -> verdict.Acked:
        orders, cancels = self.web.acknowledged()
        return verdict.Acked([op for op in list(self.tablet.ops) if op.acked], orders, cancels)

    def aim(self) -> None:
        """Wait (up to a second) for the tablet to send a request, then a moment more."""
        deadline = time.monotonic() + 1.0
        while self.tablet.in_flight is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(self.rng.uniform(*AIMED_DELAY))

    def cut(self) -> None:
        """A power cut, the file checked as it was left, and the box powered on again."""
        acked = self.acked()  # before the cut: all of it must survive
        self.kills_mid_request += self.tablet.in_flight is not None
        self.shop.kill_gateway()
        if self.lazyfs is not None:
            self.lazyfs.clear_cache()  # the page cache dies with the power
        self.kills += 1
        found = verdict.after_kill(self.shop.db_path, acked)
        self.tally(found, f"after kill {self.kills}")
        self.shop.start_gateway()

    def tally(self, found: verdict.AfterKill, when: str) -> None:
        self.integrity_failures += found.integrity_failures
        self.invariant_failures += found.invariant_failures
        self.lost.update(found.lost)
        self.notes += [f"{when}: {text}" for text in (found.problems + found.lost)[:5]]

    # the end: one clean run, then every observer ---------------------------------------------
    def finish(self) -> Figures:
        shop = self.shop
        settled = self.settle()
        oversold_in_cloud = shop.cloud.check_oversold()
        stopped = shop.stop_gateway()
        acked = self.acked()
        self.tally(verdict.after_kill(shop.db_path, acked), "at the end")
        with closing(sqlite3.connect(shop.db_path)) as conn:
            self.lost.update(verdict.effects_missing(conn, acked))
            scans_doubled = verdict.scans_doubled(conn, self.tablet.ops)
        archive = shop.register.receipts
        receipts = verdict.receipts(archive, self.tablet.ops)
        ops = self.tablet.ops
        f = Figures("power")
        f.add("kills", self.kills)
        f.add("kills_while_starting", self.kills_starting)
        f.add("kills_mid_request", self.kills_mid_request)
        f.add("ops_acknowledged", len(acked.ops) + len(acked.orders) + len(acked.cancels))
        f.add("requests_acknowledged", len(acked.ops))
        f.add("requests_refused", sum(1 for op in ops if op.status and op.status >= 400))
        f.add("requests_resent", sum(1 for op in ops if op.sends > 1))
        f.add("requests_replayed", sum(1 for op in ops if op.answer.get("replayed")))
        f.add("web_orders_acknowledged", len(acked.orders))
        f.add("web_cancels_acknowledged", len(acked.cancels))
        short = [s for s in shop.cloud.first_status.values() if s in ("short", "rejected")]
        f.add("web_orders_short", len(short))
        f.add("receipts", len(archive))
        f.add("slips", len(shop.printer.documents))
        f.zero("acked_lost", len(self.lost))
        f.zero("oversold_units", verdict.oversold_units(
            receipts.units_sold, self.tablet.scanned, oversold_in_cloud))  # fmt: skip
        f.zero("invariant_failures", self.invariant_failures)
        f.zero("outbound_seq_gaps", self.seq_gaps())
        f.zero("integrity_failures", self.integrity_failures)
        f.zero("receipts_doubled", receipts.doubled)
        f.zero("receipts_lost", len(receipts.lost))
        f.zero("receipts_nobody_asked_for", receipts.strays)
        f.zero("slips_printed_twice", verdict.slips_printed_twice(shop.printer.documents))
        f.zero("scans_counted_twice", scans_doubled)
        f.zero("unsettled_at_end", 0 if settled else 1)
        f.zero("unclean_stop", 0 if stopped == 0 else 1)
        for text in [*sorted(self.lost)[:10], *receipts.lost[:5], *self.notes[:10]]:
            f.note(text)
        if oversold_in_cloud:
            f.note(f"the back-office saw oversold: {oversold_in_cloud}")
        return f

    def settle(self) -> bool:
        """Receipts and slips done, the cloud holding every gateway seq and acknowledging it."""
        db_path = self.shop.db_path

        def drained() -> bool:
            with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
                busy = conn.execute(
                    "SELECT (SELECT count(*) FROM receipt_job WHERE state IN ('queued','sending'))"
                    " + (SELECT count(*) FROM print_job WHERE state IN ('queued','printing'))"
                ).fetchone()[0]
            return busy == 0

        try:
            wait_until(drained, SETTLE_TIMEOUT, "receipts and slips to drain")
            wait_in_sync(self.shop.cloud, db_path, timeout=SETTLE_TIMEOUT)
        except AssertionError as exc:
            self.notes.append(str(exc))
            return False
        return True

    def seq_gaps(self) -> int:
        """Gateway seqs 1..outbox_seq the back-office never processed (or processed twice)."""
        head = counters(self.shop.db_path).get("outbox_seq", 0)
        events = self.shop.cloud.events()
        seqs = Counter(event["seq"] for event in events)
        ids = Counter(event["id"] for event in events)
        missing = sum(1 for seq in range(1, head + 1) if seq not in seqs)
        return missing + sum(n - 1 for n in ids.values() if n > 1)


def run(workdir: Path, scale: float, seed: int) -> Figures:
    figures = Campaign(workdir / "kills", scaled(KILLS, scale, minimum=10), seed).run()
    why_not = unavailable()
    if why_not is not None:
        figures.add("lazyfs_kills", 0)
        figures.note(f"the LazyFS slice did not run: {why_not}")
        return figures
    lazyfs = LazyFs(workdir / "lazyfs").start()
    try:
        kills = scaled(LAZYFS_KILLS, scale, minimum=3)
        slice_ = Campaign(workdir / "on-lazyfs", kills, seed + 100, lazyfs).run()
    finally:
        lazyfs.stop()
    for name, value in slice_.values.items():
        figures.add(f"lazyfs_{name}", value, at_most=slice_.limits.get(name))
    figures.add("lazyfs_cache_clears", lazyfs.clears)
    for text in slice_.notes:
        figures.note(f"lazyfs: {text}")
    return figures
