"""``Page``: the print head's side of the decoder. Text is laid out as a real printer lays it out:
the line buffer holds as many dots as the paper is wide and a character that does not fit starts a
new line (so a layout that overflows its columns shows up as ``TextLine.wrapped``)."""

from __future__ import annotations

from dataclasses import replace

from .document import Barcode, Feed, Item, PrintedDocument, QrCode, Raster, Run, Style, TextLine

FONT_A_DOTS = 12  # 12 x 24 dots
FONT_B_DOTS = 9  # 9 x 17 dots
TAB_COLUMNS = 8


class Page:
    def __init__(self, paper_dots: int):
        self.paper_dots = paper_dots
        self.document = PrintedDocument()
        self.style = Style()
        self.align = "left"
        self._line = TextLine()
        self._line_dots = 0
        self._after_stripe = False

    # state commands ---------------------------------------------------------------------------
    def reset_modes(self) -> None:
        """ESC @: styles and alignment back to power-on values; the buffer is cleared."""
        self.style = Style()
        self.align = "left"
        self._line = TextLine()
        self._line_dots = 0

    def set_style(self, **changes) -> None:
        self.style = replace(self.style, **changes)

    def set_align(self, align: str) -> None:
        self.align = align
        if not self._line.runs:  # ESC a is honoured at the start of a line only
            self._line.align = align

    # printing ---------------------------------------------------------------------------------
    def text(self, char: str) -> None:
        width = (FONT_B_DOTS if self.style.font_b else FONT_A_DOTS) * self.style.width
        if char == "\t":
            column = self._line_dots // FONT_A_DOTS
            for _ in range(TAB_COLUMNS - column % TAB_COLUMNS):
                self.text(" ")
            return
        if self._line_dots + width > self.paper_dots:
            self._line.wrapped = True
            self.line_feed()
        if not self._line.runs:
            self._line.align = self.align
        runs = self._line.runs
        if runs and runs[-1].style == self.style:
            runs[-1] = Run(runs[-1].text + char, self.style)
        else:
            runs.append(Run(char, self.style))
        self._line_dots += width

    def line_feed(self) -> None:
        if self._after_stripe and not self._line.runs:
            self._after_stripe = False  # the LF that prints a column-image stripe adds no line
            return
        if not self._line.runs:
            self._line.align = self.align
        self._add(self._line)
        self._line = TextLine()
        self._line_dots = 0

    def feed_lines(self, count: int) -> None:
        """ESC d n: print what is buffered, then ``count`` more lines."""
        self.flush()
        for _ in range(count):
            self.line_feed()

    def feed_dots(self, dots: int) -> None:
        self.flush()
        self._add(Feed(dots))

    def add_block(self, item: Barcode | QrCode | Raster) -> None:
        """Barcodes and images start on a fresh line."""
        self.flush()
        self._add(item)

    def add_stripe(self, stripe: Raster) -> None:
        """ESC *: an 8- or 24-dot stripe of a column image, printed by the LF that follows."""
        self.add_block(stripe)
        self._after_stripe = True

    def flush(self) -> None:
        if self._line.runs:
            self.line_feed()

    def cut(self) -> PrintedDocument:
        self.flush()
        self.document.cut = True
        return self._take()

    def finish(self) -> PrintedDocument | None:
        """The connection ended: what was printed since the last cut, unless nothing was."""
        self.flush()
        if self.document.is_blank():
            self.document = PrintedDocument()
            return None
        return self._take()

    def note_unknown(self, description: str) -> None:
        self.document.unknown_commands.append(description)

    def note_code_page(self, table: int) -> None:
        self.document.code_pages.append(table)

    def _add(self, item: Item) -> None:
        self._after_stripe = False
        self.document.items.append(item)

    def _take(self) -> PrintedDocument:
        document, self.document = self.document, PrintedDocument()
        return document
