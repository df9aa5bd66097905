"""Receipt printer (ESC/POS) driver. Pure protocol code: never imports ``gateway``.

Layouts turn plain documents (``PickSlip``, ``ReceivingReport``, ``ShelfLabel``, ``TestPage``)
into ESC/POS bytes in CP866 for an 80 mm (48 columns) or 58 mm (32 columns) roll; ``Printer``
sends them through any python-escpos connection and reports ``ok`` / ``paper_out`` / ``offline``.
"""

from drivers.printer.documents import (
    PAPER_58MM,
    PAPER_80MM,
    Document,
    Paper,
    PickLine,
    PickSlip,
    ReceivingLine,
    ReceivingReport,
    ShelfLabel,
    TestPage,
    UnresolvedCode,
)
from drivers.printer.errors import PaperOut, PrinterError, PrinterOffline
from drivers.printer.layouts import render, write_document
from drivers.printer.printer import Printer
from drivers.printer.status import PrinterStatus, query_status
from drivers.printer.text import format_money

__all__ = [
    "PAPER_58MM",
    "PAPER_80MM",
    "Document",
    "Paper",
    "PaperOut",
    "PickLine",
    "PickSlip",
    "Printer",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "ReceivingLine",
    "ReceivingReport",
    "ShelfLabel",
    "TestPage",
    "UnresolvedCode",
    "format_money",
    "query_status",
    "render",
    "write_document",
]
