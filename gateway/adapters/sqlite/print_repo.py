"""Print jobs in SQLite. Works on the write connection (in a unit of work) and on a read-only
one (the printer worker looks for its next job without a write transaction)."""

import json
import sqlite3

from gateway.domain.staff import Staff
from gateway.services.printing import DONE, FAILED, PRINTING, QUEUED, UNKNOWN, PrintJob

from .actors import actor_columns

_COLUMNS = "id, kind, payload_json, state, attempts, ref, reprint_of, error"


def _job(row) -> PrintJob:
    return PrintJob(
        id=row[0],
        kind=row[1],
        payload=json.loads(row[2]),
        state=row[3],
        attempts=row[4],
        ref=row[5],
        reprint_of=row[6],
        error=row[7],
    )


class PrintRepo:
    def __init__(self, conn: sqlite3.Connection, now: str = ""):
        self.conn = conn
        self.now = now

    def add(
        self,
        kind: str,
        payload: dict,
        *,
        ref: str | None,
        by: Staff | None,
        reprint_of: int | None = None,
    ) -> int:
        row = self.conn.execute(
            "INSERT INTO print_job(kind, ref, payload_json, state, reprint_of, created_by,"
            " staff_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                kind,
                ref,
                json.dumps(payload, ensure_ascii=False),
                QUEUED,
                reprint_of,
                *actor_columns(by),
                self.now,
                self.now,
            ),
        ).fetchone()
        return row[0]

    def job(self, job_id: int) -> PrintJob | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM print_job WHERE id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def next_pending(self) -> PrintJob | None:
        """The queue head: the oldest job queued or (cut off) printing."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM print_job WHERE state IN (?, ?) ORDER BY id LIMIT 1",
            (QUEUED, PRINTING),
        ).fetchone()
        return _job(row) if row else None

    def last_printed(self) -> PrintJob | None:
        """The newest job that came out, or may have (what the reprint button means)."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM print_job WHERE state IN (?, ?) ORDER BY id DESC LIMIT 1",
            (DONE, UNKNOWN),
        ).fetchone()
        return _job(row) if row else None

    def set_printing(self, job_id: int) -> None:
        self.conn.execute(
            "UPDATE print_job SET state = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
            (PRINTING, self.now, job_id),
        )

    def set_state(
        self, job_id: int, state: str, *, error: str | None = None, reset_attempts: bool = False
    ) -> None:
        self.conn.execute(
            "UPDATE print_job SET state = ?, error = ?, updated_at = ?,"
            " attempts = CASE WHEN ? THEN 0 ELSE attempts END WHERE id = ?",
            (state, error, self.now, reset_attempts, job_id),
        )

    def open_counts(self) -> dict[str, int]:
        """Jobs by state, all but `done` (queued, printing, unknown, failed)."""
        return dict(
            self.conn.execute(
                "SELECT state, count(*) FROM print_job WHERE state != ? GROUP BY state", (DONE,)
            ).fetchall()
        )

    def recent(self, limit: int = 50) -> list[dict]:
        """The newest jobs for a screen: id, kind, ref, state, attempts, error, by, times."""
        return self._listed("", (), limit)

    def to_check(self, limit: int) -> list[dict]:
        """The jobs staff must look at, cut off (unknown) or failed, newest first, as `recent`
        lists them (from the open jobs' index)."""
        return self._listed("WHERE state IN (?, ?)", (UNKNOWN, FAILED), limit)

    def _listed(self, where: str, args: tuple, limit: int) -> list[dict]:
        rows = self.conn.execute(
            "SELECT id, kind, ref, state, attempts, reprint_of, error, created_by, created_at,"
            f" updated_at FROM print_job {where} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        keys = (
            "id",
            "kind",
            "ref",
            "state",
            "attempts",
            "reprint_of",
            "error",
            "created_by",
            "created_at",
            "updated_at",
        )
        return [dict(zip(keys, row, strict=True)) for row in rows]
