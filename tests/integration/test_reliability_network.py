"""The network campaign's short version (issue 13 part 2; RELIABILITY.md R3, R6, R10, R15): the
real gateway process behind a cuttable proxy, a real Mosquitto and the back-office simulator,
the shop selling through the staff API and the cloud sending orders, cancels and deliveries
while the broker stops, is SIGKILLed, the WAN is cut and held half-open, the broker's queue
overflows and the cloud stops acknowledging (`tests/reliability/network.py`). Counted by the
cloud simulator, the broker's log and a read of the database: nothing lost either way, no gap,
the invariants hold.

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import network

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_network_faults_lose_nothing_either_way(tmp_path):
    figures = network.run(tmp_path, scale=0.1, seed=SEED)
    print(figures.report())
    assert figures.ok, figures.report()
    # The campaign proves something only if the faults happened and traffic crossed them.
    values = figures.values
    assert values["broker_outages"] > 0 and values["broker_kills"] > 0, figures.report()
    assert values["wan_cuts"] > 0 and values["overflow_resent_by_cloud"] > 0, figures.report()
    assert values["silent_cloud_resent"] > 0, figures.report()  # the gateway offered again
    assert values["sales_acknowledged"] > 50, figures.report()
    assert values["messages_from_cloud"] > 50, figures.report()
    assert values["duplicates_suppressed_by_cloud"] > 0, figures.report()
