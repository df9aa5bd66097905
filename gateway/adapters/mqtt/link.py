"""The cloud link: inbound messages applied through the single writer and acknowledged after
COMMIT; outbound messages published from the outbox in seq order and settled only by the
cloud's `sync.ack` (never by PUBACK, publish()'s return code or wait_for_publish())."""

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing

from gateway.adapters.sqlite.command_clock import utc_now
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.outbox import read_counter
from gateway.adapters.sqlite.writer import Writer
from gateway.config import Config
from gateway.domain.messages import envelope_bytes, parse_sync_ack
from gateway.services.inbox import receive_cloud_message, request_resend, skip_gap
from gateway.services.sync import acknowledge

from .client import (
    MAX_INFLIGHT,
    STATUS_TOPIC,
    build_client,
    closed_before_answer,
    connect_failure,
    connect_properties,
    jitter_reconnect,
    no_delay,
)
from .gateway_status import StatusPublisher, will_bytes
from .link_join import Joins, mark_link
from .packet_limit import PacketLimit
from .refused_inbound import Inbound, RefusedInbound
from .resend import GapClock, StallBackoff, log_gap

log = logging.getLogger("storegw.mqtt")


class CloudLink:
    def __init__(self, config: Config, writer: Writer, status: Callable[[bool], dict]):
        self.config, self.writer, self.status_source = config, writer, status
        self.prefix = f"{config.mqtt.topic_prefix}/{config.store_id}"
        self.state, self.detail = "connecting", ""
        self.since = utc_now()  # when the state last changed (the doctor says since when)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connected = False
        self._inflight: dict[int, int] = {}  # paho mid → outbox seq, for this client only
        # PUBACKs, handed from paho's thread (which holds paho's own lock while it tells us)
        # to the relay, which alone matches them to seqs: no lock order to get wrong.
        self._pubacks: queue.SimpleQueue = queue.SimpleQueue()
        self._persisted_ack = 0
        self._acked = self._next = 0
        self._progress_at = time.monotonic()
        self._resend = StallBackoff(config.sync.resend_after)
        self._joins = Joins(writer, self._lock, self._set_state)
        self._answered = False  # a CONNACK came on this connection attempt
        self._refused_until = 0.0
        self._refusals = 0
        self._gap = GapClock()
        self._packet_limit = PacketLimit()  # messages larger than the broker takes wait
        # Cloud messages are applied through it: those the database refused wait, retried.
        self._unapplied = RefusedInbound(
            self._receive, self._applied, lambda detail: self._set_state("connected", detail)
        )
        self._session = ""
        # The last will is made again before every connection attempt (on_pre_connect).
        self._client = build_client(config, will_bytes(status(False), utc_now()))
        self._status = StatusPublisher(
            self._client,
            self._topic(STATUS_TOPIC),
            status,
            lambda: self._connected and not self._stopping.is_set(),
        )
        for name in (
            "on_pre_connect",
            "on_connect",
            "on_connect_fail",
            "on_disconnect",
            "on_message",
            "on_publish",
            "on_subscribe",
        ):
            setattr(self._client, name, getattr(self, f"_{name}"))
        writer.on_commit(self._wake.set)
        self._relay = threading.Thread(target=self._run_relay, name="storegw-relay", daemon=True)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> "CloudLink":
        with closing(open_connection(self.writer.path, readonly=True)) as conn:
            acked = read_counter(conn, "acked_seq")
            if conn.execute("SELECT 1 FROM inbox_parked LIMIT 1").fetchone():
                self._gap.since = time.monotonic()  # still waiting for a gap from before
        self._acked = self._persisted_ack = acked
        self._next = self._acked + 1
        settings = self.config.mqtt
        self._client.connect_async(
            settings.host,
            settings.port,
            self.config.sync.keepalive,
            clean_start=False,
            properties=connect_properties(),
        )
        self._client.loop_start()  # paho's thread: network I/O, reconnects, callbacks
        self._relay.start()
        log.info("cloud link: connecting to %s as storegw-%s", settings.url, self.config.store_id)
        if settings.cleartext:
            log.warning("cloud link: %s: use mqtts:// (see storegw doctor)", settings.cleartext)
        return self

    def stop(self) -> None:
        """A planned stop publishes `online: false` itself: the will is only for crashes."""
        self._stopping.set()
        self._wake.set()
        self._relay.join(timeout=5)  # no status from the relay can follow the offline one
        if self._connected:
            self._status.publish_offline()
        self._client.disconnect()
        self._client.loop_stop()
        self._persist_ack()

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "url": self.config.mqtt.url,
                "state": self.state,
                "detail": self.detail,
                "since": self.since,
                "acked_seq": self._acked,
                "sent_seq": self._next - 1,
                "unapplied": len(self._unapplied),
                "held_back": self.held_back,
            }

    @property
    def held_back(self) -> str | None:
        """Why the outbox waits (a message larger than the broker takes), or None."""
        return self._packet_limit.held_back

    def _topic(self, suffix: str) -> str:
        return f"{self.prefix}/{suffix}"

    # --- paho callbacks (paho's thread; exceptions are logged, never fatal) -----------------

    def _on_pre_connect(self, client, userdata) -> None:
        self._answered = False
        self._status.renew_will()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self._answered = True
        if reason_code.is_failure:
            self._set_state("offline", f"broker refused the connection: {reason_code}")
            return
        no_delay(client)
        self._packet_limit.connected(properties)
        self._joins.connected(bool(flags.session_present))  # the relay finishes it
        self._session = "session resumed" if flags.session_present else "new session"
        self._wake.set()

    def _join(self) -> None:
        joining = self._joins.marked_up()
        if joining is None:
            return
        with self._lock:
            if not self._joins.finished(joining):
                return  # disconnected meanwhile: the next connection joins afresh
            self._connected = True
            if not joining.session_present:
                # A new session may have lost what the broker held: republish everything
                # the cloud has not acked. (A resumed one gets paho's own resends.)
                self._inflight.clear()
                self._next = self._acked + 1
            self._progress_at = time.monotonic()
        self._client.subscribe(self._topic("in/#"), qos=1)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(code.is_failure for code in reason_codes):
            self._set_state("connected", f"the broker refused our subscription: {reason_codes}")
            return
        # Only now can the cloud's messages reach us; the status says how far we got.
        self._set_state("connected", self._session)
        self._status.publish()

    def _on_connect_fail(self, client, userdata) -> None:
        # paho calls this inside its `except OSError`: the error says why.
        self._set_state("offline", connect_failure(sys.exc_info()[1]))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._lock:
            self._connected, self._joins.pending = False, None
        self._unapplied.clear()  # not acknowledged: the broker delivers them again
        if not self._stopping.is_set():
            if not self._answered:
                self._set_state("offline", closed_before_answer(self.config.mqtt))
            elif not self.detail.startswith("broker refused"):  # keep the reason people can fix
                self._set_state("offline", f"disconnected: {reason_code}")
            jitter_reconnect(client, self.config.sync.reconnect_max)
            try:
                self.writer.call(mark_link, False)
            except Exception:
                log.exception("cloud link: could not mark the link down")

    def _on_message(self, client, userdata, message) -> None:
        suffix = message.topic[len(self.prefix) + 1 :]
        through = parse_sync_ack(suffix, message.payload)
        with self._lock:
            fast = through is not None and through < self._next
            if fast and through > self._acked:
                self._acked = through
                self._note_progress()
        if fast:
            # The cloud acks often; it is monotonic and harmless to lose in a crash (we would
            # publish a few acknowledged messages again), so it is stored in the background
            # instead of costing this thread a commit per ack.
            client.ack(message.mid, message.qos)
            self._wake.set()
            return
        inbound = Inbound(message.mid, message.qos, message.topic, suffix, message.payload)
        self._unapplied.arrived(inbound)
        self._wake.set()

    def _receive(self, inbound: Inbound) -> dict:
        return self.writer.call(receive_cloud_message, self.prefix, inbound.suffix, inbound.payload)

    def _applied(self, inbound: Inbound, result: dict) -> None:
        """Acknowledged to the broker only now, after its COMMIT."""
        self._client.ack(inbound.mid, inbound.qos)
        self._after_inbound(result)

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._pubacks.put((mid, reason_code))
        self._wake.set()  # a free in-flight slot: the relay may send more

    def _settle_pubacks(self) -> None:
        """A PUBACK only says the broker took a message (or refused it); delivery is
        settled by sync.ack. A refusal (ACL, quota) backs off and tries again later."""
        while True:
            try:
                mid, reason_code = self._pubacks.get_nowait()
            except queue.Empty:
                return
            with self._lock:
                seq = self._inflight.pop(mid, None)
                if seq is None or not reason_code.is_failure:
                    self._refusals = 0 if seq is not None else self._refusals
                    continue
                self._refusals += 1
                delay = 5.0 if self._refusals <= 3 else 60.0
                self._refused_until = time.monotonic() + delay
                self._next = min(self._next, seq)
            log.error("cloud link: broker refused message %d: %s", seq, reason_code)
            self._set_state("connected", f"broker refuses to take messages: {reason_code}")

    # --- effects of inbound messages -------------------------------------------------------

    def _note_progress(self) -> None:
        """The cloud acknowledged more (caller holds the lock): it is up, resend promptly."""
        self._progress_at = time.monotonic()
        self._resend.reset()

    def _after_inbound(self, result: dict) -> None:
        log_gap(result)
        with self._lock:
            if result.get("acked_seq", 0) > self._acked:
                self._acked = result["acked_seq"]
                self._note_progress()
            if "replay_from" in result:
                self._next = min(self._next, result["replay_from"])
            self._gap.note(result, time.monotonic())
        self._wake.set()

    def _set_state(self, state: str, detail: str) -> None:
        with self._lock:
            changed = (self.state, self.detail) != (state, detail)
            if state != self.state:
                self.since = utc_now()
            self.state, self.detail = state, detail
        if changed:  # one line per change, not one per reconnect attempt
            level = logging.WARNING if state == "offline" else logging.INFO
            log.log(level, "cloud link: %s (%s)", state, detail)

    # --- the relay thread: outbox → broker, timers ---------------------------------------

    def _run_relay(self) -> None:
        with closing(open_connection(self.writer.path, readonly=True)) as conn:
            while not self._stopping.is_set():
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                try:
                    self._join()
                    if self._unapplied.retry():  # what the database refused, when due
                        self._set_state("connected", self._session)
                    self._settle_pubacks()
                    self._publish_outbox(conn)
                    self._persist_ack()
                    self._timers()
                except Exception:
                    log.exception("cloud link: relay step failed")
                    time.sleep(1.0)

    def _publish_outbox(self, conn) -> None:
        while True:
            with self._lock:
                if not self._connected or time.monotonic() < self._refused_until:
                    return
                budget = min(
                    MAX_INFLIGHT - len(self._inflight),
                    self.config.sync.window - (self._next - 1 - self._acked),
                )
                start = self._next
            if budget <= 0:
                return
            rows = conn.execute(
                "SELECT seq, event_id, type, topic, data_json, created_at FROM outbox"
                " WHERE seq >= ? ORDER BY seq LIMIT ?",
                (start, budget),
            ).fetchall()
            if not rows:
                return
            with self._lock:
                if self._next == start and rows[0][0] > start:
                    self._next = rows[0][0]  # pruned meanwhile: start at the oldest kept
            for seq, event_id, event_type, topic, data_json, created_at in rows:
                payload = envelope_bytes(
                    event_id, event_type, ts=created_at, seq=seq, data_json=data_json
                )
                full_topic = self._topic(f"out/{topic}")
                if self._packet_limit.holds_back(seq, full_topic, payload):
                    return
                with self._lock:
                    if not self._connected:
                        return
                    if self._next != seq:
                        break  # rewound by a replay or a resend meanwhile: read again
                    if self._next - 1 == self._acked:
                        self._progress_at = time.monotonic()  # a new round starts its clock
                    self._next = seq + 1
                info = self._client.publish(full_topic, payload, qos=1)
                with self._lock:
                    self._inflight[info.mid] = seq

    def _persist_ack(self) -> None:
        with self._lock:
            acked = self._acked
        if acked > self._persisted_ack:
            self._persisted_ack = self.writer.call(acknowledge, acked)

    def _timers(self) -> None:
        now = time.monotonic()
        sync = self.config.sync
        with self._lock:
            waited = self._resend.wait
            stalled = (
                self._connected
                and self._next - 1 > self._acked
                and now - self._progress_at > waited
            )
            if stalled:  # the broker may have dropped them: offer again from the last ack
                self._next, self._progress_at = self._acked + 1, now
                self._resend.stalled()  # ... but the cloud may be down: wait longer each time
            gap = self._gap.action(now, sync.gap_wait)
        if stalled:
            log.warning(
                "cloud link: no sync.ack for %.0f s; publishing again from %d",
                waited,
                self._acked + 1,
            )
            self._wake.set()
        if gap == "skip":
            self._after_inbound(self.writer.call(skip_gap, self.prefix))
        elif gap == "ask":  # asked when it opened; again while it lasts, before the skip
            self._after_inbound(self.writer.call(request_resend))
        self._status.tick(now)
