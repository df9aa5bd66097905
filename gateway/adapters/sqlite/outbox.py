"""The outbox (gapless numbered events) and the command log (idempotency keys)."""

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from gateway.domain.messages import compact_json, outbound_topic_suffix

MAX_COALESCED_SKUS = 500  # one stock.changed message never lists more skus than this


@dataclass
class Coalescing:
    """Owned by the writer thread. While the cloud link is down, stock.changed rows that no
    one can have published yet (seq above `floor`) absorb newer numbers instead of piling up.
    The link going up passes through the writer, so no merge is in flight while it publishes."""

    offline: bool = True
    floor: int = 0  # rows up to here may have been published (by this or an earlier process)
    target_seq: int | None = None


def read_counter(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
    return row[0] if row else 0


def write_counter(conn: sqlite3.Connection, name: str, value: int) -> None:
    conn.execute(
        "INSERT INTO counter(name, value) VALUES (?, ?)"
        " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


# The newest seq handed out: the newest row, or the counter `outbox_seq` when pruning took that
# row (pruning writes it first, so a number is never reused). Emitting writes no counter: one
# 4 KiB page less per command on the SD card (issue 12).
OUTBOX_HEAD = (
    "SELECT MAX(COALESCE((SELECT MAX(seq) FROM outbox), 0),"
    " COALESCE((SELECT value FROM counter WHERE name = 'outbox_seq'), 0))"
)


def outbox_head(conn: sqlite3.Connection) -> int:
    return conn.execute(OUTBOX_HEAD).fetchone()[0]


def new_event_id() -> str:
    """A random uuid (version 4), as `str(uuid.uuid4())` writes it, without building a UUID
    object: half the cost, and an order emits two (issue 12)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # the version, 4
    raw[8] = raw[8] & 0x3F | 0x80  # the variant, RFC 4122
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Outbox:
    def __init__(self, conn: sqlite3.Connection, now: str, coalescing: Coalescing | None = None):
        self.conn = conn
        self.now = now
        self.coalescing = coalescing

    def next_counter(self, name: str) -> int:
        row = self.conn.execute(
            "INSERT INTO counter(name, value) VALUES (?, 1)"
            " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
            (name,),
        ).fetchone()
        return row[0]

    def emit(self, event_type: str, data: dict[str, Any]) -> int:
        """Queue one outbound message; its seq is the next integer after `OUTBOX_HEAD`, with
        no gap, for ever. Its topic follows from its type (the contract's table). The seq is
        the row's rowid: `lastrowid` reads it back without a RETURNING's temporary table."""
        topic = outbound_topic_suffix(event_type).removeprefix("out/")
        return self.conn.execute(
            "INSERT INTO outbox(seq, event_id, type, topic, data_json, created_at)"
            f" VALUES (({OUTBOX_HEAD}) + 1, ?, ?, ?, ?, ?)",
            (
                new_event_id(),
                event_type,
                topic,
                compact_json(data),  # the wire's form: fewer bytes on the card, spliced as is
                self.now,
            ),
        ).lastrowid

    def emit_stock_changed(self, items: list[dict], *, full: bool = False) -> int:
        """Announce stock numbers; while offline, fold them into the newest unpublished
        stock.changed (the last message for every sku still carries its current numbers)."""
        state = self.coalescing
        mergeable = state is not None and state.offline and not full and state.target_seq
        if mergeable and state.target_seq > state.floor and self._merge(state.target_seq, items):
            return state.target_seq
        seq = self.emit("stock.changed", {"full": full, "items": items})
        if state is not None and state.offline:
            state.target_seq = seq
        return seq

    def _merge(self, seq: int, items: list[dict]) -> bool:
        row = self.conn.execute(
            "SELECT data_json FROM outbox WHERE seq = ? AND type = 'stock.changed'", (seq,)
        ).fetchone()
        if row is None:  # rolled back meanwhile, or the number went to another event
            return False
        data = json.loads(row[0])
        merged = {item["sku"]: item for item in data["items"]}
        merged.update((item["sku"], item) for item in items)
        if len(merged) > MAX_COALESCED_SKUS:
            return False
        data["items"] = list(merged.values())
        self.conn.execute(
            "UPDATE outbox SET data_json = ? WHERE seq = ?",
            (compact_json(data), seq),
        )
        return True

    def mark_link(self, online: bool) -> None:
        """The cloud link went up (stop merging) or down (merge what is written from now on)."""
        state = self.coalescing
        if state is not None:
            state.offline, state.target_seq = not online, None
            state.floor = outbox_head(self.conn)


class CommandLog:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def recall(self, idem_key: str) -> dict[str, Any] | None:
        """{"action": ..., "result": ...} of the command that used this key, or None."""
        row = self.conn.execute(
            "SELECT action, result_json FROM command_log WHERE idem_key = ?", (idem_key,)
        ).fetchone()
        return None if row is None else {"action": row[0], "result": json.loads(row[1])}

    def remember(self, idem_key: str, action: str, result: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO command_log(idem_key, action, result_json, created_at) VALUES (?,?,?,?)",
            (idem_key, action, json.dumps(result, ensure_ascii=False), self.now),
        )
