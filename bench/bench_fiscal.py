"""Fiscal speed: what durable receipt jobs cost over the wire's own speed. The real gateway
(`storegw run`) prints BASELINE_RECEIPTS receipt jobs on the register simulator with no faults
and no restarts, against the driver alone printing the same number on the same simulator with no
database. The fault campaign (3 000 receipts, faults and SIGKILLs, doubles and losses counted from
the simulator's archive) is in `make reliability` (tests/reliability/fiscal.py).

Prints:
  BENCH fiscal_raw_receipts_per_s <x> receipts/s    (baseline: driver only, no faults)
  BENCH fiscal_clean_receipts_per_s <x> receipts/s  (the gateway, no faults, no restarts)
  BENCH fiscal_clean_vs_raw_ratio <x> ratio         (what durable jobs + reconciliation cost)
Exits 1 if any receipt is doubled, lost, stray, not done, or its FD/FP differs from the archive.

Environment: BENCH_FISCAL_SEED (1)."""

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
    seed = int(os.environ.get("BENCH_FISCAL_SEED", "1"))
    raw = raw_receipts_per_s(BASELINE_RECEIPTS)
    with tempfile.TemporaryDirectory(prefix="bench-fiscal-clean-") as workdir:
        clean = run_campaign(
            Path(workdir), BASELINE_RECEIPTS, seed, restart_probability=0, faults=("none",)
        )
    clean_rate = BASELINE_RECEIPTS / clean.seconds
    print(f"BENCH fiscal_raw_receipts_per_s {raw:.1f} receipts/s")
    print(f"BENCH fiscal_clean_receipts_per_s {clean_rate:.1f} receipts/s")
    print(f"BENCH fiscal_clean_vs_raw_ratio {clean_rate / raw:.2f} ratio")
    if not clean.ok:
        print(f"FAIL: seed {seed}: {clean.summary()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
