"""The one place a service checks who may do what (domain/staff.py holds the table).

A manager's override is written to the audit in the transaction of the action it allowed, so
the record and the action cannot part; so are the money actions a manager looks back on."""

from gateway.domain.staff import Staff, authorize


def require(uow, by: Staff, permission: str, *, detail: str = "", amount: int | None = None):
    """Refuses (`Forbidden`) unless `by`'s role, or the manager who approved, allows it."""
    if authorize(by, permission):
        uow.staff.audit("override", by, detail=f"{permission} {detail}".strip(), amount=amount)


def record_money(uow, by: Staff | None, kind: str, amount: int, detail: str = "") -> None:
    """Refunds, cash in and out, the shift's close: listed in the manager's audit view."""
    uow.staff.audit(kind, by, amount=amount, detail=detail)
