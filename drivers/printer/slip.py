"""``Slip``: the few moves every layout makes, written onto any python-escpos ``Escpos``."""

from __future__ import annotations

from escpos.escpos import Escpos
from escpos.magicencode import MagicEncode

from drivers.printer import barcodes
from drivers.printer.documents import Paper
from drivers.printer.text import justify, printable, rule, wrap

CODE_PAGE = "CP866"
BARCODE_HEIGHT_DOTS = 80  # 10 mm at 203 dpi: easy for a hand scanner


class Slip:
    def __init__(self, printer: Escpos, paper: Paper):
        self.printer = printer
        self.paper = paper

    @property
    def columns(self) -> int:
        return self.paper.columns

    def start(self) -> None:
        """ESC @ then ESC t CP866. ESC @ resets the printer's code page, so the encoder's idea of
        the current one is reset too: otherwise a reused printer object skips the ESC t."""
        self.printer.hw("INIT")
        self.printer.magic = MagicEncode(self.printer)
        self.printer.charcode(CODE_PAGE)
        self.normal()

    def normal(self) -> None:
        self.printer.set(align="left", bold=False, normal_textsize=True, underline=0)

    def title(self, text: str, *, double_width: bool = True) -> None:
        """Centred, bold and tall; double width only when the text fits half the columns."""
        fits_wide = double_width and len(printable(text)) <= self.columns // 2
        width = self.columns // 2 if fits_wide else self.columns
        self.printer.set(align="center", bold=True, double_height=True, double_width=fits_wide)
        for line in wrap(text, width):
            self.printer.textln(line)
        self.normal()

    def line(self, text: str = "", *, bold: bool = False, align: str = "left") -> None:
        if bold or align != "left":
            self.printer.set(bold=bold, align=align)
        for part in wrap(text, self.columns):
            self.printer.textln(part)
        if bold or align != "left":
            self.normal()

    def indented(self, text: str, indent: int = 4) -> None:
        for part in wrap(text, self.columns - indent):
            self.printer.textln(" " * indent + part)

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        if bold:
            self.printer.set(bold=True)
        for part in justify(left, right, self.columns):
            self.printer.textln(part)
        if bold:
            self.normal()

    def rule(self, char: str = "-") -> None:
        self.printer.textln(rule(self.columns, char))

    def code128(self, data: str) -> None:
        payload = barcodes.code128_payload(data)
        width = barcodes.module_width(barcodes.code128_modules(payload), self.paper.dots)
        self._barcode(payload, "CODE128", width, function_type="B")

    def ean13(self, code: str) -> None:
        code = barcodes.validate_ean13(code)
        width = barcodes.module_width(barcodes.EAN13_MODULES, self.paper.dots)
        self._barcode(code, "EAN13", width, function_type="A")

    def _barcode(self, payload: str, kind: str, width: int, function_type: str) -> None:
        # The printer draws the bars (GS k): crisp at any dpi, and tiny on the wire. The public
        # ``barcode()`` would only add a software fallback (an image) we never want, and print
        # "Using hardware barcode renderer" to stdout on every call, i.e. into the journal.
        self.printer._hw_barcode(
            payload,
            kind,
            height=BARCODE_HEIGHT_DOTS,
            width=width,
            pos="BELOW",
            function_type=function_type,
        )
        self.printer.ln()
        self.normal()

    def feed(self, lines: int = 1) -> None:
        self.printer.ln(lines)

    def cut(self) -> None:
        self.printer.cut()
