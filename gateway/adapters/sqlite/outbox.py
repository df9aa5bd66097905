"""The outbox (gapless numbered events) and the command log (idempotency keys)."""

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """Informational timestamps only: ordering never relies on the Pi's clock."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Outbox:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def next_counter(self, name: str) -> int:
        row = self.conn.execute(
            "INSERT INTO counter(name, value) VALUES (?, 1)"
            " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
            (name,),
        ).fetchone()
        return row[0]

    def emit(self, event_type: str, data: dict[str, Any], *, topic: str = "events") -> int:
        """Queue one outbound message; its seq is the next integer, with no gap, for ever
        (a counter, not max(seq)+1, so pruning old rows never reuses a number)."""
        seq = self.next_counter("outbox_seq")
        self.conn.execute(
            "INSERT INTO outbox(seq, event_id, type, topic, data_json, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                seq,
                str(uuid.uuid4()),
                event_type,
                topic,
                json.dumps(data, ensure_ascii=False),
                self.now,
            ),
        )
        return seq


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
