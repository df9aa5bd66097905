"""Staff accounts, sessions and the audit trail (tables of schema_staff.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from gateway.domain.staff import Staff

STAFF_COLUMNS = "id, kind, name, role, secret_hash, inn, active, created_at"
# The staff counter moves on every change to accounts or sessions, so a running gateway (or its
# web process) notices a change made elsewhere, e.g. `storegw staff disable` from a terminal.
STAFF_VERSION = "staff_version"


def staff_from_row(row) -> Staff:
    return Staff(row["id"], row["name"], row["role"], row["inn"])


class StaffRepo:
    def __init__(self, conn: sqlite3.Connection, now: str, bump):
        self.conn = conn
        self.now = now
        self._bump = bump  # next_counter(STAFF_VERSION)

    # --- accounts ------------------------------------------------------------------------------
    def add(
        self, kind: str, name: str, role: str, secret_hash: str, inn: str | None, by: int | None
    ) -> int:
        self._bump(STAFF_VERSION)
        return self.conn.execute(
            "INSERT INTO staff(kind, name, role, secret_hash, inn, created_by, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (kind, name, role, secret_hash, inn, by, self.now, self.now),
        ).fetchone()[0]

    def get(self, staff_id: int) -> sqlite3.Row | None:
        return self.conn.execute(
            f"SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?", (staff_id,)
        ).fetchone()

    def find_person(self, name: str) -> sqlite3.Row | None:
        """The active person of this name, case aside (in Python: SQLite's lower() knows only
        ASCII, and «анна» must find «Анна»). A shop has tens of people, not thousands."""
        wanted = name.casefold()
        for row in self.conn.execute(
            f"SELECT {STAFF_COLUMNS} FROM staff WHERE kind = 'person' AND active = 1"
        ):
            if row["name"].casefold() == wanted:
                return row
        return None

    def update(self, staff_id: int, **fields: Any) -> None:
        self._bump(STAFF_VERSION)
        names = ", ".join(f"{key} = ?" for key in fields)
        self.conn.execute(
            f"UPDATE staff SET {names}, updated_at = ? WHERE id = ?",
            (*fields.values(), self.now, staff_id),
        )

    def active_managers(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM staff WHERE kind = 'person' AND role = 'manager' AND active = 1"
        ).fetchone()[0]

    # --- sessions ------------------------------------------------------------------------------
    def add_session(
        self, session_id: str, staff_id: int, csrf: str, client: str | None, expires_at: str
    ) -> None:
        self._bump(STAFF_VERSION)
        self.conn.execute(
            "INSERT INTO staff_session(id, staff_id, csrf, client, created_at, expires_at)"
            " VALUES (?,?,?,?,?,?)",
            (session_id, staff_id, csrf, client, self.now, expires_at),
        )

    def end_session(self, session_id: str, why: str) -> sqlite3.Row | None:
        self._bump(STAFF_VERSION)
        return self.conn.execute(
            "UPDATE staff_session SET ended_at = ?, ended_why = ?"
            " WHERE id = ? AND ended_at IS NULL RETURNING staff_id",
            (self.now, why, session_id),
        ).fetchone()

    def end_sessions_of(self, staff_id: int, why: str) -> int:
        self._bump(STAFF_VERSION)
        return self.conn.execute(
            "UPDATE staff_session SET ended_at = ?, ended_why = ?"
            " WHERE staff_id = ? AND ended_at IS NULL",
            (self.now, why, staff_id),
        ).rowcount

    def prune_sessions(self, before: str) -> None:
        """Sessions ended or expired before `before` are of no more use (the audit keeps who
        signed in when)."""
        self.conn.execute(
            "DELETE FROM staff_session WHERE expires_at < ? OR ended_at < ?", (before, before)
        )

    # --- audit ---------------------------------------------------------------------------------
    def audit(
        self,
        kind: str,
        by: Staff | None,
        *,
        subject: int | None = None,
        amount: int | None = None,
        detail: str = "",
        client: str | None = None,
    ) -> None:
        approver = by.approved_by if by is not None else None
        self.conn.execute(
            "INSERT INTO audit(kind, staff_id, approved_by, subject_id, amount, detail, client,"
            " created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                kind,
                by.id if by is not None else None,
                approver.id if approver is not None else None,
                subject,
                amount,
                detail,
                client,
                self.now,
            ),
        )
