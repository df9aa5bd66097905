"""The cloud link's timing (issue 13): the stalled-window back-off (doubling, jittered, capped,
reset) and the clock of a gap in the cloud's seqs (asked for again, then skipped)."""

from gateway.adapters.mqtt.resend import GapClock, StallBackoff


def test_the_wait_doubles_jittered_up_to_the_cap_and_progress_resets_it():
    backoff = StallBackoff(10, cap=300)
    assert backoff.wait == 10  # the first resend comes as promptly as before
    waits = []
    for _ in range(12):
        backoff.stalled()
        waits.append(backoff.wait)
    for n, wait in enumerate(waits, start=1):
        base = min(300, 10 * 2**n)
        assert base / 2 <= wait <= base
    # An hour without an ack: a handful of republications, not one every 10 s.
    elapsed, rounds = 0.0, 0
    backoff.reset()
    while elapsed < 3600:
        elapsed += backoff.wait
        backoff.stalled()
        rounds += 1
    assert rounds <= 35
    backoff.reset()
    assert backoff.wait == 10


def test_the_cap_is_never_below_the_first_wait():
    backoff = StallBackoff(600, cap=300)
    backoff.stalled()
    assert 300 <= backoff.wait <= 600


def test_a_cloud_gap_is_asked_for_several_times_then_skipped():
    gap = GapClock()
    assert gap.action(100.0, gap_wait=20) is None  # no gap
    gap.note({"parked": True, "outcome": "parked"}, now=100.0)
    asks = [t for t in range(100, 121) if gap.action(float(t), gap_wait=20) == "ask"]
    assert asks == [105, 110, 115]  # every gap_wait / 4, before the skip ...
    assert gap.action(120.0, gap_wait=20) == "skip"  # ... then given up
    gap.note({"parked": True, "outcome": "parked"}, now=121.0)  # still the same gap
    assert gap.since == 100.0
    gap.note({"parked": True, "outcome": "applied"}, now=122.0)  # a further seq missing now
    assert gap.since == 122.0
    gap.note({"parked": False}, now=123.0)  # filled
    assert gap.since is None and gap.action(200.0, gap_wait=20) is None
