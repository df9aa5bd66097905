"""The JSON API of «Сотрудники» and «Журнал» (issue 9): people, their roles and PINs, API
tokens, and the audit trail. Manager only: the services check MANAGE_STAFF on every change, and
the two reads check it here, so a cashier is refused the list of staff as firmly as a change.

Secrets are hashed here, in the request's worker thread (scrypt is slow on purpose), and only
the hash goes to the writer. A new API token is returned once and never again: the database
keeps its SHA-256 alone."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.adapters.sqlite.staff_queries import AUDIT_KINDS, audit_rows, staff_rows
from gateway.domain.errors import InvalidInput
from gateway.domain.staff import MANAGE_STAFF, authorize, check_pin
from gateway.services.pins import hash_pin, new_token, token_hash
from gateway.services.staff import (
    PERSON,
    add_staff,
    add_token,
    change_staff,
    disable_staff,
    enable_staff,
    reset_pin,
)

from .api import Actions, JsonBody, OptionalBody, RowId, Who

MAX_AUDIT_ROWS = 500


def add_staff_api(app: FastAPI, actions: Actions) -> None:
    run = actions.run  # a refusal for the shop's state (the last manager) is a 409 (api.py)

    # Every route checks the permission first: a cashier is refused before the body is looked
    # at or a PIN hashed; the service checks again (and records a manager's override).
    @app.get("/api/staff")
    def staff_list(by: Who) -> dict:
        authorize(by, MANAGE_STAFF)
        rows = actions.read(staff_rows)
        return {
            "me": by.id,
            "people": [row for row in rows if row["kind"] == PERSON],
            "tokens": [_token_row(row) for row in rows if row["kind"] != PERSON],
        }

    @app.post("/api/staff")
    def staff_add(body: JsonBody, by: Who) -> dict:
        authorize(by, MANAGE_STAFF)
        pin_hash = hash_pin(check_pin(body.get("pin")))
        inn = body.get("inn") or None
        return run(add_staff, body.get("name"), body.get("role"), pin_hash, by=by, inn=inn)

    @app.post("/api/staff/tokens")
    def token_add(body: JsonBody, by: Who) -> dict:
        authorize(by, MANAGE_STAFF)
        token = new_token()
        made = actions.run(add_token, body.get("name"), body.get("role"), token_hash(token), by=by)
        return {**made, "token": token}

    @app.post("/api/staff/{staff_id}/disable")
    def staff_disable(staff_id: RowId, by: Who, body: OptionalBody = None) -> dict:
        authorize(by, MANAGE_STAFF)
        return run(disable_staff, staff_id, by=by)

    @app.post("/api/staff/{staff_id}/enable")
    def staff_enable(staff_id: RowId, by: Who, body: OptionalBody = None) -> dict:
        authorize(by, MANAGE_STAFF)
        return run(enable_staff, staff_id, by=by)

    @app.post("/api/staff/{staff_id}/pin")
    def staff_pin(staff_id: RowId, body: JsonBody, by: Who) -> dict:
        authorize(by, MANAGE_STAFF)
        return run(reset_pin, staff_id, hash_pin(check_pin(body.get("pin"))), by=by)

    @app.post("/api/staff/{staff_id}/change")
    def staff_change(staff_id: RowId, body: JsonBody, by: Who) -> dict:
        authorize(by, MANAGE_STAFF)
        # A missing "inn" leaves it as it is; null or "" clears it (the service's convention).
        inn = (body.get("inn") or None) if "inn" in body else ""
        return run(change_staff, staff_id, by=by, role=body.get("role"), inn=inn)

    @app.get("/api/audit")
    def audit(by: Who, group: str = "", limit: int = 200) -> list[dict]:
        authorize(by, MANAGE_STAFF)
        if group and group not in AUDIT_KINDS:
            raise InvalidInput(
                f"group is one of {', '.join(AUDIT_KINDS)} / неизвестный раздел журнала",
                reason="bad_group",
            )
        return actions.read(audit_rows, group=group, limit=min(max(limit, 1), MAX_AUDIT_ROWS))


def _token_row(row: dict) -> dict:
    """A token has no INN and never signs in by PIN: its list entry says only what it is."""
    return {key: row[key] for key in ("id", "name", "role", "active", "created_at")}
