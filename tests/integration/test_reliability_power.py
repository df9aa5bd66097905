"""The power-cut campaign's short version (issue 13 part 1; RELIABILITY.md R1, R2): the real
gateway process SIGKILLed 10 times under web orders and cancels from the back-office simulator,
sales, pick slips, shipments and receiving scans from a tablet that retries with the same keys,
receipts on the register simulator and slips on the printer simulator
(`tests/reliability/power.py`). Nothing acknowledged is lost, nothing is oversold, no receipt
or slip comes out twice or not at all, the file and the invariants hold after every cut. Where
a `lazyfs` binary is found, 3 more cuts also drop every unsynced write.

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import power
from tests.reliability.power_lazyfs import unavailable

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_sigkills_under_mixed_load_lose_nothing_acknowledged_and_print_nothing_twice(tmp_path):
    figures = power.run(tmp_path, scale=0.05, seed=SEED)
    print(figures.report())
    assert figures.ok, figures.report()
    # The campaign proves something only if the bad moments happened.
    values = figures.values
    assert values["kills"] >= 10, figures.report()
    assert values["requests_resent"] > 0, "no kill caught a request on its way"
    assert values["requests_acknowledged"] > 0 and values["web_orders_acknowledged"] > 0
    assert values["web_cancels_acknowledged"] > 0 and values["receipts"] > 0
    assert values["slips"] > 0, figures.report()
    if unavailable() is None:
        assert values["lazyfs_kills"] >= 3 and values["lazyfs_cache_clears"] >= 3
