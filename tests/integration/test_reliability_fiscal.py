"""The fiscal campaign's short version (issue 13 part 3; issue 4): the real gateway prints 150
receipt jobs on the register simulator with a random fault before each receipt and SIGKILLs at
random points (`tests/reliability/fiscal.py`, `tests/fiscal_campaign.py`). Counted from the
simulator's archive: every job has exactly one fiscal receipt of its kind, none is lost, and every
job ends done with that receipt's FD and FP.

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import fiscal

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_fault_campaign_with_gateway_kills_never_doubles_or_loses_a_receipt(tmp_path):
    figures = fiscal.run(tmp_path, scale=0.05, seed=SEED)  # `make reliability`: 3 000
    print(figures.report())
    assert figures.ok, figures.report()
    # The campaign proves something only if the bad things happened.
    values = figures.values
    assert values["receipts"] == 150
    assert values["gateway_kills"] > 0 and values["paper_rolls_loaded"] > 0, figures.report()
    assert values["faults_injected"] > 0 and values["sends"] > 150, figures.report()
