"""Fiscal fault campaign at scale (issue 4): BENCH_FISCAL_RECEIPTS receipt jobs (default 3000), a
random fault from the simulator's list (or none) before each, random restarts of the gateway side,
the job loop reconciling (pending answer, mode, FN last FD, FF0A) before any resend. Doubles and
losses are counted from the register simulator's archive, not from the job journal.

Prints:
  BENCH fiscal_fault_receipts <n> receipts
  BENCH fiscal_double_receipts <n> receipts
  BENCH fiscal_lost_receipts <n> receipts
  BENCH fiscal_receipts_per_s <x>
Exits 1 if any receipt is doubled, lost, stray, not done, or its FD/FP differs from the archive.

Environment: BENCH_FISCAL_RECEIPTS (3000), BENCH_FISCAL_SEED (1), BENCH_FISCAL_PERSIST (0: the FN
archive in memory; 1: the simulator rewrites its JSON archive after every document, which is
quadratic in the receipt count)."""

import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fiscal_campaign

from tests.fiscal_campaign import run_campaign  # noqa: E402


def main() -> int:
    logging.getLogger("drivers.fiscal").setLevel(logging.ERROR)  # faults are the point here
    receipts = int(os.environ.get("BENCH_FISCAL_RECEIPTS", "3000"))
    seed = int(os.environ.get("BENCH_FISCAL_SEED", "1"))
    persist = os.environ.get("BENCH_FISCAL_PERSIST", "0") == "1"
    with tempfile.TemporaryDirectory(prefix="bench-fiscal-") as workdir:
        outcome = run_campaign(
            Path(workdir), receipts, seed, trust_driver_errors=False, persist_archive=persist
        )
    print(outcome.summary())
    print(f"BENCH fiscal_fault_receipts {receipts} receipts")
    print(f"BENCH fiscal_double_receipts {outcome.doubles} receipts")
    print(f"BENCH fiscal_lost_receipts {outcome.lost} receipts")
    print(f"BENCH fiscal_receipts_per_s {receipts / outcome.seconds:.1f}")
    if not outcome.ok:
        print(f"FAIL: seed {seed}: {outcome.summary()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
