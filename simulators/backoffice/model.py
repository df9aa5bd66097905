"""The cloud's side of the gateway → cloud stream, without MQTT (unit-testable; time is passed in).

MQTT delivers at least once and per topic only, the broker may drop queued messages, and the
gateway's three sequenced topics interleave: so the cloud de-duplicates (by id and by seq), holds
messages that arrive early, applies strictly in seq order, asks for a replay when a hole stays
open, and acknowledges with `sync.ack` what it has processed — the ack, not PUBACK, is what lets
the gateway forget (RELIABILITY.md 0 and 4.2)."""

from collections import Counter, deque
from dataclasses import dataclass

from .envelope import (  # noqa: F401  (re-exported: the pure API lives here)
    GATEWAY_TYPES,
    IN_TOPIC,
    ProtocolError,
    data_error,
    encode,
    in_topic,
    make_envelope,
    parse_envelope,
    status_error,
)
from .shop import WebShop, ean13_check_digit, initial_stock, make_catalog  # noqa: F401
from .view import Answer, ShopView, percentile  # noqa: F401

MAX_BACKOFF = 30.0


@dataclass
class Arrival:
    """What one incoming message did, so the MQTT layer knows what to publish."""

    # applied (it and maybe held ones after it) | held (early) | invalid (bad data: its seq is
    # consumed, nothing applied) | duplicate | status | stale_status | error (unusable)
    outcome: str
    resend_from: int | None = None  # the gateway asked (sync.resend) for our messages from here
    status: dict | None = None  # an accepted gateway.status body


class Inbound:
    def __init__(self, gap_timeout: float = 1.0, *, adopt_acked: bool = False) -> None:
        self.gap_timeout = gap_timeout
        self.adopt_acked = adopt_acked
        self.view = ShopView()
        self.received: dict[int, dict] = {}  # seq → envelope (held ones included)
        self.ids: set[str] = set()
        self.invalid: set[int] = set()  # seqs consumed in order but not applied (bad data)
        self.log: list[dict] = []  # applied envelopes, contiguous, in seq order
        self.applied_through = 0
        self.head = 0  # the highest gateway seq known to exist (received, or status out_seq)
        self.duplicates = 0
        self.protocol_errors = 0
        self.errors: deque[str] = deque(maxlen=100)
        self.unknown_types: Counter = Counter()
        self.status: dict | None = None
        self.status_live = False  # the status came live, not as the broker's retained copy
        self.stale_statuses = 0
        self.arrived_at: dict[int, float] = {}
        self.last_activity = 0.0  # when a sequenced message last arrived
        self.started = False  # something applied or restored: no more adopting acked_seq
        # gap → cmd.replay with backoff
        self.gap_since: float | None = None
        self.next_replay = 0.0
        self.backoff = gap_timeout
        self.replays = 0
        # sync.ack bookkeeping
        self.acked = 0
        self.ack_dirty = False  # the gateway may not have our ack: send it again when idle

    def restore(self, applied_through: int) -> None:
        """Continue after a restart: everything up to here was processed and acknowledged."""
        self.applied_through = self.acked = self.head = max(self.applied_through, applied_through)
        self.started = applied_through > 0

    # --- arrival -------------------------------------------------------------------------------

    def receive(self, kind: str, payload: bytes, now: float, retained: bool = False) -> Arrival:
        """One message from out/<kind> (`retained`: the broker's stored copy, delivered on
        subscribe). Never raises for anything the gateway sends."""
        try:
            env = parse_envelope(kind, payload)
        except ProtocolError as exc:
            return self._error(str(exc))
        if env["type"] == "gateway.status":
            return self._status(env, now, retained)
        seq, msg_id = env["seq"], env["id"]
        if msg_id in self.ids or seq in self.received or seq <= self.applied_through:
            self.duplicates += 1
            self.ack_dirty = True  # a resend means our last ack may have been lost
            self.last_activity = now  # re-ack once the resends stop, not once per duplicate
            return Arrival("duplicate")
        self.ids.add(msg_id)
        self.received[seq] = env
        self.arrived_at[seq] = now
        self.last_activity = now
        self.head = max(self.head, seq)
        problem = data_error(kind, env)
        if problem:
            self.invalid.add(seq)
            self._error(f"seq {seq}: {problem}")
        elif env["type"] not in GATEWAY_TYPES:
            self.unknown_types[env["type"]] += 1
        if seq > self.applied_through + 1 and self.gap_since is None:
            self.gap_since = now
        resend = None
        if env["type"] == "sync.resend" and not problem:
            resend = env["data"]["from_seq"]  # a control request: act now, not after our gaps
        applied = self._drain(now)
        return Arrival("invalid" if problem else "applied" if applied else "held", resend)

    def _error(self, why: str) -> Arrival:
        self.protocol_errors += 1
        self.errors.append(why)
        return Arrival("error")

    def _drain(self, now: float) -> bool:
        """Apply every message that has become contiguous."""
        start = self.applied_through
        while self.applied_through + 1 in self.received:
            seq = self.applied_through + 1
            env = self.received[seq]
            if seq not in self.invalid:
                self.view.apply(env, self.arrived_at.get(seq, now))
            self.log.append(env)
            self.applied_through = seq
        if self.applied_through == start:
            return False
        self.started = True
        # Progress: restart the gap clock (a hole further on gets its own full timeout).
        self.gap_since = now if self.head > self.applied_through else None
        self.backoff, self.next_replay = self.gap_timeout, 0.0
        return True

    def _status(self, env: dict, now: float, retained: bool) -> Arrival:
        """gateway.status. `boot` grows at every gateway start, so a lower boot is an old last
        will arriving late: ignored. A *retained* status (delivered when we subscribe) may be
        left over from an earlier gateway life (a wiped database, a previous test on the same
        broker): it is shown, but a live status outranks it and only a live one sets acked."""
        data = env["data"]
        problem = status_error(data)
        if problem:
            return self._error(problem)
        boot, newest = data.get("boot"), (self.status or {}).get("boot")
        lower = isinstance(boot, int) and isinstance(newest, int) and boot < newest
        if lower and (retained or self.status_live):
            self.stale_statuses += 1
            return Arrival("stale_status")
        self.status, self.status_live = data, not retained
        out_seq, acked = data.get("out_seq"), data.get("acked_seq")
        if isinstance(out_seq, int):
            # The gateway has messages up to out_seq: a tail we never saw (published before we
            # subscribed, or lost) is a gap too. A retained figure may be stale and only raises
            # the head (a wasted replay at worst); a live one is the truth. A last will is
            # published live by the broker, but with the figures of its connection's start.
            known = max(self.applied_through, max(self.received, default=0))
            as_of_connect = retained or data.get("online") is False
            self.head = max(self.head, out_seq) if as_of_connect else max(known, out_seq)
        if retained:
            return Arrival("status", status=data)
        if self.adopt_acked and not self.started and isinstance(acked, int) and acked > 0:
            # A fresh back-office joining a gateway whose history another run acknowledged
            # (maybe pruned since): what was acknowledged was processed; start after it.
            self.applied_through = self.acked = acked
            self.head = max(self.head, acked)
            self._drain(now)
            self.started = True
        if isinstance(acked, int) and acked < self.applied_through:
            self.ack_dirty = True
        return Arrival("status", status=data)

    # --- what to publish -----------------------------------------------------------------------

    def due_replay(self, now: float) -> int | None:
        """The seq to ask `cmd.replay` from, when a hole has stayed open for gap_timeout
        (then again with doubling backoff, up to MAX_BACKOFF, until it fills)."""
        if self.head <= self.applied_through:
            self.gap_since = None
            return None
        if self.gap_since is None:
            self.gap_since = now
        if now - self.gap_since < self.gap_timeout or now < self.next_replay:
            return None
        self.next_replay = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        self.replays += 1
        return self.applied_through + 1

    def due_ack(self, now: float, every: int, idle: float) -> int | None:
        """The through_seq to acknowledge now: after `every` new messages, or once the stream
        has been quiet for `idle` seconds (so the last ones never stay unacknowledged)."""
        if self.applied_through == 0:
            return None
        backlog = self.applied_through - self.acked
        quiet = now - self.last_activity >= idle
        if backlog >= max(1, every) or ((backlog > 0 or self.ack_dirty) and quiet):
            self.note_acked(self.applied_through)
            return self.applied_through
        return None

    def note_acked(self, through: int) -> None:
        self.acked = max(self.acked, through)
        self.ack_dirty = False

    def events(self) -> list[dict]:
        return list(self.log)
