"""`python -m simulators.backoffice --summary`: the owner away from the shop. Asks the gateway to
replay the events it keeps and prints the owner's summary computed from them alone (summary.py)."""

import argparse
import json
import time
from datetime import date

from .cloud import Cloud
from .summary import as_text, owner_summary


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def print_summary(args: argparse.Namespace) -> int:
    """The owner's summary from the gateway's events alone. An observer, not the cloud of
    record: its own client id (the back-office's session is left alone), and it never sends
    sync.ack (that would let the gateway forget messages the real cloud may not have)."""
    day = date.fromisoformat(args.day) if args.day else date.today()
    events = gather_events(args.url, args.store, args.prefix, args.wait)
    summary = owner_summary(events, day)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1), flush=True)
    else:
        for line in as_text(summary, args.store):
            print(line, flush=True)
    return 0


def gather_events(url: str, store: str, prefix: str, wait: float) -> list[dict]:
    """Everything the gateway still keeps: ask `cmd.replay` from seq 1, then take what arrived
    once the stream has been quiet a while with no hole in it (a retained status is no guide:
    the gateway republishes it on changes of state, not on every event). After `wait` seconds
    what arrived is used as it is (pruned history cannot come back; the gateway raises its
    `replay_pruned` alarm for an ask from before what it keeps)."""
    cloud = Cloud(url, store, prefix, auto_ack=False, gap_timeout=0.3)
    cloud.start()
    try:
        if not cloud.wait_connected(wait):
            say(f"the broker at {url} did not answer in {wait:.0f} s: no events")
            return []
        cloud.send("cmd.replay", {"from_seq": 1}, seq=False)
        deadline = time.monotonic() + wait
        seen, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            received = cloud.received
            if len(received) != seen:
                seen, quiet_since = len(received), time.monotonic()
            whole = not received or len(received) == max(received) - min(received) + 1
            head = (cloud.status or {}).get("out_seq") or 0
            if whole and max(received, default=0) >= head and time.monotonic() - quiet_since > 1:
                return list(received.values())
            time.sleep(0.05)
        say(f"incomplete after {wait:.0f} s: received {len(cloud.received)} message(s)")
        return list(cloud.received.values())
    finally:
        cloud.stop()
