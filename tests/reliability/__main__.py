"""python -m tests.reliability [campaign ...]: run the campaigns (all by default) and print
their `RELIABILITY` lines; exit 1 when a promise is broken.

The fiscal campaign mostly waits on the register's timeouts, so it runs in a second process
beside the others: the whole run stays under 30 minutes on two cores.
Environment: RELIABILITY_SCALE (1; 0.1 for a short run), RELIABILITY_SEED (1)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.figures import Figures, scale_from_env

CAMPAIGNS = ("power", "network", "bad_input", "security", "trading_day", "fiscal")
BESIDE = "fiscal"  # run in its own process, alongside the rest
ROOT = Path(__file__).resolve().parents[2]


def run_one(name: str, scale: float, seed: int) -> Figures:
    module = importlib.import_module(f"tests.reliability.{name}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"reliability-{name}-") as workdir:
        figures = module.run(Path(workdir), scale, seed)
    figures.add("seconds", round(time.monotonic() - started, 1))
    return figures


def print_figures(figures: Figures) -> None:
    print(figures.report(), flush=True)


def main(argv: list[str]) -> int:
    names = argv or list(CAMPAIGNS)
    unknown = [name for name in names if name not in CAMPAIGNS]
    if unknown:
        choices = ", ".join(CAMPAIGNS)
        print(f"unknown campaign {unknown[0]!r}; choose from {choices}", file=sys.stderr)
        return 2
    scale, seed = scale_from_env(), int(os.environ.get("RELIABILITY_SEED", "1"))
    print(f"reliability: scale={scale} seed={seed} campaigns={' '.join(names)}", flush=True)
    beside = None
    if BESIDE in names and len(names) > 1:
        names.remove(BESIDE)
        beside = subprocess.Popen([sys.executable, "-m", "tests.reliability", BESIDE], cwd=ROOT)
    failed = False
    for name in names:
        figures = run_one(name, scale, seed)
        print_figures(figures)
        failed |= not figures.ok
    if beside is not None:
        failed |= beside.wait() != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
