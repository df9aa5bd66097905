"""Phases 1 and 2 of bench_mqtt.py, bare paho: the round trip through the broker (with and
without TCP_NODELAY) and the QoS 1 publish rate: the baselines for the gateway's figures."""

import os
import queue
import statistics
import threading
import time
from pathlib import Path

from mqtt_children import Child
from mqtt_common import connect, disconnect, new_client, numbered, pct, sample_event

RTT_WARMUP = 10
RTT_SAMPLES = 300
RTT_NAGLE_SAMPLES = 100  # about 44 ms each
RAW_COUNT = int(os.environ.get("BENCH_MQTT_RAW_COUNT", "20000"))
RAW_ROUNDS = 3  # the raw rate is the median of these (it varies by tens of % run to run)


def raw_round_trip(port: int, tmp: Path, nodelay: bool, count: int) -> list[float]:
    """ms from publishing a ping to the arrival of its echo, `count` samples."""
    ping, pong = "bench/raw/ping", "bench/raw/pong"
    mode = "nodelay" if nodelay else "nagle"
    client = new_client("rtt")
    got: queue.SimpleQueue = queue.SimpleQueue()
    client.on_message = lambda _c, _u, m: got.put((time.perf_counter(), m.payload[:8]))
    with Child(f"raw-echo-{mode}", ["echo", str(port), ping, pong, mode], tmp) as echo:
        try:
            connect(client, port, pong, nodelay=nodelay)
            echo.reply()
            payload, samples = sample_event(), []
            for i in range(RTT_WARMUP + count):
                message = numbered(payload, i)
                start = time.perf_counter()
                client.publish(ping, message, qos=1)
                while True:
                    arrived, tag = got.get(timeout=10)
                    if tag == message[:8]:
                        break
                if i >= RTT_WARMUP:
                    samples.append((arrived - start) * 1000)
        finally:
            disconnect(client)
    return samples


def raw_throughput(port: int, tmp: Path, round_no: int) -> tuple[float, int, int, int]:
    """(messages/s, distinct received, duplicates, payload size)."""
    topic = f"bench/raw/flow{round_no}"
    seen: set[bytes] = set()
    last, duplicates = 0.0, 0
    done = threading.Event()

    def on_message(_c, _u, m) -> None:
        nonlocal last, duplicates
        key = m.payload[:8]
        if key in seen:
            duplicates += 1
            return
        seen.add(key)
        last = time.perf_counter()
        if len(seen) == RAW_COUNT:
            done.set()

    client = new_client("sub")
    client.on_message = on_message
    args = ["publish", str(port), topic, str(RAW_COUNT)]
    with Child(f"raw-publisher-{round_no}", args, tmp) as publisher:
        try:
            connect(client, port, topic)
            size = publisher.reply()["size"]
            start = time.perf_counter()
            publisher.send("go")
            done.wait(120)
            publisher.reply(60)
        finally:
            disconnect(client)
    return len(seen) / ((last or time.perf_counter()) - start), len(seen), duplicates, size


def run_raw(port: int, tmp: Path) -> dict:
    clock = time.perf_counter()
    rtt = raw_round_trip(port, tmp, nodelay=True, count=RTT_SAMPLES)
    rtt_nagle = raw_round_trip(port, tmp, nodelay=False, count=RTT_NAGLE_SAMPLES)
    rounds = [raw_throughput(port, tmp, i) for i in range(RAW_ROUNDS)]
    print(f"raw phases: {time.perf_counter() - clock:.1f} s")
    return {"rtt": rtt, "rtt_nagle": rtt_nagle, "rounds": rounds}


def report_raw(raw: dict, problems: list[str]) -> float:
    """Print the raw figures; return the raw publish rate (the drain's baseline)."""
    rtt, rtt_nagle, rounds = raw["rtt"], raw["rtt_nagle"], raw["rounds"]
    rate = statistics.median(r[0] for r in rounds)
    got, dups, size = min(r[1] for r in rounds), sum(r[2] for r in rounds), rounds[0][3]
    print(
        f"raw round trip: {len(rtt)} samples of {size} bytes with TCP_NODELAY on both clients,"
        f" max {max(rtt):.2f} ms; {len(rtt_nagle)} with paho's default (Nagle on), max"
        f" {max(rtt_nagle):.2f} ms"
    )
    print(f"BENCH mqtt_raw_rtt_p50_ms {pct(rtt, 50):.2f} ms")
    print(f"BENCH mqtt_raw_rtt_p99_ms {pct(rtt, 99):.2f} ms")
    print(f"BENCH mqtt_raw_rtt_nagle_p50_ms {pct(rtt_nagle, 50):.2f} ms")
    print(f"BENCH mqtt_raw_rtt_nagle_p99_ms {pct(rtt_nagle, 99):.2f} ms")
    print(
        f"raw publish: {RAW_ROUNDS} rounds of {RAW_COUNT} messages of {size} bytes (fewest"
        f" received in a round {got}, {dups} duplicates):"
        f" {', '.join(f'{r[0]:.0f}' for r in rounds)} msg/s; the median is the baseline"
    )
    if got != RAW_COUNT:
        problems.append(f"raw publish: the subscriber got only {got} of {RAW_COUNT} messages")
    print(f"BENCH mqtt_raw_publish_per_s {rate:.0f} msg/s")
    return rate
