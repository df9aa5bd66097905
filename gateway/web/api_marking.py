"""The marking check before a sale (разрешительный режим): `POST /api/marking/check` for the
screens, which check each code as it is scanned, and `require_marking_allowed`, with which the
sale and ship APIs check every code of the request again before anything is sold -- the page
is not trusted; a fresh answer to the page's own check is reused (adapters/fiscal/
marking_checks.py). A refused code stops it all: `{"error": "marking_refused", "detail"}`,
nothing changed. An offline answer (no answer in time) lets it through."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI

from gateway.adapters.sqlite.outbox import CommandLog
from gateway.domain import marking
from gateway.domain.errors import DomainError, InvalidInput
from gateway.domain.fiscal import check_marking_code
from gateway.domain.staff import Staff

from .auth import signed_in

REFUSED = "marking_refused"
JsonBody = Annotated[dict[str, Any], Body()]
Who = Annotated[Staff, Depends(signed_in)]


def add_marking_api(app: FastAPI, actions: Any) -> None:
    """`actions`: the gateway (`.marking` its MarkingChecks, `.read` a read-side query)."""

    @app.post("/api/marking/check")
    def check(body: JsonBody, by: Who) -> dict:
        """{"code", "sku"?, "refund"?} -> {"code", "allowed", "result" (2106), "offline",
        "reason", "detail"}."""
        sku = body.get("sku")
        code = check_marking_code(body.get("code"), sku if isinstance(sku, str) else "the item")
        refund = body.get("refund", False)
        if not isinstance(refund, bool):
            raise InvalidInput("refund is true or false")
        return actions.marking.check(code, by=by, refund=refund).as_dict()


def sale_codes(body: Any) -> list[str]:
    """The marking codes of a sale's items (`items[].marking_codes`). What is not a code is
    left to the sale itself, which refuses it in its own words."""
    lines = body.get("items") if isinstance(body, dict) else None
    codes: list[str] = []
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict):
            codes += _codes(line.get("marking_codes"), line.get("sku"))
    return list(dict.fromkeys(codes))


def shipment_codes(body: Any) -> list[str]:
    """The marking codes of a shipment's receipt (`receipt.marking_codes`: line id -> codes)."""
    receipt = body.get("receipt") if isinstance(body, dict) else None
    by_line = receipt.get("marking_codes") if isinstance(receipt, dict) else None
    codes: list[str] = []
    for line_id, line_codes in (by_line if isinstance(by_line, dict) else {}).items():
        codes += _codes(line_codes, line_id)
    return list(dict.fromkeys(codes))


def _codes(raw: Any, sku: Any) -> list[str]:
    codes = []
    for code in raw if isinstance(raw, list) else []:
        try:
            codes.append(check_marking_code(code, str(sku)))
        except InvalidInput:
            continue
    return codes


def require_marking_allowed(
    actions: Any, codes: list[str], *, by: Staff, idem_key: Any = None
) -> None:
    """Refuses (`marking_refused`) when the register refuses any of `codes`. A repeat of a
    request already done (its idempotency key is used) is not checked again: those codes are
    sold now, by it, and the repeat only returns what it did."""
    if not codes:
        return
    if isinstance(idem_key, str) and actions.read(key_used, idem_key):
        return
    refused = [v for v in actions.marking.check_all(codes, by=by) if not v.allowed]
    if refused:
        raise DomainError(marking.refusal(refused), reason=REFUSED)


def key_used(conn, idem_key: str) -> bool:
    return CommandLog(conn, "").recall(idem_key) is not None
