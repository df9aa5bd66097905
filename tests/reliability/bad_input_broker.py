"""The MQTT slice end to end: junk published by the back-office simulator through a real
Mosquitto to a real gateway process (`storegw run`). Every junk message must come back to the
cloud as a `message.rejected` with a reason; the business tables, read from the gateway's
database file, stay as they were; and afterwards the same process (never restarted) answers
/healthz and applies a valid message."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from hypothesis import strategies as st

from gateway.adapters.sqlite.connection import open_connection
from gateway.domain.payloads import INBOUND_PAYLOADS
from tests import builders
from tests.brokers import Broker
from tests.loopback import free_port
from tests.mqtt_helpers import (
    STORE,
    database_problems,
    seed,
    start_cloud,
    wait_in_sync,
    wait_until,
)
from tests.reliability.bad_input_junk import (
    business_tables,
    digest,
    each_example,
    junk_values,
    mutated,
    to_json,
)
from tests.reliability.bad_input_mqtt import TOPIC_OF, edge_cases, envelope, valid_data

# Sent this many at a time: the broker queues at most 1000 messages for a client (Mosquitto's
# max_queued_messages) and drops the rest, which the network campaign covers, not this one.
BATCH = 100
JUNK_IDS = itertools.count(1)  # each its own id: a repeated one is a duplicate, not answered
STOREGW = Path(sys.executable).parent / "storegw"
ROOT = Path(__file__).resolve().parents[2]


@st.composite
def certainly_bad(draw) -> tuple[str, bytes]:
    """Junk the contract refuses whatever else it holds: not a JSON object, or a wrong `v`."""
    payload = draw(st.sampled_from(INBOUND_PAYLOADS))
    topic = TOPIC_OF[payload.type]
    if draw(st.booleans()):
        junk = draw(st.binary(max_size=200))
        try:
            if isinstance(json.loads(junk), dict):
                junk = b"[" + junk
        except ValueError:
            pass
        return topic, junk
    message = draw(mutated(envelope(payload.type, valid_data(payload.type))))
    if not isinstance(message, dict):
        return topic, to_json(message)
    version = draw(junk_values.filter(lambda v: v != 1 or isinstance(v, bool)))
    return topic, to_json({**message, "v": version, "id": f"junk-{next(JUNK_IDS)}"})


@dataclass
class BrokerOutcome:
    sent: int = 0
    rejected_back: int = 0
    without_reason: int = 0
    half_applied: int = 0
    restarts_needed: int = 0
    valid_applied_after: bool = False
    problems: list[str] = field(default_factory=list)  # check_invariants after it all
    stalls: list[str] = field(default_factory=list)  # junk never answered


def write_config(workdir: Path, url: str, web_port: int) -> Path:
    config = workdir / "gateway.toml"
    config.write_text(
        f'[store]\nid = "{STORE}"\n[mqtt]\nurl = "{url}"\n'
        f'[database]\npath = "{workdir / "gateway.db"}"\n[web]\nlisten = "127.0.0.1:{web_port}"\n'
        '[sync]\nresend_after = "1"\ngap_wait = "4"\nreconnect_max = "2"\nkeepalive = "3"\n',
        "utf-8",
    )
    return config


def read_digest(db_path: Path) -> str:
    with closing(open_connection(db_path, readonly=True)) as conn:
        return digest(conn, business_tables(conn))


def run_broker_slice(workdir: Path, cases: int, seed_value: int) -> BrokerOutcome:
    workdir.mkdir(parents=True, exist_ok=True)
    outcome = BrokerOutcome()
    broker = Broker(workdir / "broker").start()
    web_port = free_port()
    db_path = workdir / "gateway.db"
    log = (workdir / "gateway.log").open("ab")
    process = subprocess.Popen(
        [str(STOREGW), "run", "--config", str(write_config(workdir, broker.url, web_port))],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    cloud = start_cloud(broker.url)
    try:
        wait_until(lambda: (cloud.status or {}).get("online") is True, 60, "the gateway online")
        seed(cloud, A=10, B=10)
        wait_in_sync(cloud, db_path)
        before = read_digest(db_path)
        junk: list[tuple[str, bytes]] = []
        each_example(certainly_bad(), cases, seed_value, junk.append)
        junk += [(topic, payload) for topic, payload, _ in edge_cases()[:3]]  # nested too deep
        for start in range(0, len(junk), BATCH):
            for topic, payload in junk[start : start + BATCH]:
                cloud.send_raw(topic, payload)
            outcome.sent = min(len(junk), start + BATCH)
            try:
                wait_until(lambda: len(cloud.rejected) >= outcome.sent, 60, "the junk refused")
            except AssertionError as exc:
                outcome.stalls.append(f"{exc} ({len(cloud.rejected)} of {outcome.sent})")
                break
        outcome.rejected_back = len(cloud.rejected)
        outcome.without_reason = sum(1 for r in cloud.rejected if not r.get("reason"))
        outcome.half_applied = int(read_digest(db_path) != before)
        cloud.send("stock.set", builders.stock_set(A=7))
        wait_in_sync(cloud, db_path)
        with closing(open_connection(db_path, readonly=True)) as conn:
            on_hand = conn.execute("SELECT on_hand FROM stock_level WHERE sku = 'A'").fetchone()
        outcome.valid_applied_after = on_hand is not None and on_hand[0] == 7
        healthy = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=10).status_code == 200
        outcome.restarts_needed = int(process.poll() is not None or not healthy)
        outcome.problems += database_problems(db_path)
    finally:
        cloud.stop()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        broker.close()
    return outcome
