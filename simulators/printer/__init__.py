"""The other end of the receipt printer wire: an ESC/POS network printer on TCP.

Shares no code with ``drivers.printer`` (a codec bug must not pass on both sides): its code page
table, command parser and barcode decoding are written from the Epson ESC/POS reference.
"""

from .document import Barcode, PrintedDocument, QrCode, Raster, Style, TextLine
from .simulator import PrinterSimulator

__all__ = [
    "Barcode",
    "PrintedDocument",
    "PrinterSimulator",
    "QrCode",
    "Raster",
    "Style",
    "TextLine",
]
