"""The stalled-window back-off of the cloud link (issue 13): doubling, jittered, capped, reset."""

from gateway.adapters.mqtt.resend import StallBackoff


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
