"""Bad MQTT payloads, fed where the link feeds them: `receive_cloud_message` through the
Database's writer transaction (gateway/adapters/mqtt/link.py `_on_message`). Valid messages of
every inbound type mutated one place at a time, documents drawn from the payload models, wrong
envelopes and topics, and garbage bytes. Observed from the database, not from the answer: a
refused message leaves every business table as it was and queues a `message.rejected` with a
reason; whatever was applied leaves check_invariants clean; nothing raises (an exception would
leave the message unacknowledged, redelivered at every reconnect)."""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.messages import MAX_MESSAGE_BYTES, parse_sync_ack
from gateway.domain.payloads import INBOUND_PAYLOADS
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.inbox import receive_cloud_message
from gateway.services.orders import create_order
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.reliability.bad_input_junk import (
    business_tables,
    digest,
    each_example,
    model_documents,
    mutated,
    to_json,
)

PREFIX = "storegw/shop-001"
GOODS = {"A": 40, "B": 40, "C": 40}
CASES_PER_SHOP = 400  # a fresh copy of the seeded shop now and then keeps the digest cheap
TOPIC_OF = {
    "catalog.upsert": "in/catalog",
    "stock.set": "in/stock",
    "stock.adjust": "in/stock",
    "order.created": "in/orders",
    "order.cancelled": "in/orders",
    "order.updated": "in/orders",
    "order.paid": "in/orders",
    "order.refunded": "in/orders",
    "cmd.resync": "in/cmd",
    "cmd.replay": "in/cmd",
    "sync.ack": "in/cmd",
}
WRONG_TOPICS = ["in/catalog", "in/stock", "in/orders", "in/cmd", "in/nothing", "out/events", ""]


def valid_data(message_type: str) -> dict:
    """A message of each type the seeded shop accepts."""
    return {
        "catalog.upsert": builders.catalog(
            builders.simple_product("A", 12000),
            builders.product("P-D", [builders.variant("D-1", 500, size="S")]),
        ),
        "stock.set": builders.stock_set(A=30, C=5),
        "stock.adjust": builders.stock_adjust(B=-1),
        "order.created": builders.order("W-9", ("A", 1), ("B", 2)),
        "order.cancelled": {"order_id": "W-1", "reason": "customer"},
        "order.updated": {**builders.order("W-2", ("A", 2)), "version": 2},
        "order.paid": {
            "order_id": "W-1",
            "payment_id": "pay-1",
            "amount": 20000,
            "method": "sbp",
            "paid_at": "2026-11-27T10:00:00Z",
        },  # fmt: skip
        "order.refunded": {
            "order_id": "W-1",
            "payment_id": "pay-0",
            "amount": 100,
            "refunded_at": "2026-11-27T10:00:00Z",
        },  # fmt: skip
        "cmd.resync": {},
        "cmd.replay": {"from_seq": 1},
        "sync.ack": {"through_seq": 0},
    }[message_type]


NAMED = (
    ("Sku", st.sampled_from(["A", "B", "C", "Z", "", " "])),
    ("Id", st.sampled_from(["W-1", "W-2", "x"])),
)


def envelope(message_type: str, data) -> dict:
    return {"v": 1, "id": "", "type": message_type, "ts": "2026-11-27T10:00:00Z", "data": data}


@st.composite
def bad_messages(draw) -> tuple[str, bytes, bool]:
    """(topic suffix, payload, whether the campaign numbers it with the next seq)."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "model", "envelope", "bytes"]))
    if kind == "bytes":
        junk = draw(st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
        return draw(st.sampled_from(WRONG_TOPICS[:4])), junk, False
    payload = draw(st.sampled_from(INBOUND_PAYLOADS))
    topic = TOPIC_OF[payload.type]
    if kind == "model":
        return topic, envelope(payload.type, draw(model_documents(payload.data, NAMED))), True
    message = envelope(payload.type, valid_data(payload.type))
    if kind == "envelope":
        topic = draw(st.sampled_from(WRONG_TOPICS))
        return topic, draw(mutated(message)), True
    return topic, {**message, "data": draw(mutated(message["data"]))}, True


@dataclass
class MqttOutcome:
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    half_applied: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)  # refused without message.rejected
    broken_invariants: list[str] = field(default_factory=list)


class InboxFeeder:
    """One seeded shop, copied fresh every CASES_PER_SHOP cases."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = workdir / "seeded.db"
        seed_shop(self.template)
        self.numbers = itertools.count(1)
        self.database: Database | None = None
        self.fed = 0
        self.result = MqttOutcome()

    def fresh(self) -> None:
        if self.database is not None:
            self.database.close()
        path = self.workdir / "shop.db"
        for old in self.workdir.glob("shop.db*"):
            old.unlink()
        shutil.copy(self.template, path)
        self.database = Database(path)
        self.reader = self.database.reader()
        self.tables = business_tables(self.reader)

    def feed(self, case: tuple[str, object, bool]) -> None:
        if self.fed % CASES_PER_SHOP == 0:
            self.fresh()
        self.fed += 1
        topic, message, numbered = case
        n = next(self.numbers)
        if isinstance(message, dict):
            if message.get("id") == "":
                message["id"] = f"bad-{n}"
            if numbered and "seq" not in message:
                message["seq"] = self._in_seq() + 1
            payload = to_json(message)
        else:
            payload = message
        self.result.cases += 1
        before, head = digest(self.reader, self.tables), self._outbox_head()
        try:
            parse_sync_ack(topic, payload)  # the link's fast path reads every message first
            answer = self.database.run(receive_cloud_message, PREFIX, topic, payload)
        except Exception as exc:  # what the link would log, leaving the message unacked
            self.result.crashes.append(f"{topic} {payload[:200]!r}: {exc!r}")
            return
        outcome = answer.get("outcome", "?")
        self.result.outcomes[outcome] = self.result.outcomes.get(outcome, 0) + 1
        refused = outcome in ("rejected", "duplicate", "parked")
        if refused and digest(self.reader, self.tables) != before:
            self.result.half_applied.append(f"{outcome} {topic} {payload[:200]!r}")
        if outcome == "rejected" and not self._rejected_since(head):
            self.result.unexplained.append(f"{topic} {payload[:200]!r}")
        if outcome == "applied" and (problems := check_invariants(self.reader)):
            self.result.broken_invariants.append(f"{payload[:200]!r}: {problems[:3]}")

    def _in_seq(self) -> int:
        row = self.reader.execute("SELECT value FROM counter WHERE name = 'in_seq'").fetchone()
        return row[0] if row else 0

    def _outbox_head(self) -> int:
        return self.reader.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]

    def _rejected_since(self, head: int) -> bool:
        rows = self.reader.execute(
            "SELECT data_json FROM outbox WHERE seq > ? AND type = 'message.rejected'", (head,)
        ).fetchall()
        return any(json.loads(data).get("reason") for (data,) in rows)

    def close(self) -> None:
        if self.database is not None:
            self.reader.close()
            self.database.close()


def seed_shop(path: Path) -> None:
    database = Database(path)
    try:
        run = database.run
        products = [builders.simple_product(sku) for sku in GOODS]
        run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
        run(apply_stock_change, parse_stock_change("set", builders.stock_set(**GOODS)))
        run(create_order, builders.order("W-1", ("A", 1), ("B", 1)))
        run(create_order, builders.order("W-2", ("C", 2)))
        with closing(database.reader()) as conn:
            assert not check_invariants(conn)
        database._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.close()


def edge_cases() -> list[tuple[str, bytes, bool]]:
    """What a generator seldom reaches: JSON nested deeper than Python's parser recurses, and
    a message over the size limit."""
    deep = b"[" * 100_000 + b"]" * 100_000
    head = b'{"v": 1, "id": "deep-data", "seq": 1, "type": "stock.set", "data": '
    return [
        ("in/orders", deep, False),
        ("in/cmd", deep, False),
        ("in/stock", head + deep + b"}", False),
        ("in/catalog", b"[" + b" " * MAX_MESSAGE_BYTES + b"]", False),
    ]


def feed_inbox(workdir: Path, cases: int, seed: int) -> MqttOutcome:
    # In memory when the machine has a tmpfs: the campaign is about parsing, not fsync.
    memory = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=memory if memory.is_dir() else workdir) as place:
        feeder = InboxFeeder(Path(place))
        try:
            each_example(bad_messages(), cases, seed, feeder.feed)
            for case in edge_cases():
                feeder.feed(case)
        finally:
            feeder.close()
    return feeder.result
