"""The JSON API staff screens use: ship an order (with its receipt), sell at the counter, refund,
and the register's shift, X report and cash in/out. The marking codes of a sale or a shipment
are checked with the register first (api_marking.py). Every refusal is a JSON body
`{"error": reason, "detail": text}` with a status code that says whose move it is."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse

from drivers.fiscal.errors import FiscalError
from gateway.adapters.fiscal.staff import FiscalUnavailable
from gateway.adapters.sqlite.fiscal_repo import receipt_page, refund_view
from gateway.adapters.sqlite.queries import receipt_rows
from gateway.domain.errors import DomainError, InvalidTransition, NotFound
from gateway.domain.staff import Forbidden, Staff
from gateway.domain.validation import require_int
from gateway.services.fiscal import counter_sale, retry_receipt
from gateway.services.orders import ship_order
from gateway.services.refunds import refund
from gateway.services.sale_reserve import HeldForOrders

from .api_marking import (
    REFUSED,
    add_marking_api,
    require_marking_allowed,
    sale_codes,
    shipment_codes,
)
from .auth import signed_in

JsonBody = Annotated[dict[str, Any], Body()]
# A row id in a path: SQLite's INTEGER range, so a bigger number is refused (422) instead of
# failing as it is bound to the query (OverflowError, a 500).
SQLITE_INT_MIN, SQLITE_INT_MAX = -(2**63), 2**63 - 1
RowId = Annotated[int, Path(ge=SQLITE_INT_MIN, le=SQLITE_INT_MAX)]
RowQuery = Annotated[int | None, Query(ge=SQLITE_INT_MIN, le=SQLITE_INT_MAX)]
OptionalBody = Annotated[dict[str, Any] | None, Body()]
HTTP_FOR_REASON = {
    "not_found": 404,
    "invalid_transition": 409,
    "stale_version": 409,
    "scanner_busy": 409,
    REFUSED: 409,  # a marking code the register refused: the sale cannot go on
}
REGISTER_OPS = {
    "open-shift": "open_shift",
    "close-shift": "close_shift",
    "x-report": "x_report",
    "cash-in": "cash_in",
    "cash-out": "cash_out",
}


class Actions(Protocol):
    station: Any  # the scan station (gateway/adapters/scanner/station.py)
    auth: Any  # who is signed in (gateway/adapters/auth.py)
    config: Any  # the gateway's configuration (gateway/config.py)
    receipts_enabled: bool  # a register is configured: shipments get receipts
    printing_enabled: bool  # a printer is configured: a posted receiving prints its report
    marking: Any  # the marking checks (gateway/adapters/fiscal/marking_checks.py)

    def run(self, command, *args, **kwargs) -> Any: ...
    def read(self, query, *args, **kwargs) -> Any: ...
    def register(self, op: str, **kwargs) -> dict: ...


# The signed-in person (web/auth.py): never a name from the request body.
Who = Annotated[Staff, Depends(signed_in)]


def add_api(app: FastAPI, actions: Actions) -> None:
    @app.exception_handler(DomainError)
    def refused(_: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Forbidden | InvalidTransition):
            code = 403 if isinstance(exc, Forbidden) else 409
        else:
            code = HTTP_FOR_REASON.get(exc.reason, 422)
        return JSONResponse({"error": exc.reason, "detail": exc.detail}, status_code=code)

    @app.exception_handler(FiscalUnavailable)
    def unavailable(_: Request, exc: FiscalUnavailable) -> JSONResponse:
        return JSONResponse({"error": "register_unavailable", "detail": str(exc)}, 503)

    @app.exception_handler(FiscalError)
    def register_refused(_: Request, exc: FiscalError) -> JSONResponse:
        return JSONResponse({"error": "register_refused", "detail": str(exc)}, 409)

    @app.post("/api/orders/{order_id}/ship")
    def ship(order_id: str, body: JsonBody, by: Who) -> dict:
        receipt = body.get("receipt")
        if receipt is None and actions.receipts_enabled:
            receipt = {}  # with a register every shipment gets its receipt
        codes = shipment_codes(body) if receipt is not None else []
        require_marking_allowed(actions, codes, by=by, idem_key=body.get("idem_key"))
        shipped = actions.run(
            ship_order,
            order_id,
            by=by,
            lines=body.get("lines"),
            receipt=receipt,
            idem_key=body.get("idem_key"),
            expected_version=body.get("expected_version"),
        )
        actions.marking.forget(codes)
        return shipped

    @app.post("/api/sales", response_model=None)
    def sell(body: JsonBody, by: Who) -> dict | JSONResponse:
        desk = actions.config.desk
        codes = sale_codes(body)
        require_marking_allowed(actions, codes, by=by, idem_key=body.get("idem_key"))
        try:
            sold = actions.run(
                counter_sale,
                body,
                by=by,
                idem_key=body.get("idem_key"),
                discount_caps=(desk.discount_cashier_pct, desk.discount_manager_pct),
            )
        except HeldForOrders as held:  # nothing sold: the screen shows these orders and asks
            refusal = {"error": held.reason, "detail": held.detail, "orders": held.orders}
            return JSONResponse(refusal, status_code=409)
        actions.marking.forget(codes)
        return sold

    @app.get("/api/receipts")
    def receipts(limit: int = 50) -> list[dict]:
        return actions.read(receipt_rows, limit=min(max(limit, 1), 500))

    @app.get("/api/receipts/page")
    def receipts_page(before: RowQuery = None, number: RowQuery = None, limit: int = 15) -> dict:
        """«Смена»: receipts newest first, page by page (`before`: the oldest shown), or the
        one with a number; each says whether and where its money can go back."""
        return actions.read(
            receipt_page, before=before, number=number, limit=min(max(limit, 1), 100)
        )

    @app.get("/api/receipts/{receipt_id}/refund")
    def refundable(receipt_id: RowId) -> dict:
        """What can still be refunded on a receipt, line by line (what the refund enforces)."""
        found = actions.read(refund_view, receipt_id)
        if found is None:
            raise NotFound(f"receipt {receipt_id} not found / чек не найден")
        return found

    @app.post("/api/receipts/{receipt_id}/refund")
    def refund_receipt(receipt_id: RowId, body: JsonBody, by: Who) -> dict:
        return actions.run(refund, receipt_id, body, by=by, idem_key=body.get("idem_key"))

    @app.post("/api/receipts/{receipt_id}/retry")
    def retry(receipt_id: RowId, by: Who) -> dict:
        return actions.run(retry_receipt, receipt_id, by=by)

    @app.post("/api/fiscal/{operation}")
    def register(operation: str, by: Who, body: OptionalBody = None) -> dict:
        body = body or {}
        op = REGISTER_OPS.get(operation)
        if op is None:
            raise DomainError(f"unknown operation {operation}", reason="not_found")
        kwargs: dict[str, Any] = {"by": by}
        if op in ("cash_in", "cash_out"):
            kwargs["amount"] = body.get("amount")
        if op == "close_shift":  # a person closing counts the drawer first (issue 10)
            counted = body.get("counted")
            kwargs["counted"] = require_int(counted, "counted", minimum=0, maximum=10**10)
        return actions.register(op, **kwargs)

    add_marking_api(app, actions)
