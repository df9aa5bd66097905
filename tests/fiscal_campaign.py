"""The fiscal fault campaign, shared by ``tests/integration/test_fiscal_fault_campaign.py`` and
``bench/bench_fiscal.py`` (issue 4, "How it is checked"; FISCAL.md 5.3 and 5.4).

A small job loop stands in for the gateway's future fiscal service: receipt jobs with an id and a
state (``new`` -> ``sending`` -> ``done``), journalled to a JSON-lines file before anything is sent,
so a "restart of the gateway side" (the ``ShtrihM`` object dropped, its port closed, a new one made,
the journal reloaded) can resume. Before each receipt one fault from the simulator's list (or
"none") is injected, aimed at one of the commands a sale sends. A job whose outcome is unknown
(``AnswerLost``, a link error, a crash mid-job) is reconciled against the register -- pending
answer on ENQ, mode, FN last FD, FF0A lookup: the driver's ``reconcile_close`` -- before any resend.

The verdict is counted from the SIMULATOR'S ARCHIVE: every job's item name carries its id and its
price is unique, so each job must match exactly one fiscal receipt document there.

``trust_driver_errors``: the driver documents that an error answer (anything but ``AnswerLost`` /
``LinkError``) means "the drive signed nothing", so a service may resend after healing. With
``False`` the loop reconciles after every failure of ``sell`` (the defensive service).
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from drivers.fiscal import Cashier, Item, Payments, Receipt, ShtrihM
from drivers.fiscal import shtrih as shtrih_module
from drivers.fiscal.commands import SALE
from drivers.fiscal.errors import (
    AnswerLost,
    FiscalError,
    LinkError,
    ReceiptNotFiscalised,
)
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.register import (
    SUBMODE_PAPER_OUT,
    SUBMODE_PAPER_OUT_WHILE_PRINTING,
    SUBMODE_WAITING_CONTINUE_PRINT,
)
from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.fiscal_register.faults import DEFAULT_TARGETS

DROP_LOSING_ANSWER = "drop_after_execute_lost"  # drop_after_execute with keep_answer=False
FAULTS: tuple[str, ...] = (*DEFAULT_TARGETS, DROP_LOSING_ANSWER, "none")
# Commands one sale sends (FF01 before, 8D open, FF0C buyer + cashier, FF46 item, FF45, FF40).
SALE_COMMANDS = (0xFF01, 0x8D, 0xFF0C, 0xFF46, 0xFF45, 0xFF40)
CRASH_POINTS = ("between_jobs", "before_send", "mid_receipt", "after_error", "after_sell")
CASHIER = Cashier("Анна Петрова")
MAX_ATTEMPTS = 40

# Small link timeouts: a pty answers in milliseconds; the faults still outlast them.
LINK_SETTINGS = LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01)


class CampaignError(AssertionError):
    pass


class Crash(Exception):
    """The gateway side "crashed": the job loop is abandoned where it stands."""


@dataclass
class Outcome:
    seed: int
    jobs: int
    seconds: float
    doubles: int
    lost: int
    strays: int
    not_done: list[str]
    mismatched: list[str]
    faults: Counter = field(default_factory=Counter)
    restarts: int = 0
    reconciled: int = 0
    resent: int = 0
    driver_errors: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not (self.doubles or self.lost or self.strays or self.not_done or self.mismatched)

    def summary(self) -> str:
        return (
            f"seed={self.seed} jobs={self.jobs} doubles={self.doubles} lost={self.lost} "
            f"strays={self.strays} not_done={self.not_done[:5]} mismatched={self.mismatched[:5]} "
            f"restarts={self.restarts} reconciled={self.reconciled} resent={self.resent} "
            f"faults={dict(self.faults)} driver_errors={dict(self.driver_errors)} "
            f"seconds={self.seconds:.1f}"
        )


# --- the durable job list ------------------------------------------------------------------------


class JobJournal:
    """Jobs as JSON lines, appended on every change; the last line per id wins on reload."""

    def __init__(self, path: Path):
        self.path = path

    def create(self, jobs: list[dict]) -> None:
        with self.path.open("w", encoding="utf-8") as f:
            for job in jobs:
                f.write(json.dumps(job) + "\n")

    def save(self, job: dict) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(job) + "\n")

    def load(self) -> list[dict]:
        jobs: dict[str, dict] = {}
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                job = json.loads(line)
                jobs[job["id"]] = job
        return list(jobs.values())


def job_receipt(job: dict) -> Receipt:
    item = Item(f"Товар {job['id']}", job["price"], 1000, "vat22")
    return Receipt((item,), Payments(card=job["price"]), f"b{job['id']}@example.ru", CASHIER)


# --- the campaign --------------------------------------------------------------------------------


class Campaign:
    def __init__(
        self,
        workdir: Path,
        jobs: int,
        seed: int,
        *,
        restart_probability: float = 0.05,
        trust_driver_errors: bool = True,
        faults: tuple[str, ...] = FAULTS,
        persist_archive: bool = True,
    ):
        self.workdir = Path(workdir)
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_jobs = jobs
        self.restart_probability = restart_probability
        self.trust_driver_errors = trust_driver_errors
        self.faults = faults
        archive = self.workdir / "fn_archive.json" if persist_archive else None
        self.simulator = FiscalRegisterSimulator(archive_path=archive)
        self.journal = JobJournal(self.workdir / "jobs.jsonl")
        self.driver: ShtrihM | None = None
        self.port_url: str | None = None
        self.stats = Outcome(seed, jobs, 0.0, 0, 0, 0, [], [])
        self.injected: set[str] = set()  # the harness's memory, not the service's

    # lifecycle ---------------------------------------------------------------------------------
    def run(self) -> Outcome:
        started = time.monotonic()
        saved_pause = shtrih_module.PRINTING_RETRY_PAUSE
        shtrih_module.PRINTING_RETRY_PAUSE = 0.01  # 50h retries: the simulator is never slow
        self.port_url = self.simulator.start()
        try:
            self.journal.create(
                [
                    # unique price per job: 100.00 + index kopecks
                    {"id": f"J{i:05d}", "price": 10000 + i, "state": "new"}
                    for i in range(self.n_jobs)
                ]
            )
            self.connect()
            self.driver.open_shift(CASHIER)
            self.process_all()
            self.verify()
        finally:
            shtrih_module.PRINTING_RETRY_PAUSE = saved_pause
            if self.driver is not None:
                self.driver.close()
            self.simulator.stop()
        self.stats.seconds = time.monotonic() - started
        return self.stats

    def connect(self) -> None:
        self.driver = ShtrihM(self.port_url, settings=LINK_SETTINGS)

    def restart(self) -> list[dict]:
        """Drop the driver (its port closed), make a new one, reload the journal."""
        self.stats.restarts += 1
        self.driver.close()
        self.connect()
        return self.journal.load()

    def process_all(self) -> None:
        jobs = self.journal.load()
        index = 0
        while index < len(jobs):
            job = jobs[index]
            if job["state"] == "done":
                index += 1
                continue
            crash_at = None
            if self.rng.random() < self.restart_probability:
                crash_at = self.rng.choice(CRASH_POINTS)
            if job["id"] not in self.injected:
                self.injected.add(job["id"])
                self.inject_fault(job)
            try:
                if crash_at == "between_jobs":
                    raise Crash
                self.run_job(job, crash_at)
                self.simulator.faults.clear()  # a fault its job never met does not linger
                index += 1
            except Crash:
                jobs = self.restart()
                # Resume: every job whose outcome is unknown is reconciled before anything else.
                for other in jobs:
                    if other["state"] == "sending":
                        self.run_job(other, None)

    def inject_fault(self, job: dict) -> None:
        name = self.rng.choice(self.faults)
        self.stats.faults[name] += 1
        if name == "none":
            return
        params: dict = {}
        if name == DROP_LOSING_ANSWER:
            name, params = "drop_after_execute", {"keep_answer": False}
        elif name == "busy":
            params["count"] = self.rng.randint(1, 3)
        elif name == "slow_answer":
            params["seconds"] = self.rng.choice((0.02, 0.1, 0.5))  # 0.5 s outlasts every timeout
        if DEFAULT_TARGETS.get(name, ()) is None:  # any command: aim it at one the sale sends
            params["command"] = self.rng.choice(SALE_COMMANDS)
        self.simulator.inject(name, **params)

    # the job loop (what the fiscal service will do) ---------------------------------------------
    def run_job(self, job: dict, crash_at: str | None) -> None:
        for _ in range(MAX_ATTEMPTS):
            if job["state"] == "done":
                return
            try:
                if job["state"] == "sending":
                    self.reconcile(job)
                    continue
                self.heal_printer()
                job["saved_fd"] = self.driver.fn_status().last_fd
                job["state"] = "sending"  # durable BEFORE the first byte of the receipt
                self.journal.save(job)
                if crash_at == "before_send":
                    raise Crash
                if crash_at == "mid_receipt":
                    self.driver._open_receipt(SALE)  # half a receipt, then the crash
                    self.driver._add_item(job_receipt(job).items[0], SALE)
                    raise Crash
                try:
                    result = self.driver.sell(job_receipt(job))
                except FiscalError as exc:
                    self.stats.driver_errors[type(exc).__name__] += 1
                    if crash_at == "after_error":
                        raise Crash from exc
                    if isinstance(exc, (AnswerLost, LinkError)) or not self.trust_driver_errors:
                        continue  # outcome unknown: reconciled on the next pass
                    # The driver says the drive signed nothing: heal and send again.
                    self.set_state(job, "new")
                    self.stats.resent += 1
                    continue
                if crash_at == "after_sell":
                    raise Crash  # the result never reached the journal
                self.finish(job, result.fd, result.fp)
            except FiscalError as exc:  # a status/heal/reconcile step failed: try again
                self.stats.driver_errors[f"loop:{type(exc).__name__}"] += 1
                time.sleep(0.01)
        raise CampaignError(f"job {job['id']} not done after {MAX_ATTEMPTS} attempts: {job}")

    def set_state(self, job: dict, state: str) -> None:
        job["state"] = state
        self.journal.save(job)

    def finish(self, job: dict, fd: int, fp: int) -> None:
        job.update(state="done", fd=fd, fp=fp)
        self.journal.save(job)

    def heal_printer(self) -> None:
        """Staff loads paper; a receipt fiscalised but not fully printed is finished with B0h."""
        status = self.driver.status()
        if status.submode in (SUBMODE_PAPER_OUT, SUBMODE_PAPER_OUT_WHILE_PRINTING):
            self.simulator.load_paper()
            status = self.driver.status()
        if status.submode == SUBMODE_WAITING_CONTINUE_PRINT:
            self.driver.continue_print()

    def reconcile(self, job: dict) -> None:
        """FISCAL.md 5.4, before any resend: pending answer, mode, FN last FD, FF0A lookup."""
        self.stats.reconciled += 1
        self.heal_printer()
        saved, price = job["saved_fd"], job["price"]
        try:
            found = self.driver.reconcile_close(saved, price, SALE)
        except ReceiptNotFiscalised:
            self.set_state(job, "new")
            self.stats.resent += 1
            return
        if found is None:  # mode 8: FF45 never executed; nothing was signed for this job
            self.driver.cancel_receipt()
            self.set_state(job, "new")
            self.stats.resent += 1
            return
        if found.fd != saved + 1:
            raise CampaignError(f"job {job['id']}: reconciled FD {found.fd}, expected {saved + 1}")
        self.finish(job, found.fd, found.fp)

    # the verdict, from the simulator's archive -------------------------------------------------
    def verify(self) -> None:
        jobs = {job["id"]: job for job in self.journal.load()}
        by_job: dict[str, list[dict]] = {job_id: [] for job_id in jobs}
        strays = 0
        for doc in self.simulator.receipts:
            names = [item["name"] for item in doc["items"]]
            job_id = names[0].removeprefix("Товар ") if len(names) == 1 else None
            job = jobs.get(job_id)
            if job is None or doc["total"] != job["price"] or doc["op_type"] != SALE:
                strays += 1
                continue
            by_job[job_id].append(doc)
        stats = self.stats
        stats.strays = strays
        stats.doubles = sum(len(docs) - 1 for docs in by_job.values() if len(docs) > 1)
        stats.lost = sum(1 for docs in by_job.values() if not docs)
        for job_id, job in jobs.items():
            if job["state"] != "done" or job.get("fd") is None or job.get("fp") is None:
                stats.not_done.append(job_id)
            elif len(by_job[job_id]) == 1:
                [doc] = by_job[job_id]
                if (doc["fd"], doc["fp"]) != (job["fd"], job["fp"]):
                    stats.mismatched.append(job_id)


def run_campaign(workdir: Path, jobs: int, seed: int, **options) -> Outcome:
    return Campaign(workdir, jobs, seed, **options).run()
