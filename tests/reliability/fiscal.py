"""Fiscal campaign (issue 13 part 3): the fault matrix of tests/fiscal_campaign.py at 3 000
receipts with SIGKILLs of the gateway mixed in. Doubles and losses are counted from the
register simulator's archive (the fiscal drive), not from the gateway's records."""

from __future__ import annotations

from pathlib import Path

from tests.fiscal_campaign import run_campaign
from tests.reliability.figures import Figures, scaled

RECEIPTS = 3000
KILL_CHANCE = 0.02  # after each receipt: about 60 SIGKILLs in a full run


def run(workdir: Path, scale: float, seed: int) -> Figures:
    receipts = scaled(RECEIPTS, scale, minimum=30)
    outcome = run_campaign(workdir, receipts, seed, restart_probability=KILL_CHANCE)
    figures = Figures("fiscal")
    figures.add("receipts", receipts)
    figures.add("gateway_kills", outcome.restarts)
    figures.add("faults_injected", sum(n for f, n in outcome.faults.items() if f != "none"))
    figures.add("paper_rolls_loaded", outcome.paper_loaded)
    figures.add("sends", outcome.attempts)
    figures.zero("doubled", outcome.doubles)
    figures.zero("lost", outcome.lost)
    figures.zero("strays", outcome.strays)
    figures.zero("jobs_not_done", len(outcome.not_done))
    figures.zero("fd_fp_mismatched", len(outcome.mismatched))
    figures.add("receipts_per_s", receipts / outcome.seconds)
    if not outcome.ok:
        figures.note(outcome.summary())
    return figures
