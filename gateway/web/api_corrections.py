"""The JSON API of correction receipts (чек коррекции, issue 11), for the «Смена» screen's dialog
and for scripts: check a correction and see what would be printed, queue it, and list the
receipts that can be corrected and the corrections made. A cashier is refused with
`needs_manager` (the page asks a manager's PIN, `X-Storegw-Override`)."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.adapters.sqlite.correction_queries import (
    correctable_receipts,
    correction_goods,
    correction_rows,
)
from gateway.services.corrections import preview_correction, queue_correction

from .api import Actions, JsonBody, Who


def add_corrections_api(app: FastAPI, actions: Actions) -> None:
    """Added before `add_api`: its `POST /api/fiscal/{operation}` would take these paths."""

    @app.post("/api/fiscal/corrections")
    def queue(body: JsonBody, by: Who) -> dict:
        """{"corrects"?, "items"?, "payment"?, "date"?, "basis"?, "order_number"?, "reason",
        "take_from_stock"?, "idem_key"?} (domain/corrections.parse_request) -> the queued
        receipt(s): {"receipts": [...], "total", "receipt_id"}."""
        return actions.run(queue_correction, body, by=by, idem_key=body.get("idem_key"))

    @app.post("/api/fiscal/corrections/preview")
    def preview(body: JsonBody, by: Who) -> dict:
        """The same body: what would be printed and moved, checked; nothing is queued."""
        return actions.run(preview_correction, body, by=by)

    @app.get("/api/fiscal/corrections")
    def corrections(limit: int = 20) -> list[dict]:
        return actions.read(correction_rows, limit=limit)

    @app.get("/api/fiscal/corrections/receipts")
    def receipts(q: str = "", limit: int = 20) -> list[dict]:
        """Printed sales that a correction can reverse; `q`: a receipt's № or its ФД."""
        return actions.read(correctable_receipts, q, limit)

    @app.get("/api/fiscal/corrections/goods")
    def goods(q: str = "", limit: int = 8) -> list[dict]:
        """Goods for a correction's lines: a code, an article or words of the name."""
        return actions.read(correction_goods, q, limit)
