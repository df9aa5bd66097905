"""The trading-day campaign's short version (issue 13 part 6; tests/reliability/trading_day.py):
a tenth of the full campaign, i.e. one busy shop's day (200 web orders, 400 counter sales, 10
deliveries by scan, a stocktake, about 150 print jobs, a shift opened and closed) against the
real gateway process, Mosquitto, the back-office, register and printer simulators. The cloud,
the register's fiscal drive and the printer count what arrived: nothing lost or doubled, the
invariants and the file intact, and the gateway's memory, files, threads and WAL bounded.

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import trading_day

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_a_compressed_trading_day_loses_nothing_and_stays_bounded(tmp_path):
    figures = trading_day.run(tmp_path, scale=0.1, seed=SEED)
    print(figures.report())
    assert figures.ok, figures.report()
    # The day proves something only if the work was done and the observers saw it.
    values = figures.values
    assert values["web_orders"] == 200 and values["counter_sales"] == 400, figures.report()
    assert values["order_shippeds"] > 100 and values["order_cancelleds"] > 0, figures.report()
    assert values["orders_cancelled_by_cloud"] > 0, figures.report()
    assert values["receiving_posteds"] == 10 and values["stocktakes_applied"] == 1, figures.report()
    receipts = values["counter_sales"] + values["order_shippeds"]
    assert values["register_receipts"] == receipts, figures.report()
    assert values["printed_documents"] == values["print_jobs"] > 0, figures.report()
    assert values["cloud_messages_received"] == values["gateway_messages_sent"] > 1000
