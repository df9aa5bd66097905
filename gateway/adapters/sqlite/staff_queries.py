"""Read-side queries of staff: the accounts and the audit trail, for the «Сотрудники» screen,
the audit view and `storegw staff list`."""

import sqlite3

AUDIT_KINDS = {  # the audit view's groups
    "sign_ins": ("sign_in", "sign_out", "lock", "idle", "expired"),
    "refusals": ("pin_refused",),
    "overrides": ("override",),
    "money": ("refund", "cash_in", "cash_out", "close_shift", "correction"),
    "staff": (
        "staff_added",
        "staff_disabled",
        "staff_enabled",
        "staff_changed",
        "pin_reset",
        "token_created",
        "token_revoked",
    ),
}


def staff_rows(conn: sqlite3.Connection, *, include_disabled: bool = True) -> list[dict]:
    where = "" if include_disabled else "WHERE active = 1"
    rows = conn.execute(
        "SELECT id, kind, name, role, inn, active, created_at,"
        " (SELECT max(created_at) FROM audit WHERE audit.staff_id = staff.id"
        "  AND audit.kind = 'sign_in') AS last_sign_in"
        f" FROM staff {where} ORDER BY kind, active DESC, lower(name)"
    ).fetchall()
    return [{**dict(row), "active": bool(row["active"])} for row in rows]


def audit_rows(
    conn: sqlite3.Connection, *, group: str | None = None, limit: int = 200
) -> list[dict]:
    kinds = AUDIT_KINDS.get(group or "", ())
    where = f"WHERE a.kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    rows = conn.execute(
        "SELECT a.id, a.kind, a.created_at, a.amount, a.detail, a.client,"
        " s.name AS staff, m.name AS approved_by, t.name AS subject"
        " FROM audit a LEFT JOIN staff s ON s.id = a.staff_id"
        " LEFT JOIN staff m ON m.id = a.approved_by LEFT JOIN staff t ON t.id = a.subject_id"
        f" {where} ORDER BY a.id DESC LIMIT ?",
        (*kinds, limit),
    ).fetchall()
    return [dict(row) for row in rows]
