"""The faults of the network campaign, one function per phase, each on a running rig with the
shop selling and the cloud sending all the time. Each returns what it saw, measured from outside
the gateway: the broker's log, the proxy, the cloud simulator and reads of the database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from tests.reliability.network_rig import Rig

DRAIN_TIMEOUT_S = 120.0
WINDOW = 500  # the gateway's [sync] window (its default): published beyond the last ack at most


def wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def drain(rig: Rig, timeout: float = DRAIN_TIMEOUT_S) -> float | None:
    """Seconds until what both sides had sent when the link came back has been applied by the
    other side (traffic goes on meanwhile); None if it never was."""
    start = time.monotonic()
    out_target, in_target = rig.counters().get("outbox_seq", 0), rig.cloud.last_seq

    def drained() -> bool:
        return (
            rig.cloud.applied_through >= out_target and rig.counters().get("in_seq", 0) >= in_target
        )

    return time.monotonic() - start if wait(drained, timeout) else None


def broker_outages(rig: Rig, count: int, seconds: float, rng: random.Random) -> dict:
    """The broker stops (SIGTERM: no persistence, every session and queue is gone) for
    `seconds`, `count` times, while the shop keeps selling into its outbox. Returns the drains,
    the largest backlog the cloud had not received when the broker came back, and how much the
    gateway's memory grew during an outage (R3: the backlog waits in the database, not in RAM)."""
    rig.mark("broker_outages")
    seen = {"drains": [], "backlog": 0, "rss_growth_mb": 0.0}
    for _ in range(count):
        time.sleep(rng.uniform(1, 3))
        before = rig.rss_mb()
        rig.broker.stop()
        time.sleep(seconds)
        growth = rig.rss_mb() - before
        rig.broker.restart()
        backlog = rig.counters().get("outbox_seq", 0) - rig.cloud.applied_through
        seen["backlog"] = max(seen["backlog"], backlog)
        seen["rss_growth_mb"] = max(seen["rss_growth_mb"], growth)
        seen["drains"].append(drain(rig))
    return seen


def broker_kills(rig: Rig, count: int, rng: random.Random) -> list:
    """SIGKILL at a random moment: what the broker held in memory (in flight both ways, the
    gateway's session queue) is gone; the protocol's seqs and resends must bring it back."""
    rig.mark("broker_kills")
    drains = []
    for _ in range(count):
        time.sleep(rng.uniform(0.5, 2.5))
        rig.broker.kill()
        time.sleep(rng.uniform(0.2, 1.5))
        rig.broker.restart()
        drains.append(drain(rig))
    return drains


def wan_cuts(rig: Rig, count: int, rng: random.Random) -> list:
    """The proxy closes the gateway's connection wherever the bytes are (mid-packet when a
    burst flows), refuses it for a moment, then forwards again."""
    rig.mark("wan_cuts")
    drains = []
    for _ in range(count):
        time.sleep(rng.uniform(0.3, 1.5))
        rig.proxy.cut()
        time.sleep(rng.uniform(0.5, 2.0))
        rig.proxy.restore()
        drains.append(drain(rig))
    return drains


def half_open(rig: Rig, keepalive: float) -> tuple[float | None, float | None]:
    """The link goes silent with the connection left open (a dead router): only keepalives can
    notice. Returns (seconds until the gateway gave the dead link up and tried a new one — the
    proxy holds that attempt —, the drain after the link is back)."""
    rig.mark("half_open")
    rig.proxy.cut(silent=True)
    start = time.monotonic()
    noticed = wait(lambda: rig.proxy.held > 0, 4 * keepalive)
    detected = time.monotonic() - start if noticed else None
    rig.proxy.restore()
    return detected, drain(rig)


def queue_overflow(rig, traffic, orders: int) -> tuple[int, float | None]:
    """R6: the gateway's link is cut, its session stays on the broker, the cloud sends `orders`
    web orders at once; the broker queues BROKER_QUEUE of them, PUBACKs all and drops the rest.
    Returns (what the cloud had to publish again — the broker's log reports a drop only once
    per episode —, the drain after the link is back)."""
    rig.mark("queue_overflow")
    resent_before = rig.cloud.resends
    rig.proxy.cut()
    time.sleep(0.5)  # the broker has seen the connection go
    traffic.burst(orders)
    time.sleep(0.5)
    rig.proxy.restore()
    took = drain(rig)
    return rig.cloud.resends - resent_before, took


def silent_cloud(rig: Rig, seconds: float) -> dict:
    """The cloud stops acknowledging (it still receives) for `seconds` — an hour to a gateway
    whose resend_after is `seconds` / 360 — then resumes. Counted by the cloud: what it got
    again meanwhile (the gateway's resends), and how long until the gateway's outbox, as its
    database says, is acknowledged to its head."""
    rig.mark("silent_cloud")
    duplicates_before = rig.cloud.duplicates
    rig.cloud.auto_ack = False
    time.sleep(seconds)
    counters = rig.counters()
    unacked = counters.get("outbox_seq", 0) - counters.get("acked_seq", 0)
    seen_head = max(rig.cloud.received, default=0)
    resent = rig.cloud.duplicates - duplicates_before
    rig.cloud.auto_ack = True
    start = time.monotonic()
    head = rig.counters().get("outbox_seq", 0)
    acked = wait(lambda: rig.counters().get("acked_seq", 0) >= head, DRAIN_TIMEOUT_S)
    return {
        "unacked_at_end": unacked,
        "resent_during": resent,
        "beyond_window": max(0, seen_head - counters.get("acked_seq", 0) - WINDOW),
        "drain": time.monotonic() - start if acked else None,
    }
