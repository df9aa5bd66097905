"""The cloud back-office over MQTT: a library for tests, benchmarks and the CLI.

paho is only the transport. Delivery is settled by the application (RELIABILITY.md 0, 4.2): the
cloud acknowledges with `sync.ack`, asks `cmd.replay` for holes, and answers `sync.resend` (and a
gateway status showing it is behind) by publishing its kept messages again. Duplicates are
expected on both sides and harmless.

Locks: `lock` (a Condition's RLock) guards what was received; `_send_lock` keeps our seqs in
wire order. `_send_lock` may be taken before `lock`, never the other way round, and no paho
callback that paho runs under its own locks (on_publish) is used, so no deadlock."""

import contextlib
import threading
import time
import uuid
from collections.abc import Callable

import paho.mqtt.client as mqtt

from .envelope import encode, in_topic, make_envelope
from .link import make_client, no_delay, session_properties
from .model import Inbound
from .outbound import Outbound
from .readers import Readers

ACK_IDLE = 0.1  # seconds without new messages before the last ones are acknowledged
QUIET = 0.25  # seconds without messages before checking "web orders hold more than on_hand"
TICK = 0.05


class Cloud(Readers):
    def __init__(
        self,
        url: str,
        store_id: str,
        prefix: str = "storegw",
        client_id: str | None = None,
        auto_ack: bool = True,
        ack_every: int = 100,  # cumulative: one sync.ack per 100 messages, and when quiet
        gap_timeout: float = 1.0,
        *,
        state_file: str | None = None,
        adopt_acked: bool = False,
        log: Callable[[str], None] | None = None,
        reconnect_max: float = 30.0,
    ) -> None:
        self.url, self.store_id, self.prefix = url, store_id, prefix
        self.base = f"{prefix}/{store_id}"
        self.auto_ack, self.ack_every, self.gap_timeout = auto_ack, ack_every, gap_timeout
        self.lock = threading.RLock()
        self._cond = threading.Condition(self.lock)
        self._send_lock = threading.RLock()
        self._in = Inbound(gap_timeout, adopt_acked=adopt_acked)
        self._out = Outbound(state_file)
        self._in.restore(self._out.restored_ack)
        self.resumed = self._out.resumed  # True when the state file existed
        self._log = log
        self.connected = self.subscribed = False
        self.resends = self.acks_sent = 0
        self._last_resend = (0, float("-inf"))  # (from_seq, when) of the last sync.resend answered
        # A fixed client id gets a persistent session: the broker queues while we are away.
        self.client_id = client_id or f"backoffice-{store_id}-{uuid.uuid4().hex[:8]}"
        self._persistent = client_id is not None
        self._stopping = threading.Event()
        self._ticker: threading.Thread | None = None
        self._client = self._make_client()
        # A test's broker comes back within seconds: waiting up to 30 s to notice is only slow.
        self._client.reconnect_delay_set(1, max(1, round(reconnect_max)))

    def _make_client(self) -> mqtt.Client:
        client, self._host, self._port = make_client(self.url, self.client_id)
        client.on_connect, client.on_connect_fail = self._on_connect, self._on_connect_fail
        client.on_disconnect, client.on_subscribe = self._on_disconnect, self._on_subscribe
        client.on_message = self._on_message
        return client

    def start(self, wait: float = 0.0) -> bool:
        """Connect in the background (paho's own thread retries with backoff if the broker is
        down) and subscribe to out/#. With `wait`, block up to that long for the subscription.
        Returns whether subscribed."""
        self._client.connect_async(
            self._host,
            self._port,
            keepalive=30,
            clean_start=not self._persistent,
            properties=session_properties() if self._persistent else None,
        )
        self._client.loop_start()
        self._ticker = threading.Thread(target=self._tick_loop, name="cloud-ticker", daemon=True)
        self._ticker.start()
        return self.wait_connected(wait) if wait > 0 else self.subscribed

    def wait_connected(self, timeout: float) -> bool:
        return self.wait_for(lambda c: c.subscribed, timeout)

    def stop(self) -> None:
        """Acknowledge what was processed (never leave the last ones unacked), then disconnect."""
        if self._stopping.is_set():
            return
        with self._cond:
            through = self._in.applied_through
            final = self.auto_ack and self.connected and through > self._in.acked
        if final:
            info = self.ack(through)
            with contextlib.suppress(RuntimeError, ValueError):  # not connected after all
                info.wait_for_publish(1.0)
        self._stopping.set()
        if self._ticker:
            self._ticker.join()
        self._client.disconnect()
        self._client.loop_stop()

    def _emit(self, message: str) -> None:
        if self._log:
            self._log(message)

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            self._emit(f"broker refused the connection: {reason_code}")
            return
        no_delay(client)
        with self._cond:
            self.connected = True
            self._in.ack_dirty = True  # an ack may have died with the old connection
            self._cond.notify_all()
        client.subscribe(f"{self.base}/out/#", qos=1)
        self._emit(f"connected to {self.url} as {self.client_id}")

    def _on_subscribe(self, _client, _userdata, _mid, reason_codes, _properties) -> None:
        if any(rc.is_failure for rc in reason_codes):
            self._emit(f"subscription to {self.base}/out/# refused: {reason_codes}")
            return
        with self._cond:
            self.subscribed = True
            self._cond.notify_all()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        with self._cond:
            self.connected = self.subscribed = False
            self._cond.notify_all()
        if not self._stopping.is_set():
            self._emit(f"disconnected from the broker ({reason_code}); reconnecting")

    def _on_connect_fail(self, _client, _userdata) -> None:
        self._emit(f"broker {self._host}:{self._port} unreachable; retrying (backoff up to 30 s)")

    def _on_message(self, _client, _userdata, msg) -> None:
        try:
            self._receive(msg.topic, msg.payload, bool(msg.retain))
        except Exception as exc:  # the network thread must survive anything the wire brings
            with self._cond:
                self._in.protocol_errors += 1
                self._in.errors.append(f"{msg.topic}: {exc!r}")

    def _receive(self, topic: str, payload: bytes, retained: bool) -> None:
        head = f"{self.base}/out/"
        if not topic.startswith(head):
            return
        now = time.monotonic()
        with self._cond:
            arrival = self._in.receive(topic[len(head) :], payload, now, retained)
            ack = self._in.due_ack(now, self.ack_every, ACK_IDLE) if self.auto_ack else None
            error = self._in.errors[-1] if arrival.outcome == "error" else None
            # A retained status may be old: its in_seq would trigger needless resends.
            live_status = arrival.status if self._in.status_live else None
            self._cond.notify_all()
        if error:
            self._emit(f"protocol error: {error}")
        if arrival.resend_from is not None:
            self._answer_resend(arrival.resend_from, now)
        if live_status is not None:
            self._on_status(live_status, now)
        if ack is not None:
            self.ack(ack)

    def _answer_resend(self, first: int, now: float) -> None:
        """sync.resend: publish our kept messages from `first` again. A gateway holding several
        early messages may ask once per message; one answer per gap_timeout is enough."""
        with self._send_lock:
            if self._last_resend[0] == first and now - self._last_resend[1] < self.gap_timeout:
                return
            self._last_resend = (first, now)
            kept = self._out.from_seq(first) if first in self._out.kept else []
        if not kept:  # never sent (e.g. an envelope a test holds back): nothing to resend yet
            self._emit(f"gateway asks resend from seq {first}: not sent yet")
            return
        self._emit(f"gateway asks resend from seq {first}: {len(kept)} message(s)")
        self._republish(kept)

    def _on_status(self, status: dict, now: float) -> None:
        """The gateway reports `in_seq`, the last cloud seq it applied: what we sent after it
        some time ago was lost on the way (or sent before the gateway ever subscribed)."""
        in_seq = status.get("in_seq")
        if not status.get("online") or not isinstance(in_seq, int):
            return
        with self._send_lock:
            lost = self._out.unapplied(in_seq, now - self.gap_timeout)
        if lost:
            self._emit(f"gateway applied cloud seq {in_seq} only: resending from {lost[0]['seq']}")
            self._republish(lost)

    def _tick_loop(self) -> None:
        """Gap replays, acks when the stream goes quiet, and the held-units check."""
        last_check = 0.0
        while not self._stopping.wait(TICK):
            now = time.monotonic()
            with self._cond:
                if not self.connected:
                    continue
                replay = self._in.due_replay(now)
                ack = self._in.due_ack(now, self.ack_every, ACK_IDLE) if self.auto_ack else None
                if now - self._in.last_activity >= QUIET and now - last_check >= QUIET:
                    self._in.view.check_held()
                    last_check = now
            if replay is not None:
                self._emit(f"gap: gateway seq {replay} missing; sending cmd.replay from {replay}")
                self.send("cmd.replay", {"from_seq": replay}, seq=False)
            if ack is not None:
                self.ack(ack)

    def _publish(self, topic_suffix: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        return self._client.publish(f"{self.base}/{topic_suffix}", payload, qos=1)

    def _send(self, env: dict, topic: str | None) -> mqtt.MQTTMessageInfo:
        suffix = topic or in_topic(env["type"])
        now = time.monotonic()
        if env["type"] == "order.created" and isinstance(env.get("data"), dict):
            with self._cond:
                self._in.view.note_order_sent(str(env["data"].get("order_id")), now)
        info = self._publish(suffix, encode(env))
        self._out.record(env, now, suffix)
        return info

    def _republish(self, envs: list[dict]) -> None:
        with self._send_lock:
            for env in envs:
                self._publish(self._out.topics[env["seq"]], encode(env))
                self._out.sent_at[env["seq"]] = time.monotonic()
                self.resends += 1

    def make_envelope(
        self, type: str, data: dict, *, seq: int | bool = True, msg_id: str | None = None
    ) -> dict:
        """An envelope to send later with send_envelope. seq=True takes the next cloud seq now
        (so envelopes can be sent out of order), an int forces one, False sends none."""
        with self._send_lock:
            return self._out.make(type, data, seq=seq, msg_id=msg_id)

    def send(
        self,
        type: str,
        data: dict,
        *,
        seq: bool = True,
        msg_id: str | None = None,
        topic: str | None = None,
    ) -> dict:
        """Build, publish (QoS 1, on the type's in/ topic unless `topic` is given, e.g.
        "in/orders") and keep for resends; returns the envelope."""
        with self._send_lock:
            env = self._out.make(type, data, seq=seq, msg_id=msg_id)
            self._send(env, topic)
        return env

    def send_envelope(self, env: dict, *, topic: str | None = None) -> dict:
        """Publish a prepared envelope as-is (duplicates, out-of-order), kept if it has a seq."""
        with self._send_lock:
            self._send(env, topic)
        return env

    def send_raw(self, topic_suffix: str, payload: bytes | str) -> None:
        """Arbitrary bytes on <prefix>/<store>/<topic_suffix>, e.g. ("in/orders", b"{oops")."""
        self._publish(topic_suffix, payload.encode() if isinstance(payload, str) else payload)

    def ack(self, through: int | None = None) -> mqtt.MQTTMessageInfo:
        """Publish sync.ack {"through_seq": through} (default: applied_through), without seq."""
        with self._cond:
            through = self._in.applied_through if through is None else through
            self._in.note_acked(through)
            self.acks_sent += 1
        info = self._publish("in/cmd", encode(make_envelope("sync.ack", {"through_seq": through})))
        with self._send_lock:
            self._out.note_acked(through)
        return info

    def continue_seq(self, in_seq: int) -> bool:
        """Number our next message after the gateway's `in_seq` if it is ahead of us (a
        back-office restarted without its state file; else the gateway skips our messages as
        already applied). Not automatic: a stale status would make the seq jump wrongly."""
        with self._send_lock:
            return self._out.catch_up(in_seq)

    def resync(self) -> dict:
        """cmd.resync: the gateway answers with one stock.changed full: true."""
        return self.send("cmd.resync", {}, seq=False)
