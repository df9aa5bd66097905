"""The cloud link over MQTT: latency and throughput of the gateway, against bare paho.

Everything runs against one Mosquitto on 127.0.0.1 (its own port, files in a temporary
directory, `set_tcp_nodelay true`, a per-client queue big enough never to drop), in one run:
  1. raw round trip  - bare paho (MQTT 5, QoS 1, TCP_NODELAY as the gateway and the Cloud
                       simulator): this process publishes a ping, a child process echoes it on
                       another topic, this process times publish → reply; then, fewer samples,
                       with paho's default (Nagle's algorithm on) to show what NODELAY saves;
  2. raw throughput  - a child process publishes a fixed count of gateway-sized messages (QoS 1,
                       the gateway's max_inflight), this process counts them all arriving;
  3. order → stock   - the real gateway (`Gateway(config).start()` in a child process, a temp
                       database) and the cloud simulator (`simulators.backoffice.Cloud`, here):
                       order.created at a steady rate, timed until the stock.changed that
                       reflects each order arrives at the cloud side;
  4. outbox drain    - an outbox of ~100 000 events written by the gateway's own services while
                       no gateway was connected; a gateway starts on a copy of it and a Cloud,
                       connected and acknowledging, must receive every seq 1..N once and ack
                       them all. Twice: with the Cloud's default (a cumulative sync.ack every
                       100 messages and when the stream goes quiet), then a sync.ack per message.
The gateway and the raw publisher/echo run in child processes (mqtt_children.py), as the gateway
does in a shop, so they do not share this process's GIL with the cloud side. A gateway that
stops answering is reported with where each of its threads is stuck.
Speed is never pass/fail; the script exits 1 only if the data is wrong (or never arrives).

Modules beside this one: mqtt_common (broker, clients, catalog, CPU meters), mqtt_children (the
child processes, run as `python bench/mqtt_children.py KIND ...`), mqtt_raw (1, 2),
mqtt_latency (3), mqtt_drain (4).

Run as `python bench/bench_mqtt.py` from the repository root.
Environment: BENCH_MQTT_SECONDS (order phase, default 20), BENCH_MQTT_RATE (orders/s, 100),
BENCH_MQTT_DRAIN_EVENTS (100000), BENCH_MQTT_RAW_COUNT (20000), BENCH_MQTT_PYSPY (a directory:
record py-spy profiles of the gateway child during phases 3 and 4, if py-spy is installed)."""

import sys
import tempfile
from pathlib import Path

import paho.mqtt
from mqtt_common import QUEUE_LIMIT, start_broker
from mqtt_drain import report_drain, run_drains
from mqtt_latency import order_to_stock, report_latency
from mqtt_raw import report_raw, run_raw


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
            raw = run_raw(broker.port, tmp)
            latency = order_to_stock(broker, tmp, problems)
            drains = run_drains(broker, tmp, problems)
        finally:
            broker.stop()

    raw_rate = report_raw(raw, problems)
    report_latency(latency)
    for i, drain in enumerate(drains):
        report_drain(drain, raw_rate, primary=i == 0)
    for result in (latency, *drains):
        for line in result["warnings"][:5]:
            print(f"gateway log: {line}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
