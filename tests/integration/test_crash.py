"""Crash atomicity (RELIABILITY.md R1): a process applying commands is killed with SIGKILL at
random moments and restarted, resending a few commands it had already been acknowledged for.
After every kill: every acknowledged command is in the database, the invariants hold, the
outbox sequence has no gap and the file passes integrity_check. At the end, every command took
effect exactly once and stock is conserved."""

import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from tests.workers.crash import command

ROOT = Path(__file__).resolve().parents[2]
KILLS = 24
ENDLESS = 10**9  # killed runs never reach the end of their stream


def run_worker(db_path: Path, first: int, last: int, kill_after: float | None) -> list:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.workers.crash", str(db_path), str(first), str(last)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    if kill_after is None:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0
    else:
        # Timed from the first ack, not from the start: a loaded machine may take longer to
        # start Python than to apply commands, and a kill before any would test nothing.
        out = process.stdout.readline()
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
        out += process.communicate(timeout=60)[0]
    acks = []
    for line in out.splitlines():
        words = line.split()
        if len(words) == 3:  # a kill can cut the last line short: it was never an ack
            acks.append((int(words[1]), words[2]))
    return acks


def assert_present(conn, index: int) -> None:
    fn, args, kwargs = command(index)
    if "idem_key" in kwargs:
        key = kwargs["idem_key"]
        found = conn.execute("SELECT 1 FROM command_log WHERE idem_key = ?", (key,)).fetchone()
        assert found, f"acknowledged command {index} ({key}) is missing"
    else:
        order_id = args[0]["order_id"]
        found = conn.execute("SELECT 1 FROM customer_order WHERE id = ?", (order_id,)).fetchone()
        assert found, f"acknowledged order {order_id} is missing"


def check_database(db_path: Path, acked: set[int]) -> None:
    database = Database(db_path)  # recovery happens here, as at a real restart
    with closing(database.reader()) as conn:
        assert check_invariants(conn) == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for index in acked:
            assert_present(conn, index)
    database.close()


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path):
    db_path = tmp_path / "g.db"
    rng = random.Random(20261127)
    acked: set[int] = set()
    next_index = 0
    for _ in range(KILLS):
        resend_from = max(0, next_index - rng.randint(0, 3))  # a client retrying after a crash
        acks = run_worker(db_path, resend_from, ENDLESS, kill_after=rng.uniform(0.0, 0.9))
        acked |= {index for index, outcome in acks if outcome == "ok"}
        if acks:
            next_index = acks[-1][0] + 1
        check_database(db_path, acked)

    end = next_index + 20
    run_worker(db_path, max(0, next_index - 3), end, kill_after=None)  # a clean finish
    check_database(db_path, acked)
    kinds = [index % 5 for index in range(end)]
    with closing(Database(db_path).reader()) as conn:
        one = conn.execute
        adjustments = one("SELECT COUNT(*) FROM command_log WHERE action = 'stock'").fetchone()[0]
        adjusted = one("SELECT COUNT(*) FROM outbox WHERE type = 'stock.adjusted'").fetchone()[0]
        ships = one("SELECT COUNT(*) FROM command_log WHERE action = 'ship'").fetchone()[0]
        shipments = one("SELECT COUNT(*) FROM shipment").fetchone()[0]
        assert adjustments == adjusted == kinds.count(0)  # every delivery applied exactly once
        assert ships == shipments
        received = 3 * adjustments
        shipped = one("SELECT COALESCE(SUM(qty), 0) FROM shipment_line").fetchone()[0]
        on_hand = one("SELECT SUM(on_hand) FROM stock_level").fetchone()[0]
        assert on_hand == received - shipped
        orders = one("SELECT COUNT(*) FROM customer_order").fetchone()[0]
        assert orders == kinds.count(1) + kinds.count(3)
