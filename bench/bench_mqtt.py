"""The cloud link over MQTT: latency and throughput of the gateway, against bare paho.

Everything runs against one Mosquitto on 127.0.0.1 (its own port, files in a temporary
directory, `set_tcp_nodelay true`, a per-client queue big enough never to drop), in one run:
  1. raw round trip  - bare paho (MQTT 5, QoS 1, TCP_NODELAY as the gateway and the Cloud
                       simulator): this process publishes a ping, a child process echoes it on
                       another topic, this process times publish → reply; then, fewer samples,
                       with paho's default (Nagle's algorithm on) to show what NODELAY saves;
  2. raw throughput  - a child process publishes a fixed count of gateway-sized messages (QoS 1,
                       max_inflight 100 as the gateway), this process counts them all arriving;
  3. order → stock   - the real gateway (`Gateway(config).start()` in a child process, a temp
                       database) and the cloud simulator (`simulators.backoffice.Cloud`, here):
                       order.created at a steady rate, timed until the stock.changed that
                       reflects each order arrives at the cloud side;
  4. outbox drain    - an outbox of ~100 000 events written by the gateway's own services while
                       no gateway was connected; a gateway starts on a copy of it and a Cloud,
                       connected and acknowledging, must receive every seq 1..N once and ack
                       them all. Twice: with the Cloud's default (a sync.ack per message), then
                       with a sync.ack per 100 messages.
The gateway and the raw publisher/echo run in child processes, as the gateway does in a shop, so
they do not share this process's GIL with the cloud side. A gateway that stops answering is
reported with where each of its threads is stuck.
Speed is never pass/fail; the script exits 1 only if the data is wrong (or never arrives).

Run as `python bench/bench_mqtt.py` from the repository root; `--child KIND ...` is a child.
Environment: BENCH_MQTT_SECONDS (order phase, default 20), BENCH_MQTT_RATE (orders/s, 100),
BENCH_MQTT_DRAIN_EVENTS (100000), BENCH_MQTT_RAW_COUNT (20000), BENCH_MQTT_PYSPY (a directory:
record py-spy profiles of the gateway child during phases 3 and 4, if py-spy is installed)."""

import contextlib
import json
import os
import queue
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from bisect import bisect_right
from collections import Counter
from pathlib import Path

import paho.mqtt
import paho.mqtt.client as mqtt
import psutil
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

RTT_WARMUP = 10
RTT_SAMPLES = 300
RTT_NAGLE_SAMPLES = 100  # about 44 ms each
RAW_COUNT = int(os.environ.get("BENCH_MQTT_RAW_COUNT", "20000"))
RAW_ROUNDS = 3  # the raw rate is the median of these (it varies by tens of % run to run)
MAX_INFLIGHT = 100  # as gateway/adapters/mqtt/client.py
ORDER_RATE = float(os.environ.get("BENCH_MQTT_RATE", "100"))
ORDER_SECONDS = float(os.environ.get("BENCH_MQTT_SECONDS", "20"))
DRAIN_EVENTS = int(os.environ.get("BENCH_MQTT_DRAIN_EVENTS", "100000"))
PRODUCTS, VARIANTS = 200, 5  # 1 000 skus
ON_HAND = 1000  # per sku: far more than the order phase reserves
SEED_BATCH = 256  # orders per transaction when seeding the outbox (group commit)
AIM_P99_MS = 20.0
AIM_DRAIN_RATIO = 0.5
SETTLE_S = 15.0  # after the last order: how long the last answers may take
DRAIN_TIMEOUT_S = 90.0  # per drain: the rate is then over what arrived
CHILD_TIMEOUT_S = 60.0
STATUS_TIMEOUT_S = 5.0  # a status that takes longer means a gateway thread is stuck
STALL_S = 10.0  # the drain made no progress this long: stalled
QUEUE_LIMIT = 1_000_000  # per client; mosquitto's default 1000 drops the raw flood
# (label, the Cloud's ack_every): its default (a cumulative sync.ack every 100 messages and
# when the stream goes quiet), then a sync.ack for every single message
DRAINS = (("ack100", 100), ("ack1", 1))
STORE_LATENCY, STORE_DRAIN = "bench-latency", "bench-drain"


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)] if ordered else float("nan")


def mib(n: float) -> float:
    return n / (1024 * 1024)


def new_client(client_id: str) -> mqtt.Client:
    """Bare paho 2.x, MQTT 5, defaults otherwise (`connect` may switch Nagle off)."""
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


def connect(
    client: mqtt.Client, port: int, subscribe: str | None = None, nodelay: bool = True
) -> None:
    """Connect, start the network thread, subscribe (QoS 1); return once subscribed. With
    `nodelay` (the default, as the gateway's and the Cloud's clients since c9d0592),
    TCP_NODELAY on the socket: everything after CONNECT is sent without Nagle's delay."""
    ready = threading.Event()

    def on_connect(c, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            return
        if nodelay:
            c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if subscribe is None:
            ready.set()
        else:
            c.subscribe(subscribe, qos=1)

    client.on_connect = on_connect
    client.on_subscribe = lambda *_: ready.set()
    client.connect(HOST, port, keepalive=30)
    client.loop_start()
    if not ready.wait(10):
        raise RuntimeError(f"{client._client_id!r}: no connection to the broker on port {port}")


def sample_event() -> bytes:
    """A typical gateway event on the wire: an order.reserved envelope, made by the gateway's
    own encoder (about 300 bytes)."""
    from gateway.adapters.sqlite.outbox import utc_now
    from gateway.domain.messages import envelope_bytes

    data = {
        "order_id": "W-0012345",
        "status": "reserved",
        "order_status": "reserved",
        "lines": [{"line_id": "1", "sku": "A0123-BLACK-M", "qty": 1, "reserved": 1}],
    }
    body = json.dumps(data, ensure_ascii=False)
    return envelope_bytes(
        str(uuid.uuid4()), "order.reserved", ts=utc_now(), seq=123456, data_json=body
    )


def numbered(payload: bytes, index: int) -> bytes:
    """The same size, the first 8 bytes carrying a number (to count distinct arrivals)."""
    return b"%08d" % index + payload[8:]


# --- child processes --------------------------------------------------------------------------


def say(obj: dict) -> None:
    print(json.dumps(obj, default=str), flush=True)


def child_echo(port: int, topic_in: str, topic_out: str, nodelay: str) -> None:
    """Raw echo: every message on topic_in is published again at once on topic_out (QoS 1)."""
    client = new_client(f"bench-echo-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda c, _u, m: c.publish(topic_out, m.payload, qos=1)
    connect(client, port, topic_in, nodelay=nodelay == "nodelay")
    say({"ready": True})
    sys.stdin.read()  # until the parent closes our stdin
    client.disconnect()
    client.loop_stop()


def child_publish(port: int, topic: str, count: int) -> None:
    """Raw publisher: on "go", `count` QoS 1 messages as fast as paho takes them, with the
    gateway's in-flight limit; paho queues the rest and sends one per PUBACK."""
    client = new_client(f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(MAX_INFLIGHT)
    client.max_queued_messages_set(0)
    connect(client, port)
    payload = sample_event()
    messages = [numbered(payload, i) for i in range(count)]
    say({"ready": True, "size": len(payload)})
    sys.stdin.readline()
    start = time.perf_counter()
    infos = [client.publish(topic, m, qos=1) for m in messages]
    queued = time.perf_counter() - start
    for info in infos:
        info.wait_for_publish(60)
    say({"queued_s": queued, "pubacked_s": time.perf_counter() - start})
    sys.stdin.read()
    client.disconnect()
    client.loop_stop()


def child_gateway(db: str, url: str, store: str) -> None:
    """The real gateway core on `db`: start, then answer "status" lines until stdin closes."""
    import logging

    from gateway.bootstrap import Gateway
    from gateway.config import load_config

    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    env = {"STOREGW_DATABASE_PATH": db, "STOREGW_MQTT_URL": url, "STOREGW_STORE_ID": store}
    gateway = Gateway(load_config(None, env=env))
    started = time.perf_counter()
    gateway.start()
    me = psutil.Process()
    say({"ready": True, "start_s": time.perf_counter() - started, "rss": me.memory_info().rss})
    for line in sys.stdin:
        if line.strip() == "status":
            say(status_or_stacks(gateway, me))
    gateway.stop()


def status_or_stacks(gateway, me: psutil.Process) -> dict:
    """The gateway's status, invariants and link snapshot; if that does not come back within
    STATUS_TIMEOUT_S (a thread stuck on a lock), where every thread is stuck instead."""
    box: dict = {}

    def work() -> None:
        problems = gateway.check()
        status = gateway.status()
        status["link"] = gateway.link.snapshot() if gateway.link else None
        box["status"] = {**status, "problems": problems}

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(STATUS_TIMEOUT_S)
    if "status" in box:
        return {**box["status"], "rss": me.memory_info().rss}
    frames = sys._current_frames()
    stacks = {}
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        if frame is not None and thread is not worker:
            where = traceback.extract_stack(frame)[-3:]
            stacks[thread.name] = " < ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(where)
            )
    return {"hung": True, "stacks": stacks, "rss": me.memory_info().rss}


class Child:
    """A child process of this script; it speaks JSON lines on stdout, logs to a file."""

    def __init__(self, name: str, args: list[str], tmp: Path):
        self.name = name
        self.log_path = tmp / f"{name}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=ROOT,
        )
        self.ps = psutil.Process(self.proc.pid)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def reply(self, timeout: float = CHILD_TIMEOUT_S) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.name}: no answer within {timeout:.0f} s") from None
        if line is None:
            self._log.flush()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name} exited ({self.proc.wait()}); its log:\n{tail}")
        return json.loads(line)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def request(self, line: str, timeout: float = CHILD_TIMEOUT_S) -> dict:
        self.send(line)
        return self.reply(timeout)

    def close(self, wait: float = 20) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()

    def warnings(self) -> list[str]:
        self._log.flush()
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if line]


class CpuMeter:
    """CPU seconds (user + system) of this process, the gateway child and the broker."""

    def __init__(self, **procs: psutil.Process):
        self.procs = procs
        self.start = self._read()
        self.wall = time.perf_counter()

    def _read(self) -> dict[str, float]:
        times = {name: sum(p.cpu_times()[:2]) for name, p in self.procs.items()}
        return times

    def line(self) -> str:
        wall = time.perf_counter() - self.wall
        now = self._read()
        parts = [f"{name} {now[name] - self.start[name]:.1f} s" for name in self.procs]
        return f"cpu over {wall:.1f} s wall: " + ", ".join(parts) + " (2 cores = 2 s per s)"


class PySpy:
    """Optional: py-spy record of the gateway child (BENCH_MQTT_PYSPY=DIR)."""

    def __init__(self, pid: int, name: str):
        directory, binary = os.environ.get("BENCH_MQTT_PYSPY"), shutil.which("py-spy")
        binary = binary or str(Path(sys.executable).with_name("py-spy"))
        self.proc = None
        if directory and Path(binary).exists():
            out = Path(directory) / f"{name}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            self.proc = subprocess.Popen(
                [binary, "record", "--pid", str(pid), "--threads", "--idle", "--format", "raw",
                 "--rate", "200", "--output", str(out), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            print(f"py-spy recording the gateway into {out}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(2)  # SIGINT: py-spy writes its file
            self.proc.wait(30)


# --- the broker ---------------------------------------------------------------------------------


def start_broker(tmp: Path):
    """tests/brokers.py's Broker (a free port, `user root` when root), logging quietly: its
    default `log_type all` writes a line per packet, which would slow the broker down."""
    sys.path.insert(0, str(ROOT))
    from tests.brokers import Broker

    quiet = [f"log_type {kind}" for kind in ("none", "error", "warning", "notice", "information")]
    conf = "\n".join([*quiet, "set_tcp_nodelay true"])  # the fixture sets it too, today
    return Broker(tmp / "broker", max_queued_messages=QUEUE_LIMIT, extra_conf=conf).start()


# --- 1 and 2: bare paho -------------------------------------------------------------------------


def raw_round_trip(port: int, tmp: Path, nodelay: bool, count: int) -> list[float]:
    ping, pong = "bench/raw/ping", "bench/raw/pong"
    mode = "nodelay" if nodelay else "nagle"
    echo = Child(f"raw-echo-{mode}", ["echo", str(port), ping, pong, mode], tmp)
    client = new_client(f"bench-rtt-{uuid.uuid4().hex[:8]}")
    got: queue.SimpleQueue = queue.SimpleQueue()
    client.on_message = lambda _c, _u, m: got.put((time.perf_counter(), m.payload[:8]))
    try:
        connect(client, port, pong, nodelay=nodelay)
        echo.reply()
        payload, samples = sample_event(), []
        for i in range(RTT_WARMUP + count):
            tag = b"%08d" % i
            start = time.perf_counter()
            client.publish(ping, numbered(payload, i), qos=1)
            while True:
                arrived, what = got.get(timeout=10)
                if what == tag:
                    break
            if i >= RTT_WARMUP:
                samples.append((arrived - start) * 1000)
    finally:
        client.disconnect()
        client.loop_stop()
        echo.close()
    return samples


def raw_throughput(port: int, tmp: Path, round_no: int) -> tuple[float, int, int, int]:
    """(messages/s, distinct received, duplicates, payload size)."""
    topic = f"bench/raw/flow{round_no}"
    seen: set[bytes] = set()
    last = [0.0]
    duplicates = [0]
    done = threading.Event()

    def on_message(_c, _u, m) -> None:
        key = m.payload[:8]
        if key in seen:
            duplicates[0] += 1
            return
        seen.add(key)
        last[0] = time.perf_counter()
        if len(seen) == RAW_COUNT:
            done.set()

    client = new_client(f"bench-sub-{uuid.uuid4().hex[:8]}")
    client.on_message = on_message
    args = ["publish", str(port), topic, str(RAW_COUNT)]
    publisher = Child(f"raw-publisher-{round_no}", args, tmp)
    try:
        connect(client, port, topic)
        size = publisher.reply()["size"]
        start = time.perf_counter()
        publisher.send("go")
        done.wait(120)
        publisher.reply(60)
    finally:
        client.disconnect()
        client.loop_stop()
        publisher.close()
    elapsed = (last[0] or time.perf_counter()) - start
    return len(seen) / elapsed, len(seen), duplicates[0], size


# --- 3: order.created → stock.changed through the gateway ---------------------------------------


class Observer:
    """A bare subscriber on the gateway's out/# beside the Cloud: it timestamps every gateway
    message at arrival (the first arrival of each seq; later copies are counted)."""

    def __init__(self, port: int, base: str):
        self.lock = threading.Lock()
        self.first: dict[int, tuple[float, dict]] = {}  # seq → (arrival, envelope)
        self.copies = 0
        self.client = new_client(f"bench-observer-{uuid.uuid4().hex[:8]}")
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

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def order_data(n: int, sku: str, price: int) -> dict:
    """A one-line web order as the back-office sends it."""
    return {
        "order_id": f"W-{n:07d}",
        "number": str(n),
        "channel": "web",
        "paid": True,
        "customer": {"name": "Анна", "email": f"buyer{n}@example.ru", "phone": "+79001234567"},
        "lines": [{"line_id": "1", "sku": sku, "qty": 1, "price": price}],
    }


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


def gateway_status(gateway: Child, phase: str, problems: list[str]) -> dict:
    """Ask the gateway child for its status and invariants; a stuck gateway is a problem."""
    status = gateway.request("status", STATUS_TIMEOUT_S + 10)
    if status.get("hung"):
        where = "; ".join(f"{name}: {at}" for name, at in status["stacks"].items())
        problems.append(
            f"{phase}: the gateway is stuck (no status in {STATUS_TIMEOUT_S:g} s): {where}"
        )
    problems += [f"{phase}: gateway invariant: {p}" for p in status.get("problems", [])]
    return status


def order_to_stock(broker, tmp: Path, problems: list[str]) -> dict:
    from simulators.backoffice import Cloud, make_catalog
    from simulators.backoffice.shop import initial_stock

    catalog = make_catalog(PRODUCTS, VARIANTS, full=False)
    prices = {v["sku"]: v["price"] for p in catalog["products"] for v in p["variants"]}
    skus = sorted(prices)
    cloud = Cloud(broker.url, STORE_LATENCY)
    observer = gateway = None
    status: dict = {}
    try:
        if not cloud.start(wait=10):
            raise RuntimeError("the Cloud simulator did not connect")
        observer = Observer(broker.port, f"storegw/{STORE_LATENCY}")
        db = tmp / "latency" / "gateway.db"
        gateway = Child("gateway-latency", ["gateway", str(db), broker.url, STORE_LATENCY], tmp)
        gateway.reply()
        if not cloud.wait_for(lambda c: (c.status or {}).get("online"), 15):
            raise RuntimeError("the gateway did not come online")
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
        count = int(ORDER_RATE * ORDER_SECONDS)
        print(
            f"order phase: {count} one-line orders at {ORDER_RATE:g}/s over {len(skus)} skus"
            f" (round robin), gateway pid {gateway.proc.pid}"
        )
        bench = psutil.Process()
        cpu = CpuMeter(bench=bench, gateway=gateway.ps, broker=psutil.Process(broker.pid))
        spy = PySpy(gateway.proc.pid, "order_to_stock")
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
        last_sent = time.perf_counter()
        rate = (count - 1) / (at - start) if count > 1 else float("nan")

        def matched() -> int:
            with observer.lock:
                first = dict(observer.first)
            return len(match_orders(sent, first)[0])

        deadline = time.perf_counter() + SETTLE_S
        while matched() < count and time.perf_counter() < deadline:
            time.sleep(0.2)
        spy.stop()
        print(cpu.line() + f" (the last {time.perf_counter() - last_sent:.1f} s: settling)")
        with observer.lock:
            first, copies = dict(observer.first), observer.copies
        latencies, wrong = match_orders(sent, first)
        problems += wrong[:10]
        if len(latencies) != count:
            problems.append(
                f"order phase: {len(latencies)} of {count} orders came back as stock.changed"
                f" within {SETTLE_S:g} s of the last one"
            )
        status = gateway_status(gateway, "order phase", problems)
        if not status.get("hung"):
            cloud.wait_for(lambda c: c.applied_through >= max(first, default=0), 10)
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
    finally:
        if gateway is not None:
            gateway.close(3 if status.get("hung") else 20)
        if observer is not None:
            observer.close()
        cloud.stop()


# --- 4: draining a backlog ----------------------------------------------------------------------


def seed_outbox(db: Path, target: int) -> tuple[int, int]:
    """A gateway database whose outbox holds about `target` unpublished events, written by the
    gateway's own services (catalog, stock.set, then one-line orders in group-committed batches:
    each order writes order.reserved and stock.changed, ~250-300 bytes on the wire). Returns
    (outbox head, orders)."""
    from gateway.adapters.sqlite.database import Database
    from gateway.domain.catalog import parse_catalog_upsert
    from gateway.domain.stock import parse_stock_change
    from gateway.services.catalog import apply_catalog
    from gateway.services.orders import create_order
    from gateway.services.stock import apply_stock_change
    from simulators.backoffice import make_catalog
    from simulators.backoffice.shop import initial_stock

    catalog = make_catalog(PRODUCTS, VARIANTS, full=False)
    prices = {v["sku"]: v["price"] for p in catalog["products"] for v in p["variants"]}
    skus = sorted(prices)
    database = Database(db)
    try:
        database.run(apply_catalog, parse_catalog_upsert(catalog), report=False)
        stock = initial_stock(catalog, on_hand=1_000_000)
        database.run(apply_stock_change, parse_stock_change("set", stock))
        conn = database.reader()
        head = conn.execute("SELECT value FROM counter WHERE name='outbox_seq'").fetchone()
        conn.close()
        orders_needed = max(0, (target - (head or (0,))[0]) // 2)
        for first in range(0, orders_needed, SEED_BATCH):
            jobs = []
            for n in range(first, min(orders_needed, first + SEED_BATCH)):
                sku = skus[n % len(skus)]
                jobs.append((create_order, (order_data(n + 1, sku, prices[sku]),), {}))
            for ok, value in database.run_batch(jobs):
                if not ok or value["status"] != "reserved":
                    raise RuntimeError(f"seeding: an order failed: {value!r}")
        conn = database.reader()
        head = conn.execute("SELECT value FROM counter WHERE name='outbox_seq'").fetchone()[0]
        conn.close()
    finally:
        database.close()
    return head, orders_needed


def read_outbox(db: Path) -> tuple[int, list[str], float]:
    """(acked_seq, event ids in seq order, mean wire-free data size)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        acked = conn.execute("SELECT value FROM counter WHERE name='acked_seq'").fetchone()
        ids = [row[0] for row in conn.execute("SELECT event_id FROM outbox ORDER BY seq")]
        size = conn.execute("SELECT AVG(LENGTH(data_json)) FROM outbox").fetchone()[0]
    finally:
        conn.close()
    return (acked[0] if acked else 0), ids, size


def acked_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM counter WHERE name='acked_seq'").fetchone()
    return row[0] if row else 0


def outbox_drain(
    broker, tmp: Path, seeded: Path, label: str, ack_every: int, problems: list[str]
) -> dict:
    """Start a gateway on a copy of the seeded database, with a fresh Cloud (acknowledging
    every `ack_every` messages, and when the stream goes quiet) subscribed before it comes
    online; time from its `online` status until the Cloud holds seqs 1..N and the gateway's
    acked_seq is N. Stops at the time bound (then the rate is over what arrived) and when
    nothing moves for STALL_S (a problem)."""
    from simulators.backoffice import Cloud

    db = tmp / label / "gateway.db"
    db.parent.mkdir()
    with (
        contextlib.closing(sqlite3.connect(seeded)) as source,
        contextlib.closing(sqlite3.connect(db)) as copy,
    ):
        source.backup(copy)
    _, ids, _ = read_outbox(db)
    n = len(ids)
    store = f"{STORE_DRAIN}-{label}"
    cloud = Cloud(broker.url, store, ack_every=ack_every)
    gateway = None
    status: dict = {}
    try:
        if not cloud.start(wait=10):
            raise RuntimeError("the Cloud simulator did not connect")
        online_at: list[float] = []

        def wait_online() -> None:
            if cloud.wait_for(lambda c: (c.status or {}).get("online"), 60):
                online_at.append(time.perf_counter())

        waiter = threading.Thread(target=wait_online, daemon=True)
        waiter.start()
        cpu = CpuMeter(bench=psutil.Process(), broker=psutil.Process(broker.pid))
        launched = time.perf_counter()
        gateway = Child(f"gateway-{label}", ["gateway", str(db), broker.url, store], tmp)
        ready = gateway.reply()
        rss_ready, rss_peak = ready["rss"], ready["rss"]
        spy = PySpy(gateway.proc.pid, label)
        gateway_cpu = CpuMeter(gateway=gateway.ps)
        waiter.join(60)
        if not online_at:
            raise RuntimeError("the gateway did not come online")
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        received_at = acked_at = None
        deadline = online_at[0] + DRAIN_TIMEOUT_S
        through, moved_at, progress = 0, time.perf_counter(), []
        while True:
            now = time.perf_counter()
            rss_peak = max(rss_peak, gateway.ps.memory_info().rss)
            if cloud.applied_through != through:
                through, moved_at = cloud.applied_through, now
            if received_at is None and through >= n:
                received_at = now
            if received_at is not None and acked_seq(conn) >= n:
                acked_at = now
                break
            if now - moved_at > STALL_S or now > deadline:
                break
            if not progress or now - progress[-1][0] >= 1.0:
                progress.append((now, through))
            time.sleep(0.01)
        conn.close()
        spy.stop()
        print(
            f"drain {label}: {cpu.line()}; "
            + gateway_cpu.line().replace("cpu over", "gateway over")
        )
        stalled = acked_at is None and time.perf_counter() - moved_at > STALL_S
        status = gateway_status(gateway, f"drain {label}", problems)
        acked, _, _ = read_outbox(db)
        if stalled:
            problems.append(
                f"drain {label}: stalled: the cloud has seqs 1..{through} of {n}"
                f" {moved_at - online_at[0]:.1f} s after the gateway came online, and nothing"
                f" more for {time.perf_counter() - moved_at:.0f} s; gateway acked_seq {acked}"
            )
        events = cloud.events()
        seqs = [e["seq"] for e in events]
        if seqs != list(range(1, len(seqs) + 1)) or (acked_at and len(seqs) != n):
            problems.append(f"drain {label}: the cloud holds {len(seqs)} events, not 1..{n}")
        if [e["id"] for e in events] != ids[: len(events)]:
            problems.append(f"drain {label}: event ids differ from the gateway's outbox rows")
        if len({e["id"] for e in events}) != len(events):
            problems.append(f"drain {label}: an event id arrived under two seqs")
        if acked_at and acked != n:
            problems.append(f"drain {label}: gateway acked_seq {acked}, expected {n}")
        if cloud.protocol_errors:
            problems.append(f"drain {label}: cloud protocol errors: {cloud.errors[:3]}")
        steps = [f"{b - a}" for (_, a), (_, b) in zip(progress, progress[1:], strict=False)]
        end = acked_at or (deadline if not stalled else moved_at)
        return {
            "label": label,
            "ack_every": ack_every,
            "n": n,
            "finished": acked_at is not None,
            "stalled": stalled,
            "through": through,
            "seconds": end - online_at[0],
            "launch_to_online": online_at[0] - launched,
            "received_s": (received_at or moved_at) - online_at[0],
            "rss": (rss_ready, rss_peak, status.get("rss", rss_peak)),
            "gateway_cpu_s": sum(gateway.ps.cpu_times()[:2]) - gateway_cpu.start["gateway"],
            "cloud": cloud.stats(),
            "types": dict(Counter(e["type"] for e in events)),
            "per_second": steps,
            "warnings": gateway.warnings(),
        }
    finally:
        if gateway is not None:
            gateway.close(3 if status.get("hung") else 20)
        cloud.stop()


# --- main ---------------------------------------------------------------------------------------


def report_drain(drain: dict, raw_rate: float, primary: bool) -> None:
    label, cloud = drain["label"], drain["cloud"]
    rss_ready, rss_peak, rss_end = drain["rss"]
    delivered = drain["n"] if drain["finished"] else drain["through"]
    cpu_ms = drain["gateway_cpu_s"] * 1000 / max(1, delivered)
    print(
        f"drain {label} (cloud ack_every {drain['ack_every']}): {drain['through']} of"
        f" {drain['n']} events at the cloud ({drain['types']}) after {drain['received_s']:.2f} s,"
        f" acked after {drain['seconds']:.2f} s, timed from the gateway's online status"
        f" ({drain['launch_to_online']:.2f} s after its launch); cloud duplicates"
        f" {cloud['duplicates']}, replays asked {cloud['gaps_replayed']}, acks sent"
        f" {cloud['acks_sent']}"
        + ("" if drain["stalled"] else f"; gateway cpu {cpu_ms:.3f} ms per event")
    )
    print(f"drain {label}: cloud applied per second: {' '.join(drain['per_second'])}")
    print(
        f"drain {label}: gateway rss {mib(rss_ready):.1f} MiB at start (backlog {drain['n']}),"
        f" peak {mib(rss_peak):.1f} MiB during the drain, {mib(rss_end):.1f} MiB after"
    )
    name = "outbox_drain" if primary else f"outbox_drain_{label}"
    if drain["stalled"] or drain["seconds"] <= 0:
        print(f"{name}_per_s: not measured: the drain stalled (see PROBLEM)")
        if primary:
            print(f"aim: outbox_drain_vs_raw_ratio ≥ {AIM_DRAIN_RATIO:g} NOT met")
        return
    rate = delivered / drain["seconds"]
    if not drain["finished"]:
        print(f"{name}: time bound reached; the rate is over the {delivered} events that arrived")
    print(f"BENCH {name}_per_s {rate:.0f} events/s")
    print(f"BENCH {name}_vs_raw_ratio {rate / raw_rate:.3f} ratio")
    if primary:
        met = "met" if rate / raw_rate >= AIM_DRAIN_RATIO else "NOT met"
        print(f"aim: outbox_drain_vs_raw_ratio ≥ {AIM_DRAIN_RATIO:g} {met}")
        print(f"BENCH gateway_rss_drain_growth_mb {mib(rss_peak - rss_ready):.1f} MB")


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="storegw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        broker = start_broker(tmp)
        print(
            f"mqtt bench: mosquitto {broker.url} (pid {broker.pid}, set_tcp_nodelay true,"
            f" max_queued_messages {QUEUE_LIMIT}), paho {paho.mqtt.__version__}"
        )
        try:
            clock = time.perf_counter()
            rtt = raw_round_trip(broker.port, tmp, nodelay=True, count=RTT_SAMPLES)
            rtt_nagle = raw_round_trip(broker.port, tmp, nodelay=False, count=RTT_NAGLE_SAMPLES)
            rounds = [raw_throughput(broker.port, tmp, i) for i in range(RAW_ROUNDS)]
            raw_rate = statistics.median(r[0] for r in rounds)
            raw_got, raw_dups = min(r[1] for r in rounds), sum(r[2] for r in rounds)
            size = rounds[0][3]
            print(f"raw phases: {time.perf_counter() - clock:.1f} s")
            latency = order_to_stock(broker, tmp, problems)
            clock = time.perf_counter()
            seeded = tmp / "seeded.db"
            n, orders = seed_outbox(seeded, DRAIN_EVENTS)
            _, _, data_size = read_outbox(seeded)
            print(
                f"drain phases: seeded {n} outbox events ({orders} orders; data_json"
                f" {data_size:.0f} bytes on average) in {time.perf_counter() - clock:.1f} s,"
                " with no gateway connected"
            )
            drains = [
                outbox_drain(broker, tmp, seeded, label, ack_every, problems)
                for label, ack_every in DRAINS
            ]
        finally:
            broker.stop()

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
        f" received in a round {raw_got}, {raw_dups} duplicates):"
        f" {', '.join(f'{r[0]:.0f}' for r in rounds)} msg/s; the median is the baseline"
    )
    if raw_got != RAW_COUNT:
        problems.append(f"raw publish: the subscriber got only {raw_got} of {RAW_COUNT} messages")
    print(f"BENCH mqtt_raw_publish_per_s {raw_rate:.0f} msg/s")

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

    for i, drain in enumerate(drains):
        report_drain(drain, raw_rate, primary=i == 0)
    for result in (latency, *drains):
        for line in result["warnings"][:5]:
            print(f"gateway log: {line}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


CHILDREN = {"echo": child_echo, "publish": child_publish, "gateway": child_gateway}

if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, *rest = sys.argv[2:]
        args = [int(a) if a.isdigit() else a for a in rest]
        CHILDREN[kind](*args)
        sys.exit(0)
    sys.exit(main())
