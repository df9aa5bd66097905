"""The JSON API of goods handled by scan: receiving (приёмка), stocktake (инвентаризация), the
scanner's current document, item lookup, and the printed paper (pick slips, reports, labels).

A code typed on a tablet goes through the same parser as the scanner's: a code mangled by a
keyboard layout or missing its GS separators is refused with what to do, never taken as another
item."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from drivers.scanner import BarcodeError, MarkingCode, ParsedCode, parse_code
from gateway.adapters.sqlite.print_repo import PrintRepo
from gateway.adapters.sqlite.queries import lookup_code, stock_rows
from gateway.adapters.sqlite.receiving_repo import link_candidates
from gateway.domain.errors import InvalidInput
from gateway.domain.scan_document import MAX_CODE_LEN
from gateway.domain.staff import Staff
from gateway.services import printing, receiving, stocktake
from gateway.services.documents import (
    post_receiving_and_print,
    print_pick_slip,
    print_shelf_label,
)
from gateway.services.reserve_taking import OrdersLoseReserve

from .api import Actions, JsonBody, OptionalBody, RowId, Who


def parsed(body: dict) -> ParsedCode:
    try:
        return parse_code(str(body.get("code") or ""))
    except BarcodeError as exc:
        raise InvalidInput(str(exc), reason=exc.reason) from None


def scan_args(body: dict, by: Staff) -> dict[str, Any]:
    code = parsed(body)
    return {
        "code": code.code,
        "by": by,
        "gtin": code.gtin,
        "marking": isinstance(code, MarkingCode),
        "qty": body.get("qty"),
        "sku": body.get("sku"),
        "idem_key": body.get("idem_key"),  # a retried request counts once
    }


def idem_key(body: dict | None) -> str | None:
    return (body or {}).get("idem_key")


def add_scan_document_routes(app: FastAPI, run, base: str, read, scan_into) -> None:
    """`GET {base}/{id}`: the document as its screen shows it; `POST {base}/{id}/scan`: a code
    typed on the screen, parsed like the scanner's (`scan_into(uow, id, code, ...)`)."""

    @app.get(base + "/{doc_id}")
    def document(doc_id: str) -> dict:
        return run(read, doc_id)

    @app.post(base + "/{doc_id}/scan")
    def scan(doc_id: str, body: JsonBody, by: Who) -> dict:
        args = scan_args(body, by)
        return run(scan_into, doc_id, args.pop("code"), **args)


def add_goods_api(app: FastAPI, actions: Actions) -> None:
    run = actions.run

    def closing(service, doc_id: str, **kwargs) -> dict:
        """Post, void, apply, abandon: the document is closed, so the scanner lets go of it."""
        closed = run(service, doc_id, **kwargs)
        actions.station.finished(doc_id)
        return closed

    # --- receiving ---------------------------------------------------------------------------
    @app.post("/api/receivings")
    def start_receiving(body: JsonBody, by: Who) -> dict:
        return run(
            receiving.start_receiving,
            by=by,
            supplier_ref=body.get("supplier_ref"),
            idem_key=body.get("idem_key"),
        )

    @app.get("/api/receivings")
    def receiving_drafts() -> list[dict]:
        return run(receiving.receiving_drafts)

    @app.get("/api/receivings/link-items")
    def link_items(text: str = "") -> dict:
        """«Привязать»: the items a known barcode or a typed article names, shown before the
        link is made ({"by": "barcode" | "sku" | "article" | None, "items": [...]})."""
        text = text.strip()[:MAX_CODE_LEN]
        try:
            code = parse_code(text) if text else None
        except BarcodeError:
            code = None  # an article, not a barcode
        found = code and actions.read(lookup_code, code.code, code.gtin)
        if found:
            return {"by": "barcode", "items": found["items"]}
        return actions.read(link_candidates, text) if text else {"by": None, "items": []}

    @app.post("/api/receivings/{doc_id}/qty")
    def receiving_qty(doc_id: str, body: JsonBody, by: Who) -> dict:
        line, qty = body.get("line"), body.get("qty")
        key = body.get("idem_key")
        return run(receiving.set_receiving_qty, doc_id, line, qty, by=by, idem_key=key)

    @app.post("/api/receivings/{doc_id}/resolve")
    def resolve(doc_id: str, body: JsonBody, by: Who) -> dict:
        return run(
            receiving.resolve_unknown_code,
            doc_id,
            body.get("code"),
            body.get("sku"),
            by=by,
            pack=body.get("pack", 1),
            learn=bool(body.get("learn", True)),
            idem_key=body.get("idem_key"),
        )

    @app.post("/api/receivings/{doc_id}/post")
    def post(doc_id: str, body: JsonBody, by: Who) -> dict:
        return closing(
            post_receiving_and_print,
            doc_id,
            by=by,
            allow_unresolved=bool(body.get("allow_unresolved", False)),
            report=actions.printing_enabled and bool(body.get("print", True)),
            idem_key=body.get("idem_key"),
        )

    @app.post("/api/receivings/{doc_id}/void")
    def void(doc_id: str, by: Who) -> dict:
        return closing(receiving.void_receiving, doc_id, by=by)

    # --- stocktake ---------------------------------------------------------------------------
    @app.post("/api/stocktakes")
    def start_stocktake(body: JsonBody, by: Who) -> dict:
        return run(
            stocktake.start_stocktake,
            by=by,
            skus=body.get("skus"),
            uncounted=body.get("uncounted", "ignore"),
            idem_key=body.get("idem_key"),
        )

    @app.get("/api/stocktakes/current")
    def current_stocktake() -> dict | None:
        return run(stocktake.current_stocktake)

    @app.post("/api/stocktakes/{take_id}/count")
    def count(take_id: str, body: JsonBody, by: Who) -> dict:
        sku, counted, key = body.get("sku"), body.get("counted"), body.get("idem_key")
        recount = body.get("recount", False) is True
        return run(
            stocktake.set_stocktake_count,
            take_id, sku, counted, by=by, idem_key=key, recount=recount,
        )  # fmt: skip

    @app.post("/api/stocktakes/{take_id}/apply", response_model=None)
    def apply(take_id: str, body: JsonBody, by: Who) -> dict | JSONResponse:
        """`reserve_orders`: the report's orders losing reserve, as the person saw them. When
        they differ now, nothing changes: a 409 carrying the orders of now, to confirm again."""
        key, seen = body.get("idem_key"), body.get("reserve_orders")
        try:
            return closing(
                stocktake.apply_stocktake, take_id, by=by, reserve_orders=seen, idem_key=key
            )
        except OrdersLoseReserve as changed:
            refusal = {"error": changed.reason, "detail": changed.detail, "orders": changed.orders}
            return JSONResponse(refusal, status_code=409)

    @app.post("/api/stocktakes/{take_id}/abandon")
    def abandon(take_id: str, by: Who) -> dict:
        return closing(stocktake.abandon_stocktake, take_id, by=by)

    # What every scan document has: read it, scan into it (a code typed on its screen). After
    # the fixed paths above («/api/stocktakes/current» is not a document).
    for base, read, scan_into in (
        ("/api/receivings", receiving.receiving_view, receiving.scan_into_receiving),
        ("/api/stocktakes", stocktake.stocktake_report, stocktake.scan_into_stocktake),
    ):
        add_scan_document_routes(app, run, base, read, scan_into)

    # --- the scanner and lookup --------------------------------------------------------------
    @app.get("/api/scanner")
    def scanner() -> dict:
        return actions.station.snapshot()

    @app.post("/api/scanner/target")
    def target(body: JsonBody, by: Who) -> dict:
        replace = bool(body.get("replace", False))
        return actions.station.set_target(body.get("kind"), body.get("id"), by, replace)

    @app.post("/api/scanner/scan")
    def typed_scan(body: JsonBody, by: Who) -> dict:
        """A code typed on the tablet: it goes where the scanner's scans go."""
        return actions.station.scan_text(str(body.get("code") or ""), by=by)

    @app.get("/api/lookup")
    def lookup(code: str | None = None, sku: str | None = None) -> dict:
        if sku:
            rows = actions.read(stock_rows, sku)
            if not rows:
                raise InvalidInput(f"unknown sku {sku} / неизвестный артикул", reason="not_found")
            return {"sku": sku, "items": rows}
        found = parsed({"code": code})
        result = actions.read(lookup_code, found.code, found.gtin)
        if result is None:
            raise InvalidInput(f"unknown code {found.code} / неизвестный код", reason="not_found")
        return result

    # --- paper ---------------------------------------------------------------------------------
    @app.get("/api/print")
    def print_jobs(limit: int = 30) -> list[dict]:
        return actions.read(lambda conn: PrintRepo(conn, "").recent(min(max(limit, 1), 200)))

    # A request that lost its answer (a restart, the Wi-Fi) is sent again with the same
    # `idem_key`: it gets the same job back, and the paper comes out once.
    @app.post("/api/print/test-page")
    def test_page(by: Who, body: OptionalBody = None) -> dict:
        key = idem_key(body)
        job = run(printing.queue_print, printing.TEST_PAGE, {}, by=by, idem_key=key)
        return {"print_job": job}

    @app.post("/api/print/pick-slip/{order_id}")
    def pick_slip(order_id: str, by: Who, body: OptionalBody = None) -> dict:
        return {"print_job": run(print_pick_slip, order_id, by=by, idem_key=idem_key(body))}

    @app.post("/api/print/label/{sku}")
    def label(sku: str, by: Who, body: OptionalBody = None) -> dict:
        return {"print_job": run(print_shelf_label, sku, by=by, idem_key=idem_key(body))}

    @app.post("/api/print/reprint-last")
    def reprint_last(by: Who, body: OptionalBody = None) -> dict:
        return run(printing.reprint_last, by=by, idem_key=idem_key(body))

    @app.post("/api/print/{job_id}/reprint")
    def reprint(job_id: RowId, by: Who, body: OptionalBody = None) -> dict:
        return run(printing.reprint_job, job_id, by=by, idem_key=idem_key(body))

    @app.post("/api/print/{job_id}/confirm")
    def confirm(job_id: RowId, by: Who) -> dict:
        return run(printing.confirm_printed, job_id, by=by)
