"""Paper the shop prints from what the gateway knows: the receiving report when a delivery is
posted, an order's pick slip, a shelf label. Each is queued in the same transaction as the
action it belongs to, so a posted receiving always has its report, printed once."""

from datetime import datetime

from gateway.domain.errors import InvalidInput, NotFound
from gateway.domain.staff import Staff

from .idempotency import run_once
from .orders import load_open_order
from .printing import (
    MAX_LINES,
    MAX_TEXT,
    PICK_SLIP,
    RECEIVING_REPORT,
    SHELF_LABEL,
    queue_print,
    valid_ean13,
)
from .receiving import post_receiving, receiving_view


def post_receiving_and_print(
    uow,
    doc_id: str,
    *,
    by: Staff,
    allow_unresolved: bool = False,
    report: bool = True,
    idem_key: str | None = None,
) -> dict:
    posted = post_receiving(
        uow, doc_id, by=by, allow_unresolved=allow_unresolved, idem_key=idem_key
    )
    if report and not (posted.get("already") or posted.get("replayed")):
        try:
            with uow.savepoint():  # paper must never stop goods from reaching the books
                posted["print_job"] = print_receiving_report(uow, doc_id, by=by)
        except InvalidInput as exc:
            posted["print_problem"] = exc.detail
    return posted


def print_receiving_report(uow, doc_id: str, *, by: Staff) -> int:
    view = receiving_view(uow, doc_id)
    payload = {
        "document_id": doc_id,
        "lines": [
            {"sku": line["sku"], "name": fit(line["name"]), "quantity": line["qty"]}
            for line in view["lines"][:MAX_LINES]
        ],
        "posted_by": fit(view.get("posted_by") or by.name),
        "unresolved": [
            {"code": fit(u["code"]), "count": u["scans"]} for u in view["unknown"][:MAX_LINES]
        ],
        "supplier": fit(view.get("supplier_ref") or ""),
    }
    if view.get("posted_at"):
        payload["posted_at"] = local_time(view["posted_at"])
    return queue_print(uow, RECEIVING_REPORT, payload, by=by)


def print_pick_slip(uow, order_id: str, *, by: Staff, idem_key: str | None = None) -> int:
    """What is still to be picked for an open order, with a barcode of its number. With a key,
    a tablet retrying a request whose answer was lost gets the same job, not a second slip
    (even once the order has been shipped meanwhile)."""
    queued = run_once(
        uow, idem_key, "print", lambda: {"print_job_id": _queue_pick_slip(uow, order_id, by)}
    )
    return queued["print_job_id"]


def _queue_pick_slip(uow, order_id: str, by: Staff) -> int:
    order = load_open_order(uow, order_id, None, "print a pick slip for")
    lines = [
        {"sku": line.sku, "name": fit(_name(uow, line.sku)), "quantity": line.open_qty}
        for line in order.lines
        if line.open_qty > 0
    ][:MAX_LINES]
    payload = {
        "order_number": order.number,
        "customer": fit(order.customer.name or ""),
        "phone": fit(order.customer.phone or ""),
        "lines": lines,
        "total_kopecks": sum(line.price * line.open_qty for line in order.lines),
    }
    return queue_print(uow, PICK_SLIP, payload, by=by)


def print_shelf_label(uow, sku: str, *, by: Staff, idem_key: str | None = None) -> int:
    queued = run_once(uow, idem_key, "print", lambda: {"print_job_id": _queue_label(uow, sku, by)})
    return queued["print_job_id"]


def _queue_label(uow, sku: str, by: Staff) -> int:
    variant = uow.catalog.variant(sku)
    if variant is None:
        raise NotFound(f"unknown sku {sku}")
    codes = [match.code for match in uow.catalog.barcodes_of(sku) if match.pack == 1]
    ean13 = next((code for code in codes if valid_ean13(code)), None)
    payload = {"name": fit(variant.name), "price_kopecks": variant.price, "sku": sku}
    if ean13 is not None:
        payload["ean13"] = ean13
    return queue_print(uow, SHELF_LABEL, payload, by=by)


def fit(text: str) -> str:
    """Paper has room for MAX_TEXT characters of a field; the catalog allows longer names."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def local_time(utc: str) -> str:
    """Stored times are UTC; paper shows the shop's own clock (the Pi's time zone)."""
    return datetime.fromisoformat(utc).astimezone().replace(tzinfo=None).isoformat()


def _name(uow, sku: str) -> str:
    variant = uow.catalog.variant(sku)
    return variant.name if variant else sku
