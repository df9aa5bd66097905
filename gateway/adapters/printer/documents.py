"""A print job's plain payload (checked by gateway.services.printing) as a driver document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.printer import (
    Document,
    PickLine,
    PickSlip,
    ReceivingLine,
    ReceivingReport,
    ShelfLabel,
    TestPage,
    UnresolvedCode,
)
from gateway.services.printing import PICK_SLIP, RECEIVING_REPORT, SHELF_LABEL, TEST_PAGE


def document_for(kind: str, payload: dict[str, Any], printer_name: str = "") -> Document:
    """Raises ValueError/KeyError/TypeError for data the queue should not have held."""
    if kind == PICK_SLIP:
        return PickSlip(
            order_number=payload["order_number"],
            customer=payload["customer"],
            lines=[PickLine(**line) for line in payload["lines"]],
            total_kopecks=payload.get("total_kopecks"),
            phone=payload.get("phone", ""),
            comment=payload.get("comment", ""),
        )
    if kind == RECEIVING_REPORT:
        return ReceivingReport(
            document_id=payload["document_id"],
            lines=[ReceivingLine(**line) for line in payload["lines"]],
            posted_by=payload["posted_by"],
            posted_at=local_time(payload["posted_at"]),
            unresolved=[UnresolvedCode(**item) for item in payload.get("unresolved", [])],
            supplier=payload.get("supplier", ""),
        )
    if kind == SHELF_LABEL:
        return ShelfLabel(
            name=payload["name"],
            price_kopecks=payload["price_kopecks"],
            ean13=payload.get("ean13"),
            sku=payload.get("sku", ""),
            characteristics=payload.get("characteristics", {}),
        )
    if kind == TEST_PAGE:
        return TestPage(
            printer_name=payload.get("printer_name") or printer_name,
            extra_lines=payload.get("extra_lines", []),
        )
    raise ValueError(f"no document for print kind {kind!r}")


def local_time(text: str) -> datetime:
    """The gateway stores UTC; paper shows the shop's local time (the Pi's time zone)."""
    moment = datetime.fromisoformat(text)
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
