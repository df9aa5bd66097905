"""Phase 3 of bench_mqtt.py: order.created → stock.changed through the real gateway.

The Cloud simulator (here) sends one-line orders at a steady rate to a gateway child; a bare
subscriber beside the Cloud timestamps the gateway's messages, and each order is timed until
the first stock.changed that reflects it."""

import contextlib
import json
import os
import threading
import time
from bisect import bisect_right
from collections import Counter
from pathlib import Path

import psutil
from mqtt_children import Child
from mqtt_common import (
    CpuMeter,
    PySpy,
    connect,
    disconnect,
    new_client,
    order_data,
    pct,
    shop_catalog,
)

ORDER_RATE = float(os.environ.get("BENCH_MQTT_RATE", "100"))
ORDER_SECONDS = float(os.environ.get("BENCH_MQTT_SECONDS", "20"))
ON_HAND = 1000  # per sku: far more than the order phase reserves
AIM_P99_MS = 20.0
SETTLE_S = 15.0  # after the last order: how long the last answers may take
STORE_LATENCY = "bench-latency"


class Observer:
    """A bare subscriber on the gateway's out/# beside the Cloud: it timestamps every gateway
    message at arrival (the first arrival of each seq; later copies are counted)."""

    def __init__(self, port: int, base: str):
        self.lock = threading.Lock()
        self.first: dict[int, tuple[float, dict]] = {}  # seq → (arrival, envelope)
        self.copies = 0
        self.client = new_client("observer")
        self.client.on_message = self._on_message
        connect(self.client, port, f"{base}/out/#")

    def _on_message(self, _c, _u, message) -> None:
        at = time.perf_counter()
        env = json.loads(message.payload)
        seq = env.get("seq")
        if seq is None:
            return  # gateway.status
        with self.lock:
            if seq in self.first:
                self.copies += 1
            else:
                self.first[seq] = (at, env)

    def snapshot(self) -> tuple[dict[int, tuple[float, dict]], int]:
        with self.lock:
            return dict(self.first), self.copies


def match_orders(
    sent: dict[str, tuple[float, str]], first: dict[int, tuple[float, dict]]
) -> tuple[dict[str, float], list[str]]:
    """order_id → ms from publishing its order.created to the arrival of the first stock.changed
    listing its sku whose seq is above that order's order.reserved. That stock.changed was
    committed after the order; its `reserved` must count exactly the orders for the sku whose
    order.reserved has a lower seq (checked: that is what "reflects the order" means)."""
    reserved_seq: dict[str, int] = {}
    by_sku: dict[str, list[tuple[int, float, dict]]] = {}
    for seq in sorted(first):
        at, env = first[seq]
        if env["type"] == "order.reserved":
            reserved_seq.setdefault(env["data"]["order_id"], seq)
        elif env["type"] == "stock.changed":
            for item in env["data"]["items"]:
                by_sku.setdefault(item["sku"], []).append((seq, at, item))
    reserved_before: dict[str, list[int]] = {}  # sku → sorted seqs of its orders' order.reserved
    for order_id, (_, sku) in sent.items():
        if order_id in reserved_seq:
            reserved_before.setdefault(sku, []).append(reserved_seq[order_id])
    for seqs in reserved_before.values():
        seqs.sort()
    latencies, problems = {}, []
    for order_id, (sent_at, sku) in sent.items():
        r = reserved_seq.get(order_id)
        if r is None:
            continue
        changes = by_sku.get(sku, [])
        i = bisect_right([c[0] for c in changes], r)
        if i == len(changes):
            continue
        seq, at, item = changes[i]
        expected = bisect_right(reserved_before[sku], seq)  # nothing reserved before the phase
        if item["reserved"] != expected or item["on_hand"] != ON_HAND:
            problems.append(
                f"{order_id}: stock.changed seq {seq} for {sku} says {item}, expected"
                f" reserved {expected} and on_hand {ON_HAND}"
            )
        latencies[order_id] = (at - sent_at) * 1000
    return latencies, problems


def load_shop(cloud, catalog: dict, skus: list[str]) -> None:
    """The Cloud sends the catalog and the stock; wait until they come back as stock.changed."""
    from simulators.backoffice.shop import initial_stock

    cloud.send("catalog.upsert", catalog)
    cloud.send("stock.set", initial_stock(catalog, on_hand=ON_HAND))
    loaded = cloud.wait_for(
        lambda c: (
            (available := c.available).keys() == set(skus)
            and all(available[s] == ON_HAND for s in skus)
        ),
        30,
    )
    if not loaded:
        raise RuntimeError("the catalog and stock did not come back as stock.changed")
    time.sleep(0.5)  # let the acks of the setup settle


def send_orders(cloud, prices: dict[str, int], skus: list[str], count: int):
    """`count` order.created at ORDER_RATE, paced by the clock, skus round robin. Returns
    order_id → (sent at, sku), the achieved rate and each send's lateness (s)."""
    sent: dict[str, tuple[float, str]] = {}
    lateness = []
    start = at = time.perf_counter()
    for n in range(count):
        due = start + n / ORDER_RATE
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        sku = skus[n % len(skus)]
        data = order_data(n + 1, sku, prices[sku])
        at = time.perf_counter()
        lateness.append(at - due)
        cloud.send("order.created", data)
        sent[data["order_id"]] = (at, sku)
    rate = (count - 1) / (at - start) if count > 1 else float("nan")
    return sent, rate, lateness


def check_cloud(cloud, sent: dict, skus: list[str], last_seq: int, problems: list[str]) -> None:
    """The Cloud's view once it has applied everything: every order reserved, each sku's
    reserved count right, nothing oversold."""
    cloud.wait_for(lambda c: c.applied_through >= last_seq, 10)
    answered = cloud.orders
    not_reserved = [o for o in sent if answered.get(o) != "reserved"]
    if not_reserved:
        problems.append(f"{len(not_reserved)} orders not reserved, e.g. {not_reserved[:3]}")
    expected = Counter(sku for _, sku in sent.values())
    stock = cloud.stock
    off = [s for s in skus if stock.get(s, {}).get("reserved") != expected.get(s, 0)]
    if off:
        problems.append(f"cloud view: reserved wrong for {len(off)} skus, e.g. {off[0]}")
    problems += [f"cloud: oversold {k}: {v}" for k, v in cloud.check_oversold().items()]


def order_to_stock(broker, tmp: Path, problems: list[str]) -> dict:
    from simulators.backoffice import Cloud

    catalog, prices, skus = shop_catalog()
    with contextlib.ExitStack() as stack:
        cloud = Cloud(broker.url, STORE_LATENCY)
        stack.callback(cloud.stop)
        if not cloud.start(wait=10):
            raise RuntimeError("the Cloud simulator did not connect")
        observer = Observer(broker.port, f"storegw/{STORE_LATENCY}")
        stack.callback(disconnect, observer.client)
        db = tmp / "latency" / "gateway.db"
        args = ["gateway", str(db), broker.url, STORE_LATENCY]
        gateway = stack.enter_context(Child("gateway-latency", args, tmp))
        gateway.reply()
        if not cloud.wait_for(lambda c: (c.status or {}).get("online"), 15):
            raise RuntimeError("the gateway did not come online")
        load_shop(cloud, catalog, skus)
        count = int(ORDER_RATE * ORDER_SECONDS)
        print(
            f"order phase: {count} one-line orders at {ORDER_RATE:g}/s over {len(skus)} skus"
            f" (round robin), gateway pid {gateway.proc.pid}"
        )
        cpu = CpuMeter(
            bench=psutil.Process(), gateway=gateway.ps, broker=psutil.Process(broker.pid)
        )
        spy = PySpy(gateway.proc.pid, "order_to_stock")
        sent, rate, lateness = send_orders(cloud, prices, skus, count)
        last_sent = time.perf_counter()
        deadline = last_sent + SETTLE_S
        while (
            len(match_orders(sent, observer.snapshot()[0])[0]) < count
            and time.perf_counter() < deadline
        ):
            time.sleep(0.2)
        spy.stop()
        print(cpu.line() + f" (the last {time.perf_counter() - last_sent:.1f} s: settling)")
        first, copies = observer.snapshot()
        latencies, wrong = match_orders(sent, first)
        problems += wrong[:10]
        if len(latencies) != count:
            problems.append(
                f"order phase: {len(latencies)} of {count} orders came back as stock.changed"
                f" within {SETTLE_S:g} s of the last one"
            )
        if not gateway.status("order phase", problems).get("hung"):
            check_cloud(cloud, sent, skus, max(first, default=0), problems)
        if cloud.protocol_errors:
            problems.append(f"order phase: cloud protocol errors: {cloud.errors[:3]}")
        lags = [lag * 1000 for lag in cloud.lags[-count:]]
        return {
            "count": count,
            "latencies": list(latencies.values()),
            "rate": rate,
            "late_ms": pct([x * 1000 for x in lateness], 99),
            "reserved_p50": pct(lags, 50),
            "reserved_p99": pct(lags, 99),
            "copies": copies,
            "cloud": cloud.stats(),
            "warnings": gateway.warnings(),
        }


def report_latency(latency: dict) -> None:
    lat, count = latency["latencies"], latency["count"]
    if lat:
        print(
            f"orders: {len(lat)} of {count} came back, achieved {latency['rate']:.1f} orders/s"
            f" (send lateness p99 {latency['late_ms']:.2f} ms); order.created → order.reserved"
            f" p50 {latency['reserved_p50']:.1f} ms, p99 {latency['reserved_p99']:.1f} ms;"
            f" order → stock max {max(lat):.1f} ms; copies seen twice {latency['copies']};"
            f" cloud acks sent {latency['cloud']['acks_sent']}"
        )
    if len(lat) == count:
        p99 = pct(lat, 99)
        print(f"BENCH order_to_stock_p50_ms {pct(lat, 50):.2f} ms")
        print(f"BENCH order_to_stock_p99_ms {p99:.2f} ms")
        print(f"BENCH order_rate_achieved_per_s {latency['rate']:.1f} orders/s")
        met = "met" if p99 <= AIM_P99_MS else "NOT met"
        print(f"aim: order_to_stock_p99_ms ≤ {AIM_P99_MS:g} ms {met}")
    else:
        print(
            f"order_to_stock: not measured: {count - len(lat)} orders never came back (over the"
            f" {len(lat)} that did: p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms)"
        )
        print(f"aim: order_to_stock_p99_ms ≤ {AIM_P99_MS:g} ms NOT met")
