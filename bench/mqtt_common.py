"""What every phase of bench_mqtt.py shares: the broker, bare paho clients, a typical gateway
event, the shop's catalog and orders, CPU meters and optional py-spy profiles."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import psutil
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
QUEUE_LIMIT = 1_000_000  # per client; mosquitto's default 1000 drops the raw flood
PRODUCTS, VARIANTS = 200, 5  # 1 000 skus
STATUS_TIMEOUT_S = 5.0  # a status that takes longer means a gateway thread is stuck


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)] if ordered else float("nan")


def mib(n: float) -> float:
    return n / (1024 * 1024)


def start_broker(tmp: Path):
    """tests/brokers.py's Broker (a free port, `user root` when root), logging quietly: its
    default `log_type all` writes a line per packet, which would slow the broker down."""
    sys.path.insert(0, str(ROOT))
    from tests.brokers import Broker

    quiet = [f"log_type {kind}" for kind in ("none", "error", "warning", "notice", "information")]
    conf = "\n".join([*quiet, "set_tcp_nodelay true"])  # the fixture sets it too, today
    return Broker(tmp / "broker", max_queued_messages=QUEUE_LIMIT, extra_conf=conf).start()


def new_client(role: str) -> mqtt.Client:
    """Bare paho 2.x, MQTT 5, defaults otherwise (`connect` may switch Nagle off), with a
    unique client id."""
    client_id = f"bench-{role}-{uuid.uuid4().hex[:8]}"
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


def disconnect(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()


def sample_event() -> bytes:
    """A typical gateway event on the wire: an order.reserved envelope, made by the gateway's
    own encoder (about 300 bytes)."""
    from gateway.adapters.sqlite.command_clock import utc_now
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


def shop_catalog() -> tuple[dict, dict[str, int], list[str]]:
    """The simulator's catalog of PRODUCTS × VARIANTS, sku → price, and the sorted skus."""
    from simulators.backoffice import make_catalog

    catalog = make_catalog(PRODUCTS, VARIANTS, full=False)
    prices = {v["sku"]: v["price"] for p in catalog["products"] for v in p["variants"]}
    return catalog, prices, sorted(prices)


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


def cpu_seconds(proc: psutil.Process) -> float:
    return sum(proc.cpu_times()[:2])  # user + system


class CpuMeter:
    """CPU seconds (user + system) of the named processes since the meter was made."""

    def __init__(self, **procs: psutil.Process):
        self.procs = procs
        self.start = {name: cpu_seconds(p) for name, p in procs.items()}
        self.wall = time.perf_counter()

    def used(self, name: str) -> float:
        return cpu_seconds(self.procs[name]) - self.start[name]

    def line(self, title: str = "cpu") -> str:
        wall = time.perf_counter() - self.wall
        parts = [f"{name} {self.used(name):.1f} s" for name in self.procs]
        return f"{title} over {wall:.1f} s wall: " + ", ".join(parts) + " (2 cores = 2 s per s)"


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
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its file
            self.proc.wait(30)
