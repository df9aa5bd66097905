"""Read-side queries of staff: the accounts and the audit trail, for the «Сотрудники» screen,
the audit view and `storegw staff list`."""

import json
import re
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


# A manager's PIN that allowed an act with its own audit row (money, staff changes) is that
# act's row, not one more: permission -> the kinds of the act's row. Both are written in one
# transaction (same created_at, same person and approver), the override just before the act.
_ACTS = {
    "refund": ["refund"],
    "close_shift": ["close_shift"],
    "cash_out": ["cash_out"],
    "fiscal_correction": ["correction"],
    "manage_staff": list(AUDIT_KINDS["staff"]),
}
_NEAR = 50  # audit rows one transaction may write between the override and the act
_SAME_ACT = (
    "a.kind = 'override' AND EXISTS (SELECT 1 FROM json_each(:acts) act"
    " JOIN json_each(act.value) kind JOIN audit b ON b.kind = kind.value"
    " WHERE (a.detail = act.key OR a.detail LIKE act.key || ' %')"
    f" AND b.id BETWEEN a.id - {_NEAR} AND a.id + {_NEAR} AND b.id != a.id"
    " AND b.created_at = a.created_at AND b.staff_id IS a.staff_id"
    " AND b.approved_by IS a.approved_by)"
)
_ORDER = re.compile(r"^\S+ order (\S+?)(?:,|$)")  # an override's "cancel_order order W-1, ..."
_SHIFT = re.compile(r"^shift (\d+)$")


def audit_rows(
    conn: sqlite3.Connection, *, group: str | None = None, limit: int = 200
) -> list[dict]:
    """Newest first. One act is one row: an act a manager's PIN allowed (a refund, a shift's
    close, a new person) names both people on its own row; the override row beside it is left
    out. The «PIN управляющего» group is every act a manager's PIN allowed. Rows about an
    order carry its number as staff know it (`order_number`) and the staff's reason
    (`reason`, `reason_text`); a shift's close carries the cash counted against the books
    (`cash_counted`, `cash_expected`, `cash_difference`)."""
    kinds = AUDIT_KINDS.get(group or "", ())
    args: dict = {"acts": json.dumps(_ACTS), "limit": limit}
    where = [f"NOT ({_SAME_ACT})"]
    if kinds:
        args.update({f"k{n}": kind for n, kind in enumerate(kinds)})
        chosen = f"a.kind IN ({', '.join(f':k{n}' for n in range(len(kinds)))})"
        where.append(f"({chosen} OR a.approved_by IS NOT NULL)" if group == "overrides" else chosen)
    rows = conn.execute(
        "SELECT a.id, a.kind, a.created_at, a.amount, a.detail, a.client,"
        " s.name AS staff, m.name AS approved_by, t.name AS subject"
        " FROM audit a LEFT JOIN staff s ON s.id = a.staff_id"
        " LEFT JOIN staff m ON m.id = a.approved_by LEFT JOIN staff t ON t.id = a.subject_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT :limit",
        args,
    ).fetchall()
    return [_said(conn, dict(row)) for row in rows]


def _said(conn: sqlite3.Connection, row: dict) -> dict:
    """What the internal detail stands for, in what the screens show."""
    order = _ORDER.match(row["detail"] or "") if row["kind"] == "override" else None
    if order:
        row.update(_order_words(conn, order.group(1), row["created_at"]))
    shift = _SHIFT.match(row["detail"] or "") if row["kind"] == "close_shift" else None
    if shift:
        row.update(_shift_cash(conn, int(shift.group(1)), row["created_at"]))
    return row


def _order_words(conn: sqlite3.Connection, order_id: str, at: str) -> dict:
    """The order's number, and the reason the staff gave in the same act (a cancel, a
    released reserve: the order's history row written with the audit row)."""
    found = conn.execute("SELECT number FROM customer_order WHERE id = ?", (order_id,)).fetchone()
    said: dict = {"order_number": found[0] if found and found[0] else order_id}
    why = conn.execute(
        "SELECT json_extract(detail_json, '$.reason'), json_extract(detail_json, '$.text')"
        " FROM order_history WHERE order_id = ? AND what IN ('cancelled', 'released')"
        " AND created_at = ? ORDER BY id LIMIT 1",
        (order_id, at),
    ).fetchone()
    if why and (why[0] or why[1]):
        said["reason"], said["reason_text"] = why[0], why[1]
    return said


def _shift_cash(conn: sqlite3.Connection, number: int, at: str) -> dict:
    """The cash counted at the close beside what the books expected (the audit's amount):
    the shift of that number closed in this act (a new fiscal drive numbers from 1 again)."""
    found = conn.execute(
        "SELECT cash_expected, cash_counted FROM fiscal_shift WHERE number = ?"
        " ORDER BY closed_at = ? DESC, id DESC LIMIT 1",
        (number, at),
    ).fetchone()
    if found is None or found[1] is None:
        return {}
    expected, counted = found
    return {
        "cash_expected": expected,
        "cash_counted": counted,
        "cash_difference": None if expected is None else counted - expected,
    }
