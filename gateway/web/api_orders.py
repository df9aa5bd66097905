"""The order desk's JSON API (issue 10): the board with its counts (polled every second), one
order, and what staff do to it — mark it seen, confirm, cancel with a reason, release a line's
reserve — and a fiscalised receipt printed again. Shipping stays in api.py.

Every action takes `expected_version` (the order as the screen showed it: a changed order is
refused with 409 `stale_version`, and the screen reloads) and `idem_key` (made when the screen
opened: a double tap or a retried request returns the first answer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway.adapters.sqlite.order_queries import TABS, board_counts, board_page, order_detail
from gateway.domain.errors import InvalidInput, NotFound
from gateway.services.orders import cancel_order, confirm_order, order_seen, release_order_line
from gateway.services.reprints import claim_reprint, reprint_not_done

from .api import Actions, JsonBody, OptionalBody, RowId, Who

NO_CACHE = {"Cache-Control": "no-store"}


def _action_args(body: dict[str, Any]) -> dict[str, Any]:
    version = body.get("expected_version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise InvalidInput("expected_version must be the order's version number")
    key = body.get("idem_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 100):
        raise InvalidInput("idem_key must be a text of 1 to 100 characters")
    return {"expected_version": version, "idem_key": key}


def add_orders_api(app: FastAPI, actions: Actions) -> None:
    desk = actions.config.desk
    windows = {
        "confirm_within": timedelta(minutes=desk.confirm_within_min),
        "pickup_within": timedelta(days=desk.pickup_within_days),
    }

    def now() -> datetime:
        return datetime.now(UTC)

    @app.get("/api/orders")
    def orders(tab: str = "new", q: str = "", page: int = 1) -> JSONResponse:
        if tab not in TABS:
            raise InvalidInput(f"tab is one of {', '.join(TABS)}", reason="bad_tab")
        if len(q) > 100:
            raise InvalidInput("a search is up to 100 characters", reason="bad_search")
        found = actions.read(board_page, now(), tab=tab, search=q, page=page, **windows)
        return JSONResponse(found, headers=NO_CACHE)

    @app.get("/api/orders/counts")
    def counts() -> JSONResponse:
        return JSONResponse(actions.read(board_counts, now()), headers=NO_CACHE)

    @app.get("/api/orders/{order_id}")
    def order(order_id: str) -> JSONResponse:
        found = actions.read(order_detail, order_id, now(), **windows)
        if found is None:
            raise NotFound(f"order {order_id} not found / заказ не найден")
        return JSONResponse(found, headers=NO_CACHE)

    @app.post("/api/orders/{order_id}/seen")
    def seen(order_id: str, by: Who) -> dict:
        return actions.run(order_seen, order_id, by=by)

    @app.post("/api/orders/{order_id}/confirm")
    def confirm(order_id: str, body: JsonBody, by: Who) -> dict:
        return actions.run(confirm_order, order_id, by=by, **_action_args(body))

    @app.post("/api/orders/{order_id}/cancel")
    def cancel(order_id: str, body: JsonBody, by: Who) -> dict:
        return actions.run(
            cancel_order,
            order_id,
            by=by,
            reason=body.get("reason", ""),  # a person always says why: none given is refused
            text=body.get("text"),
            **_action_args(body),
        )

    @app.post("/api/orders/{order_id}/release")
    def release(order_id: str, body: JsonBody, by: Who) -> dict:
        line_id = body.get("line_id")
        if not isinstance(line_id, str) or not line_id:
            raise InvalidInput("line_id: which line's reserve to release", reason="bad_line")
        return actions.run(
            release_order_line,
            order_id,
            line_id,
            by=by,
            reason=body.get("reason", ""),
            text=body.get("text"),
            **_action_args(body),
        )

    @app.post("/api/receipts/{receipt_id}/reprint")
    def reprint(receipt_id: RowId, by: Who, body: OptionalBody = None) -> dict:
        """A copy («КОПИЯ») of a fiscalised receipt, printed by the register (the worker owns
        its port); only the register's last document can be copied. With `idem_key` one tap
        prints one copy: a repeat gets the first answer, even while the copy is printing."""
        key = _action_args(body or {})["idem_key"]
        done = actions.run(claim_reprint, receipt_id, key)
        if done is not None:
            return done
        try:
            return actions.register("reprint", by=by, receipt_id=receipt_id)
        except BaseException:
            actions.run(reprint_not_done, key)
            raise
