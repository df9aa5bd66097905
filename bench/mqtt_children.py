"""The child processes of bench_mqtt.py, and the bench's handle on them.

A child runs as `python bench/mqtt_children.py KIND ARGS...` (KIND: echo, publish, gateway),
in its own process so that it does not share the bench's GIL with the cloud side. It speaks
JSON lines on stdout, logs to stderr, and stops when its stdin closes."""

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import psutil
from mqtt_common import (
    ROOT,
    STATUS_TIMEOUT_S,
    connect,
    disconnect,
    new_client,
    numbered,
    sample_event,
)

CHILD_TIMEOUT_S = 60.0

# --- inside a child ----------------------------------------------------------------------------


def say(obj: dict) -> None:
    print(json.dumps(obj, default=str), flush=True)


def child_echo(port: int, topic_in: str, topic_out: str, nodelay: str) -> None:
    """Raw echo: every message on topic_in is published again at once on topic_out (QoS 1)."""
    client = new_client("echo")
    client.on_message = lambda c, _u, m: c.publish(topic_out, m.payload, qos=1)
    connect(client, port, topic_in, nodelay=nodelay == "nodelay")
    say({"ready": True})
    sys.stdin.read()  # until the parent closes our stdin
    disconnect(client)


def child_publish(port: int, topic: str, count: int) -> None:
    """Raw publisher: on "go", `count` QoS 1 messages as fast as paho takes them, with the
    gateway's in-flight limit; paho queues the rest and sends one per PUBACK."""
    from gateway.adapters.mqtt.client import MAX_INFLIGHT

    client = new_client("pub")
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
    disconnect(client)


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


CHILDREN = {"echo": child_echo, "publish": child_publish, "gateway": child_gateway}

# --- in the bench ------------------------------------------------------------------------------


class Child:
    """A child process (KIND and its arguments), its JSON replies and its log file; a context
    manager that closes it (shortly, if it was found hung)."""

    def __init__(self, name: str, args: list[str], tmp: Path):
        self.name, self.hung = name, False
        self.log_path = tmp / f"{name}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=ROOT,
        )
        self.ps = psutil.Process(self.proc.pid)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def __enter__(self) -> "Child":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

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
            tail = "\n".join(self.warnings())[-2000:]
            raise RuntimeError(f"{self.name} exited ({self.proc.wait()}); its log:\n{tail}")
        return json.loads(line)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(3 if self.hung else 20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()

    def warnings(self) -> list[str]:
        """The non-empty lines of its log so far."""
        if not self._log.closed:
            self._log.flush()
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if line]

    def status(self, phase: str, problems: list[str]) -> dict:
        """A gateway child's status and invariants; a stuck gateway is a problem."""
        self.send("status")
        status = self.reply(STATUS_TIMEOUT_S + 10)
        if status.get("hung"):
            self.hung = True
            where = "; ".join(f"{name}: {at}" for name, at in status["stacks"].items())
            problems.append(
                f"{phase}: the gateway is stuck (no status in {STATUS_TIMEOUT_S:g} s): {where}"
            )
        problems += [f"{phase}: gateway invariant: {p}" for p in status.get("problems", [])]
        return status


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    CHILDREN[kind](*(int(a) if a.isdigit() else a for a in rest))
