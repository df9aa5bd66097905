"""What can be printed: plain dataclasses the gateway fills from its own data.

Money is integer kopecks and quantities are integers, as everywhere in the project. Text may be any
Unicode; the layouts make it printable in CP866 (see ``text.printable``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Paper:
    """Printable width of a roll: characters per line in font A (12 dots) and dots per line."""

    columns: int
    dots: int


PAPER_80MM = Paper(columns=48, dots=576)
PAPER_58MM = Paper(columns=32, dots=384)


@dataclass(frozen=True)
class PickLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class PickSlip:
    """Сборочный лист: what to take from the shelves for one order."""

    order_number: str
    customer: str
    lines: Sequence[PickLine]
    total_kopecks: int | None = None  # order total, printed when known
    phone: str = ""
    comment: str = ""


@dataclass(frozen=True)
class ReceivingLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class UnresolvedCode:
    """A scanned code that matched no sku (kept on the document until a manager links it)."""

    code: str
    count: int


@dataclass(frozen=True)
class ReceivingReport:
    """Отчёт о приёмке: a posted receiving document."""

    document_id: str
    lines: Sequence[ReceivingLine]
    posted_by: str
    posted_at: datetime
    unresolved: Sequence[UnresolvedCode] = ()
    supplier: str = ""


@dataclass(frozen=True)
class ShelfLabel:
    """Ценник: name, characteristics (цвет, размер), price and the EAN-13 of the sku."""

    name: str
    price_kopecks: int
    ean13: str | None = None
    sku: str = ""
    characteristics: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TestPage:
    """Non-fiscal test page: code page, widths, styles and a barcode, for «Устройства и связь»."""

    __test__ = False  # not a pytest test class, despite the name

    printer_name: str = ""
    extra_lines: Sequence[str] = ()


Document = PickSlip | ReceivingReport | ShelfLabel | TestPage
