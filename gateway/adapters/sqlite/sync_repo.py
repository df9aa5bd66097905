"""Cloud sync state: the inbox (seen ids, the applied cloud seq, parked messages), the cloud's
acknowledgement of our outbox, and alarms."""

import sqlite3

from .outbox import outbox_head, read_counter, write_counter

SKIPPED = "cloud_seq_skipped:"


class SyncRepo:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def counter(self, name: str) -> int:
        return read_counter(self.conn, name)

    def set_counter(self, name: str, value: int) -> None:
        write_counter(self.conn, name, value)

    def seen(self, msg_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM inbox_seen WHERE msg_id = ?", (msg_id,))
        return row.fetchone() is not None

    def remember(self, msg_id: str, seq: int | None, message_type: str, outcome: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO inbox_seen(msg_id, seq, type, outcome, received_at)"
            " VALUES (?,?,?,?,?)",
            (msg_id, seq, message_type, outcome, self.now),
        )

    def park(self, seq: int, msg_id: str, topic: str, payload: bytes) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO inbox_parked(seq, msg_id, topic, payload, parked_at)"
            " VALUES (?,?,?,?,?)",
            (seq, msg_id, topic, payload, self.now),
        )

    def first_parked(self) -> tuple[int, str, bytes] | None:
        row = self.conn.execute(
            "SELECT seq, topic, payload FROM inbox_parked ORDER BY seq LIMIT 1"
        ).fetchone()
        return None if row is None else (row[0], row[1], bytes(row[2]))

    def unpark(self, seq: int) -> None:
        self.conn.execute("DELETE FROM inbox_parked WHERE seq = ?", (seq,))

    def parked_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM inbox_parked").fetchone()[0]

    # Order messages that came before their order (inbox._park_early), in arrival order.
    def park_early(
        self, msg_id: str, order_id: str, message_type: str, topic: str, data_json: str
    ) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO order_early(msg_id, order_id, type, topic, data_json,"
            " received_at) VALUES (?,?,?,?,?,?)",
            (msg_id, order_id, message_type, topic, data_json, self.now),
        )

    def take_early(self, order_id: str) -> list[tuple[str, str, str, str]]:
        """(msg_id, type, topic, data_json) kept for `order_id`, oldest first; removed."""
        rows = self.conn.execute(
            "DELETE FROM order_early WHERE order_id = ?"
            " RETURNING rowid, msg_id, type, topic, data_json",
            (order_id,),
        ).fetchall()
        return [tuple(row[1:]) for row in sorted(rows)]

    # Cloud seqs given up on (inbox.skip_gap), as counters `cloud_seq_skipped:<first>` = last:
    # kept until each one arrives late, so the loss stays visible. No table of their own.
    def skip_seqs(self, first: int, last: int) -> None:
        self.set_counter(f"{SKIPPED}{first}", last)

    def skipped_ranges(self) -> list[tuple[int, int]]:
        rows = self.conn.execute(
            "SELECT CAST(substr(name, ?) AS INTEGER), value FROM counter WHERE name LIKE ?",
            (len(SKIPPED) + 1, f"{SKIPPED}%"),
        ).fetchall()
        return sorted((first, last) for first, last in rows)

    def unskip(self, seq: int) -> bool:
        """`seq` arrived after all: no longer missing. False if it was not a skipped seq."""
        for first, last in self.skipped_ranges():
            if first <= seq <= last:
                self.conn.execute("DELETE FROM counter WHERE name = ?", (f"{SKIPPED}{first}",))
                if first < seq:
                    self.skip_seqs(first, seq - 1)
                if seq < last:
                    self.skip_seqs(seq + 1, last)
                return True
        return False

    def outbox_head(self) -> int:
        return outbox_head(self.conn)

    def oldest_kept_seq(self) -> int:
        row = self.conn.execute("SELECT MIN(seq) FROM outbox").fetchone()
        return row[0] or self.outbox_head() + 1

    # Pruning (services/sync.prune_history): at most `batch` rows per call and table, so the
    # writer is never held for long; a backlog drains over a few calls.
    def prune_outbox(self, bound: int, older_than: str, batch: int) -> int:
        """Acknowledged rows up to `bound` and older than the cut -- only ever the oldest: the
        seqs left stay contiguous even when the Pi's clock jumped back (a newer row with an
        older time stops the cut, it is not skipped). The head is kept in the counter:
        the newest row may go, its number must not come back."""
        head = self.outbox_head()
        deleted = self._delete(
            "outbox",
            "seq",
            "SELECT seq FROM outbox WHERE seq <= ? AND seq < COALESCE("
            "(SELECT MIN(seq) FROM outbox WHERE created_at >= ?), ? + 1) ORDER BY seq LIMIT ?",
            (bound, older_than, bound, batch),
        )
        if deleted:
            self.set_counter("outbox_seq", head)
        return deleted

    def prune_seen(self, older_than: str, batch: int) -> int:
        return self._delete(
            "inbox_seen",
            "msg_id",
            "SELECT msg_id FROM inbox_seen WHERE received_at < ? LIMIT ?",
            (older_than, batch),
        )

    def prune_early(self, older_than: str, batch: int) -> int:
        """Order messages whose order never came."""
        return self._delete(
            "order_early",
            "msg_id",
            "SELECT msg_id FROM order_early WHERE received_at < ? LIMIT ?",
            (older_than, batch),
        )

    def prune_command_log(self, older_than: str, batch: int) -> int:
        return self._delete(
            "command_log",
            "idem_key",
            "SELECT idem_key FROM command_log WHERE created_at < ? LIMIT ?",
            (older_than, batch),
        )

    def prune_print_jobs(self, older_than: str, batch: int) -> int:
        """Finished print jobs that no reprint refers to."""
        return self._delete(
            "print_job",
            "id",
            "SELECT j.id FROM print_job j WHERE j.state = 'done' AND j.updated_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM print_job r WHERE r.reprint_of = j.id)"
            " ORDER BY j.id LIMIT ?",
            (older_than, batch),
        )

    def _delete(self, table: str, key: str, select: str, args: tuple) -> int:
        return self.conn.execute(f"DELETE FROM {table} WHERE {key} IN ({select})", args).rowcount

    def raise_alarm(self, name: str, detail: str) -> None:
        self.conn.execute(
            "INSERT INTO alarm(name, detail, raised_at) VALUES (?,?,?)"
            " ON CONFLICT(name) DO UPDATE SET detail = excluded.detail",
            (name, detail, self.now),
        )

    def clear_alarm(self, name: str) -> None:
        self.conn.execute("DELETE FROM alarm WHERE name = ?", (name,))
