"""The fiscal fault campaign (issue 4): the real gateway prints 300 receipt jobs on the register
simulator with a random fault before each receipt and SIGKILL restarts at random points; counted
from the simulator's archive, every job has exactly one fiscal receipt, none is lost, and every
job ends done with that receipt's FD and FP. Since issue 11 the jobs include prepayments paid on
the site (electronic only) and handovers offsetting them (1215), each checked for its kind.
The harness is ``tests/fiscal_campaign.py`` (shared with ``bench/bench_fiscal.py``).

Environment: FISCAL_CAMPAIGN_SEED, FISCAL_CAMPAIGN_RECEIPTS (default 300; the issue asks >= 300).
"""

import os

from tests.fiscal_campaign import run_campaign

SEED = int(os.environ.get("FISCAL_CAMPAIGN_SEED", "1"))
RECEIPTS = int(os.environ.get("FISCAL_CAMPAIGN_RECEIPTS", "300"))


def test_fault_campaign_with_gateway_restarts_never_doubles_or_loses_a_receipt(tmp_path):
    print(f"fiscal fault campaign: seed={SEED} receipts={RECEIPTS}")
    outcome = run_campaign(tmp_path, RECEIPTS, SEED, restart_probability=0.05)
    print(outcome.summary())
    assert outcome.ok, f"seed {SEED}: {outcome.summary()}"
    # The campaign proves something only if the bad things happened.
    assert outcome.restarts > 0 and outcome.paper_loaded > 0, outcome.summary()
    assert outcome.attempts > RECEIPTS, outcome.summary()
    assert outcome.kinds["prepayment"] > 0 and outcome.kinds["offset"] > 0, outcome.summary()
