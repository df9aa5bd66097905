"""Network campaign (issue 13 part 2; RELIABILITY.md R3, R6, R10, R15): the gateway as its own
process behind a cuttable WAN proxy, a real Mosquitto, the back-office simulator as the cloud;
the shop sells at the counter through the staff API and the cloud sends web orders, cancels and
stock deliveries all the time, through five phases of faults:

1. broker outages of a minute (SIGTERM, no persistence: sessions and queues are gone);
2. broker SIGKILLs (what it held in memory is lost);
3. WAN cuts that close the connection mid-stream, and a half-open link only keepalives notice;
4. a broker queue that overflows (`max_queued_messages 5`: PUBACKed, then dropped — R6);
5. a cloud that stops acknowledging for an hour in compressed time (the gateway restarted with
   resend_after = HOUR_S / 360: an hour holds 360 of its production 10 s), then resumes.

Counted by the cloud simulator, the broker's log and a read of the database afterwards
(tests/reliability/network_verdict.py)."""

from __future__ import annotations

import random
from pathlib import Path

from tests import mqtt_helpers
from tests.reliability import network_faults as faults
from tests.reliability import network_verdict as verdict
from tests.reliability.figures import Figures, scaled
from tests.reliability.network_load import SKUS, START_STOCK, CloudTraffic, ShopSales
from tests.reliability.network_rig import Rig

OUTAGES, OUTAGE_S = 2, 60  # "outages of minutes"
BROKER_KILLS = 5
WAN_CUTS = 4
OVERFLOW_ORDERS = 40  # with a queue of 5: 35 PUBACKed and dropped
HOUR_S = 30  # the cloud's silent hour, compressed
SALES_PER_S, CLOUD_PER_S = 6.0, 5.0
KEEPALIVE = 3  # tests/mqtt_helpers.FAST_SYNC
SETTLE_TIMEOUT_S = 120.0
RSS_GROWTH_MB = 20  # R3: during an outage nothing piles up in memory
# The outages are in real time, so the gap a cloud seq may stay missing before the gateway gives
# it up is the production one: FAST_SYNC's 4 s is shorter than the gateway's resend-request
# period (5 s), and under this load a gap was skipped for good before it was asked twice
# (issue 13: a gap is skipped before it is asked for twice when gap_wait < 5 s).
SYNC = {"gap_wait": "30"}


def run(workdir: Path, scale: float, seed: int) -> Figures:
    rng = random.Random(seed)
    figures = Figures("network")
    rig = Rig(workdir, sync=SYNC)
    sales: list[ShopSales] = []
    traffic = CloudTraffic(rig.cloud, CLOUD_PER_S, seed)
    try:
        rig.start_gateway()
        rig.cloud.start(wait=20)
        mqtt_helpers.seed(rig.cloud, **dict.fromkeys(SKUS, START_STOCK))
        if not faults.wait(lambda: rig.counters().get("in_seq", 0) >= 2, 30):
            raise RuntimeError("the gateway never took the catalog and stock from the cloud")
        sales.append(_sell(rig, seed))
        traffic.start()
        drains = _faults(rig, figures, traffic, scale, rng)
        drains += _silent_hour(rig, figures, sales, scale, seed)
        for shop in sales:
            shop.stop()
        traffic.stop()
        settled = faults.drain(rig, SETTLE_TIMEOUT_S)
        rig.cloud.wait_for(lambda c: c.applied_through >= rig.counters().get("outbox_seq", 0), 30)
        figures.zero("never_settled", int(settled is None))
        took = [d for d in drains if d is not None]
        figures.add("drain_seconds_max", max(took, default=0.0))
        figures.add("drain_seconds_mean", sum(took) / len(took) if took else 0.0)
        figures.zero("drains_timed_out", sum(1 for d in drains if d is None))
        figures.zero("gateway_crashed", int(not rig.gateway_alive()))
        verdict.to_cloud(rig, figures, sales)
        verdict.from_cloud(rig, figures, traffic)
    finally:
        for shop in sales:
            shop.stop()
        traffic.stop()
        rig.close()
    verdict.database(rig, figures)
    return figures


def _sell(rig: Rig, seed: int) -> ShopSales:
    return ShopSales(rig.web_url, rig.cashier_token, SALES_PER_S, seed).start()


def _faults(rig: Rig, figures: Figures, traffic, scale: float, rng) -> list:
    outages, outage_s = scaled(OUTAGES, scale, 1), max(3.0, OUTAGE_S * scale)
    seen = faults.broker_outages(rig, outages, outage_s, rng)
    drains = seen["drains"]
    figures.add("broker_outages", outages)
    figures.add("broker_outage_seconds", outage_s)
    figures.add("outage_backlog_to_cloud", seen["backlog"])
    figures.add("outage_rss_growth_mb", seen["rss_growth_mb"], at_most=RSS_GROWTH_MB)
    figures.add("outage_drain_seconds_max", max((d or 0.0 for d in drains), default=0.0))
    kills = scaled(BROKER_KILLS, scale, 1)
    drains += faults.broker_kills(rig, kills, rng)
    figures.add("broker_kills", kills)
    cuts = scaled(WAN_CUTS, scale, 1)
    drains += faults.wan_cuts(rig, cuts, rng)
    figures.add("wan_cuts", cuts)
    detected, took = faults.half_open(rig, KEEPALIVE)
    drains.append(took)
    figures.zero("half_open_undetected", int(detected is None))
    figures.add("half_open_detected_seconds", detected or 0.0)
    burst = scaled(OVERFLOW_ORDERS, scale, 20)
    resent, took = faults.queue_overflow(rig, traffic, burst)
    drains.append(took)
    figures.add("overflow_burst_orders", burst)
    figures.add("overflow_resent_by_cloud", resent)
    return drains


def _silent_hour(rig: Rig, figures: Figures, sales: list, scale: float, seed: int) -> list:
    """Phase 5 needs the gateway's timers shrunk: a clean restart on a new config."""
    hour_s = max(5.0, HOUR_S * scale)
    sales[-1].stop()
    rig.stop_gateway()
    rig.sync = {**SYNC, "resend_after": f"{hour_s / 360:.4f}"}  # production 10 s: 360 an hour
    rig.start_gateway()
    sales.append(_sell(rig, seed + 1))  # new idempotency keys
    seen = faults.silent_cloud(rig, hour_s)
    figures.add("silent_cloud_seconds", hour_s)
    figures.add("silent_cloud_unacked_at_end", seen["unacked_at_end"])
    figures.add("silent_cloud_resent", seen["resent_during"])
    figures.zero("silent_cloud_beyond_window", seen["beyond_window"])
    figures.zero("silent_cloud_never_acked", int(seen["drain"] is None))
    return [seen["drain"]]
