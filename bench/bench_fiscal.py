"""Fiscal fault campaign at scale (issue 4): the real gateway (`storegw run`) prints
BENCH_FISCAL_RECEIPTS receipt jobs (default 3000) on the register simulator, a random fault from the
simulator's list (or none) before each receipt, SIGKILL restarts of the gateway at random points.
The jobs are counter sales, prepayments paid on the site (electronic only: 1Eh «не печатать»,
1125, 1187, 1008, 1214 = 1) and handovers offsetting them (1215, FF45h sum 14): 3 : 1 : 1.
Doubles and losses are counted from the simulator's archive, not from the gateway's records.

Baselines, same run: the driver alone printing receipts on the same simulator with no faults and
no database (the wire's own speed), and the same gateway with no faults and no restarts, so the
ratios say what the durable jobs cost and what the faults cost.

Prints:
  BENCH fiscal_fault_receipts <n> receipts
  BENCH fiscal_double_receipts <n> receipts
  BENCH fiscal_lost_receipts <n> receipts
  BENCH fiscal_gateway_restarts <n> restarts
  BENCH fiscal_receipts_per_s <x> receipts/s        (the campaign, faults and restarts included)
  BENCH fiscal_raw_receipts_per_s <x> receipts/s    (baseline: driver only, no faults)
  BENCH fiscal_clean_receipts_per_s <x> receipts/s  (the gateway, no faults, no restarts)
  BENCH fiscal_clean_vs_raw_ratio <x> ratio         (what durable jobs + reconciliation cost)
  BENCH fiscal_campaign_ratio <x> ratio             (campaign over clean: what the faults cost)
Exits 1 if any receipt is doubled, lost, stray, not done, or its FD/FP differs from the archive.

Environment: BENCH_FISCAL_RECEIPTS (3000), BENCH_FISCAL_SEED (1), BENCH_FISCAL_RESTARTS (0.02:
the chance of a SIGKILL after each receipt)."""

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fiscal_campaign

from drivers.fiscal import Cashier, Item, Payments, Receipt, ShtrihM  # noqa: E402
from drivers.fiscal.link import LinkSettings  # noqa: E402
from simulators.fiscal_register import FiscalRegisterSimulator  # noqa: E402
from tests.fiscal_campaign import run_campaign  # noqa: E402

BASELINE_RECEIPTS = 300


def raw_receipts_per_s(count: int) -> float:
    simulator = FiscalRegisterSimulator(archive_path=None)
    driver = ShtrihM(
        simulator.start(),
        settings=LinkSettings(control_timeout=0.08, byte_timeout=0.1, timeout_scale=0.01),
    )
    cashier = Cashier("Анна Петрова")
    try:
        driver.open_shift(cashier)
        started = time.perf_counter()
        for i in range(count):
            item = Item(f"Товар {i}", 10_000 + i, 1000, "vat22")
            driver.sell(Receipt((item,), Payments(card=10_000 + i), None, cashier))
        return count / (time.perf_counter() - started)
    finally:
        driver.close()
        simulator.stop()


def main() -> int:
    logging.getLogger("drivers.fiscal").setLevel(logging.ERROR)
    receipts = int(os.environ.get("BENCH_FISCAL_RECEIPTS", "3000"))
    seed = int(os.environ.get("BENCH_FISCAL_SEED", "1"))
    restarts = float(os.environ.get("BENCH_FISCAL_RESTARTS", "0.02"))
    raw = raw_receipts_per_s(BASELINE_RECEIPTS)
    with tempfile.TemporaryDirectory(prefix="bench-fiscal-clean-") as workdir:
        clean = run_campaign(
            Path(workdir), BASELINE_RECEIPTS, seed, restart_probability=0, faults=("none",)
        )
    clean_rate = BASELINE_RECEIPTS / clean.seconds
    with tempfile.TemporaryDirectory(prefix="bench-fiscal-") as workdir:
        outcome = run_campaign(Path(workdir), receipts, seed, restart_probability=restarts)
    rate = receipts / outcome.seconds
    print(outcome.summary())
    print(f"BENCH fiscal_fault_receipts {receipts} receipts")
    print(f"BENCH fiscal_double_receipts {outcome.doubles} receipts")
    print(f"BENCH fiscal_lost_receipts {outcome.lost} receipts")
    print(f"BENCH fiscal_gateway_restarts {outcome.restarts} restarts")
    print(f"BENCH fiscal_receipts_per_s {rate:.1f} receipts/s")
    print(f"BENCH fiscal_raw_receipts_per_s {raw:.1f} receipts/s")
    print(f"BENCH fiscal_clean_receipts_per_s {clean_rate:.1f} receipts/s")
    print(f"BENCH fiscal_clean_vs_raw_ratio {clean_rate / raw:.2f} ratio")
    print(f"BENCH fiscal_campaign_ratio {rate / clean_rate:.2f} ratio")
    for run in (clean, outcome):
        if not run.ok:
            print(f"FAIL: seed {seed}: {run.summary()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
