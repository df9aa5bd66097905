"""Staff accounts, API tokens, sign-in and sign-out (issue 9). Secrets arrive hashed
(services/pins.py runs in the caller's thread): the writer never spends 100 ms on scrypt.

The shop must never be left without a manager: the last active one cannot be disabled or made
a cashier. The first one is made from the terminal (`storegw staff add`) or on the setup screen
with the one-time code from the log, and only while none exists."""

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.staff import (
    MANAGE_STAFF,
    MANAGER,
    Staff,
    check_inn,
    check_name,
    check_role,
)

from .permissions import require

PERSON, TOKEN = "person", "token"


def add_staff(
    uow, name: str, role: str, pin_hash: str, *, by: Staff, inn: str | None = None
) -> dict:
    require(uow, by, MANAGE_STAFF)
    name, role, inn = check_name(name), check_role(role), check_inn(inn)
    if uow.staff.find_person(name) is not None:
        raise InvalidInput(
            f"{name} already works here: choose another name / {name} уже есть в списке",
            reason="name_taken",
        )
    staff_id = uow.staff.add(PERSON, name, role, pin_hash, inn, by.id)
    uow.staff.audit("staff_added", by, subject=staff_id, detail=f"{name} ({role})")
    return {"id": staff_id, "name": name, "role": role}


def add_first_manager(uow, name: str, pin_hash: str) -> dict:
    """The setup screen: allowed only while the shop has no manager at all."""
    if uow.staff.active_managers():
        raise InvalidTransition(
            "a manager exists already: sign in / управляющий уже есть, войдите по PIN",
            reason="setup_done",
        )
    name = check_name(name)
    staff_id = uow.staff.add(PERSON, name, MANAGER, pin_hash, None, None)
    first = Staff(staff_id, name, MANAGER)
    uow.staff.audit("staff_added", first, subject=staff_id, detail=f"{name} (manager, setup)")
    return {"id": staff_id, "name": name, "role": MANAGER}


def add_token(uow, name: str, role: str, secret_hash: str, *, by: Staff) -> dict:
    require(uow, by, MANAGE_STAFF)
    name, role = check_name(name), check_role(role)
    token_id = uow.staff.add(TOKEN, name, role, secret_hash, None, by.id)
    uow.staff.audit("token_created", by, subject=token_id, detail=f"{name} ({role})")
    return {"id": token_id, "name": name, "role": role}


def disable_staff(uow, staff_id: int, *, by: Staff) -> dict:
    """A person or a token: their sessions end at once."""
    require(uow, by, MANAGE_STAFF)
    row = _account(uow, staff_id)
    if not row["active"]:
        return {"id": staff_id, "active": False}
    if row["kind"] == PERSON and row["role"] == MANAGER:
        _keep_a_manager(uow)
    uow.staff.update(staff_id, active=0)
    uow.staff.end_sessions_of(staff_id, "disabled")
    kind = "token_revoked" if row["kind"] == TOKEN else "staff_disabled"
    uow.staff.audit(kind, by, subject=staff_id, detail=row["name"])
    return {"id": staff_id, "active": False}


def enable_staff(uow, staff_id: int, *, by: Staff) -> dict:
    require(uow, by, MANAGE_STAFF)
    row = _account(uow, staff_id)
    if row["kind"] != PERSON:
        raise InvalidTransition("a revoked token stays revoked: create a new one")
    if not row["active"]:
        if uow.staff.find_person(row["name"]) is not None:
            raise InvalidInput(f"another {row['name']} is active", reason="name_taken")
        uow.staff.update(staff_id, active=1)
        uow.staff.audit("staff_enabled", by, subject=staff_id, detail=row["name"])
    return {"id": staff_id, "active": True}


def reset_pin(uow, staff_id: int, pin_hash: str, *, by: Staff) -> dict:
    """A new PIN; the person's open sessions end (a PIN someone else saw is no longer theirs)."""
    require(uow, by, MANAGE_STAFF)
    row = _person(uow, staff_id)
    uow.staff.update(staff_id, secret_hash=pin_hash)
    uow.staff.end_sessions_of(staff_id, "pin_reset")
    uow.staff.audit("pin_reset", by, subject=staff_id, detail=row["name"])
    return {"id": staff_id}


def change_staff(
    uow, staff_id: int, *, by: Staff, role: str | None = None, inn: str | None = ""
) -> dict:
    """Set the role and/or the INN (receipts' tag 1203; "" leaves it, None clears it)."""
    require(uow, by, MANAGE_STAFF)
    row = _person(uow, staff_id)
    fields: dict = {}
    if role is not None and check_role(role) != row["role"]:
        if row["role"] == MANAGER and row["active"]:
            _keep_a_manager(uow)
        fields["role"] = role
    if inn != "":
        fields["inn"] = check_inn(inn)
    if fields:
        uow.staff.update(staff_id, **fields)
        changes = ", ".join(f"{key}={value}" for key, value in fields.items())
        if "role" in fields:  # the journal says «Роль: управляющий → кассир»
            changes = changes.replace(f"role={role}", f"role={role} (was {row['role']})")
        uow.staff.audit("staff_changed", by, subject=staff_id, detail=f"{row['name']}: {changes}")
    return {"id": staff_id, **fields}


def _account(uow, staff_id: int):
    row = uow.staff.get(staff_id) if isinstance(staff_id, int) else None
    if row is None:
        raise NotFound(f"staff member {staff_id} not found / сотрудник не найден")
    return row


def _person(uow, staff_id: int):
    row = _account(uow, staff_id)
    if row["kind"] != PERSON:
        raise InvalidInput("that is an API token, not a person", reason="not_a_person")
    return row


def _keep_a_manager(uow) -> None:
    if uow.staff.active_managers() <= 1:
        raise InvalidTransition(
            "the shop must keep one manager: make another one first"
            " / нужен хотя бы один управляющий: сначала назначьте другого",
            reason="last_manager",
        )


# --- sessions ------------------------------------------------------------------------------


def signed_in(
    uow, staff: Staff, session_id: str, csrf: str, expires_at: str, *, client: str | None
) -> None:
    uow.staff.add_session(session_id, staff.id, csrf, client, expires_at)
    uow.staff.prune_sessions(before=uow.now[:10])  # ended or expired before today (UTC)
    uow.staff.audit("sign_in", staff, client=client)


def signed_out(uow, session_id: str, why: str, *, client: str | None) -> None:
    """`why`: sign_out, lock (Сменить кассира), idle, expired."""
    row = uow.staff.end_session(session_id, why)
    if row is not None:
        uow.staff.audit(why, Staff(row["staff_id"], "", ""), client=client)


def pin_refused(
    uow, staff_id: int | None, *, client: str | None, detail: str, asked_by: Staff | None = None
) -> None:
    """A PIN refused: wrong, during a lockout (unchecked), or not a manager's. The audit names
    the account and the address; `asked_by`: the person whose action a manager's PIN was to
    allow (an override), who is then the row's `staff`."""
    by = Staff(asked_by.id, asked_by.name, asked_by.role) if asked_by is not None else None
    uow.staff.audit("pin_refused", by, subject=staff_id, client=client, detail=detail)
