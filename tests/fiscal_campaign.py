"""The fiscal fault campaign at the gateway level (issue 4; FISCAL.md 5.3, 5.4), shared by
``tests/reliability/fiscal.py`` (``make reliability``, short version in
``tests/integration/test_reliability_fiscal.py``) and ``bench/bench_fiscal.py``.

The real gateway (``storegw run --config``) drives the register simulator on a pty. Its database
holds ``jobs`` durable receipt jobs, one sku each at a unique price: counter sales, and (issue 11)
prepayments paid on the site (electronic only, not printed: 1214 = 1, 1125, 1187, 1008, card)
and the handovers that offset a prepayment (1214 = 4, paid by 1215). While the gateway prints
them, this harness
- injects one fault from the simulator's list (or none) for each receipt, aimed at one of the
  commands a sale sends; a fault its receipt never met is cleared before the next one;
- plays the shop assistant: when the paper runs out it loads a new roll a moment later;
- restarts the gateway side at random points: SIGKILL at a random moment while a receipt is on
  its way, then a new process on the same database.

The verdict is counted from the SIMULATOR'S ARCHIVE (the fiscal drive), not from the gateway's
records: every job must match exactly one receipt document there (by its item name and total),
of its kind (a prepayment: 1214 = 1, Internet, not printed; an offset: 1215 = the total), and
every job must end ``done`` in the database with that document's FD and FP.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.fiscal_register.faults import DEFAULT_TARGETS
from tests.fiscal_campaign_jobs import SITE, job_kind, of_its_kind, prepare_database
from tests.gateway_process import GatewayDown, GatewayProcess
from tests.loopback import free_port

DROP_LOSING_ANSWER = "drop_after_execute_lost"  # drop_after_execute with keep_answer=False
FAULTS: tuple[str, ...] = (*DEFAULT_TARGETS, DROP_LOSING_ANSWER, "none")
# Commands one receipt sends: FF01 before, 1E «не печатать» (an electronic one, or after one),
# 8D open, FF0C cashier and web tags, FF46 item, FF45 close, FF40 after.
SALE_COMMANDS = (0xFF01, 0x1E, 0x8D, 0xFF0C, 0xFF46, 0xFF45, 0xFF40)
PAPER_DELAY = 0.05  # the assistant notices the paper is out and loads a roll
NO_PROGRESS_LIMIT = 60.0  # seconds without a new receipt: the gateway is stuck, the test fails


class CampaignError(AssertionError):
    pass


@dataclass
class Outcome:
    seed: int
    jobs: int
    seconds: float = 0.0
    doubles: int = 0
    lost: int = 0
    strays: int = 0
    not_done: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    faults: Counter = field(default_factory=Counter)
    restarts: int = 0
    paper_loaded: int = 0
    attempts: int = 0  # sends by the gateway, over all jobs (more than jobs: faults, restarts)
    kinds: Counter = field(default_factory=Counter)  # jobs by kind: counter, prepayment, offset

    @property
    def ok(self) -> bool:
        return not (self.doubles or self.lost or self.strays or self.not_done or self.mismatched)

    def summary(self) -> str:
        return (
            f"seed={self.seed} jobs={self.jobs} doubles={self.doubles} lost={self.lost} "
            f"strays={self.strays} not_done={self.not_done[:5]} mismatched={self.mismatched[:5]} "
            f"restarts={self.restarts} paper_loaded={self.paper_loaded} attempts={self.attempts} "
            f"kinds={dict(self.kinds)} faults={dict(self.faults)} seconds={self.seconds:.1f}"
        )


def write_config(workdir: Path, port: str, web_port: int) -> Path:
    config = workdir / "gateway.toml"
    config.write_text(
        f"""
[store]
id = "campaign"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"   # nobody listens: the shop's internet is down
[database]
path = "{workdir / "gateway.db"}"
[web]
listen = "127.0.0.1:{web_port}"
[fiscal]
port = "{port}"
poll = 0.2
site = "{SITE}"
# A pty answers in milliseconds; the faults still outlast these.
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
""",
        encoding="utf-8",
    )
    return config


class Campaign:
    def __init__(
        self,
        workdir: Path,
        jobs: int,
        seed: int,
        *,
        restart_probability: float = 0.05,
        faults: tuple[str, ...] = FAULTS,
    ):
        self.workdir = Path(workdir)
        self.faults = faults
        self.rng = random.Random(seed)
        self.n_jobs = jobs
        self.restart_probability = restart_probability
        self.simulator = FiscalRegisterSimulator(archive_path=None)
        self.stats = Outcome(seed, jobs)
        self.stats.kinds.update(job_kind(i) for i in range(jobs))
        self.log = (self.workdir / "gateway.log").open("ab")

    def run(self) -> Outcome:
        started = time.monotonic()
        prepare_database(self.workdir / "gateway.db", self.n_jobs)
        self.web_port = free_port()
        self.config = write_config(self.workdir, self.simulator.start(), self.web_port)
        self.gateway = GatewayProcess(self.config, self.log, self.web_port)
        try:
            self.start_gateway()
            self.drive()
            self.stop_gateway()
            self.verify()
        finally:
            if self.gateway.alive():
                self.gateway.kill()
            self.simulator.stop()
            self.log.close()
        self.stats.seconds = time.monotonic() - started
        return self.stats

    # the gateway process ---------------------------------------------------------------------
    def start_gateway(self) -> None:
        self.gateway.start()

    def kill_gateway(self) -> None:
        self.gateway.kill()
        self.stats.restarts += 1

    def stop_gateway(self) -> None:
        """SIGTERM once it is up: one still importing would die of the signal's default action
        (which systemd also counts as a clean stop, but this harness checks the exit code)."""
        try:
            self.gateway.wait_ready(30)
        except GatewayDown as exc:
            raise CampaignError(str(exc)) from exc
        code = self.gateway.stop()
        if code is None:
            raise CampaignError("the gateway did not stop on SIGTERM")
        if code != 0:
            raise CampaignError(f"the gateway exited with {code}: see {self.log.name}")

    # the shop floor --------------------------------------------------------------------------
    def drive(self) -> None:
        """One fault per receipt; staff loads paper; random SIGKILLs; until every job is done."""
        fiscalised = self.simulator.document_count
        self.inject_fault()
        kill_at: float | None = None
        last_progress = next_look = time.monotonic()
        while True:
            if not self.gateway.alive():
                raise CampaignError(f"the gateway died on its own: see {self.log.name}")
            if not self.simulator.paper_present:
                time.sleep(PAPER_DELAY)
                self.simulator.load_paper()
                self.stats.paper_loaded += 1
            now = time.monotonic()
            if now >= next_look:  # the last receipt's job is marked done just after its document
                next_look = now + 0.25
                if self.jobs_left() == 0:
                    return
            count = self.simulator.document_count
            if count != fiscalised:
                fiscalised, last_progress = count, now
                self.inject_fault()
                if kill_at is None and self.rng.random() < self.restart_probability:
                    kill_at = time.monotonic() + self.rng.uniform(0.0, 0.15)
            if kill_at is not None and time.monotonic() >= kill_at:
                kill_at = None
                self.kill_gateway()
                self.start_gateway()
            if time.monotonic() - last_progress > NO_PROGRESS_LIMIT:
                raise CampaignError(f"no receipt for {NO_PROGRESS_LIMIT:.0f} s: {self.states()}")
            time.sleep(0.005)

    def inject_fault(self) -> None:
        self.simulator.clear_faults()  # a fault its receipt never met does not linger
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

    # the gateway's records (read-only, beside the running process) -------------------------
    def read(self, query: str) -> list[tuple]:
        uri = f"file:{self.workdir / 'gateway.db'}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
            return conn.execute(query).fetchall()

    def jobs_left(self) -> int:
        return self.read("SELECT count(*) FROM receipt_job WHERE state != 'done'")[0][0]

    def states(self) -> dict:
        return dict(self.read("SELECT state, count(*) FROM receipt_job GROUP BY state"))

    # the verdict, from the simulator's archive -------------------------------------------------
    def verify(self) -> None:
        jobs = {
            name: (state, fd, fp, total, (kind, prepaid))
            for name, state, fd, fp, total, kind, prepaid in self.read(
                "SELECT json_extract(draft_json, '$.items[0].name'), state, fd, fp, total,"
                " receipt_kind, prepaid FROM receipt_job"
            )
        }
        self.stats.attempts = self.read("SELECT sum(attempts) FROM receipt_job")[0][0] or 0
        found: dict[str, list[dict]] = {name: [] for name in jobs}
        for doc in self.simulator.receipts:
            names = [item["name"] for item in doc["items"]]
            job = jobs.get(names[0]) if len(names) == 1 else None
            if job is None or doc["total"] != job[3] or doc["op_type"] != 1:
                self.stats.strays += 1
                continue
            found[names[0]].append(doc)
            if not of_its_kind(doc, *job[4]):
                self.stats.mismatched.append(f"{names[0]}: not a {job[4]} receipt")
        stats = self.stats
        stats.doubles = sum(len(docs) - 1 for docs in found.values() if len(docs) > 1)
        stats.lost = sum(1 for docs in found.values() if not docs)
        for name, (state, fd, fp, _, _) in jobs.items():
            if state != "done" or fd is None or fp is None:
                stats.not_done.append(name)
            elif len(found[name]) == 1 and (found[name][0]["fd"], found[name][0]["fp"]) != (fd, fp):
                stats.mismatched.append(name)


def run_campaign(workdir: Path, jobs: int, seed: int, **options) -> Outcome:
    return Campaign(workdir, jobs, seed, **options).run()
