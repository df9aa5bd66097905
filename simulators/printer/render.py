"""Draw a ``PrintedDocument`` as a PNG a person can look at: paper width in printer dots, a
monospace font in the printer's character cells, barcodes as bars, a dashed line at the cut."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import barcode as python_barcode
import qrcode
from PIL import Image, ImageDraw, ImageFont

from .document import Barcode, Feed, PrintedDocument, QrCode, Raster, TextLine

MARGIN = 16
LINE_SPACING = 6  # Epson's default line is 30 dots: a 24-dot cell plus 6
CELLS = {False: (12, 24), True: (9, 17)}  # font A, font B (width, height in dots)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu")
BARS = {
    "CODE128": "code128",
    "GS1-128": "code128",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPC-A": "upca",
    "ITF": "itf",
    "CODABAR": "codabar",
}
PAPER, INK, NOTE, WARNING = (255, 255, 255), (0, 0, 0), (150, 150, 150), (200, 0, 0)


def render_document(document: PrintedDocument, paper_dots: int) -> Image.Image:
    blocks = [_block(item, paper_dots) for item in document.items]
    blocks.append(_end_mark(document.cut, paper_dots))
    height = sum(block.height for block in blocks) + 2 * MARGIN
    image = Image.new("RGB", (paper_dots + 2 * MARGIN, height), PAPER)
    y = MARGIN
    for block in blocks:
        image.paste(block, (MARGIN, y))
        y += block.height
    return image


def _block(item, paper_dots: int) -> Image.Image:
    if isinstance(item, TextLine):
        return _text_line(item, paper_dots)
    if isinstance(item, Barcode):
        return _barcode(item, paper_dots)
    if isinstance(item, QrCode):
        return _qr(item, paper_dots)
    if isinstance(item, Raster):
        return _raster(item, paper_dots)
    if isinstance(item, Feed):
        return Image.new("RGB", (paper_dots, max(item.dots, 1)), PAPER)
    raise TypeError(f"cannot draw {item!r}")


def _text_line(line: TextLine, paper_dots: int) -> Image.Image:
    cells = [(char, run.style) for run in line.runs for char in run.text]  # a cell per character
    height = max((CELLS[s.font_b][1] * s.height for _, s in cells), default=24) + LINE_SPACING
    width = sum(CELLS[s.font_b][0] * s.width for _, s in cells)
    block = Image.new("RGB", (paper_dots, height), PAPER)
    x = _aligned_x(line.align, width, paper_dots)
    for char, style in cells:
        cell_w, cell_h = CELLS[style.font_b]
        glyph = _glyph(char, style.font_b, style.bold, style.width, style.height)
        size = glyph.size
        top = height - LINE_SPACING - size[1]  # characters stand on a common baseline
        block.paste(glyph, (x, top))
        if style.underline:
            ImageDraw.Draw(block).line([(x, top + size[1] - 1), (x + size[0], top + size[1] - 1)])
        x += size[0]
    return block


def _barcode(item: Barcode, paper_dots: int) -> Image.Image:
    pattern = _bar_pattern(item)
    label = item.data.replace("\x1d", "<GS>")
    hri_lines = {"none": 0, "above": 1, "below": 1, "both": 2}[item.hri]
    height = item.height + hri_lines * 30 + LINE_SPACING
    block = Image.new("RGB", (paper_dots, height), PAPER)
    draw = ImageDraw.Draw(block)
    top = 30 if item.hri in ("above", "both") else 0
    width = len(pattern) * item.module_width if pattern else 0
    if not pattern or width > paper_dots:
        reason = "does not fit the paper" if pattern else "bars not simulated"
        draw.rectangle([0, top, paper_dots - 1, top + item.height - 1], outline=WARNING)
        draw.text((8, top + 8), f"{item.kind} {label}: {reason}", fill=WARNING, font=_font(False))
        return block
    x = _aligned_x(item.align, width, paper_dots)
    for i, bit in enumerate(pattern):
        if bit == "1":
            left = x + i * item.module_width
            draw.rectangle([left, top, left + item.module_width - 1, top + item.height - 1], INK)
    if item.check_digit_ok is False:
        label += "  (check digit wrong)"
    for y in ([0] if item.hri in ("above", "both") else []) + (
        [top + item.height + 4] if item.hri in ("below", "both") else []
    ):
        text_width = 12 * len(label)
        color = WARNING if item.check_digit_ok is False else INK
        draw.text((_aligned_x(item.align, text_width, paper_dots), y), label, color, _font(False))
    return block


def _bar_pattern(item: Barcode) -> str:
    """The modules, 1 for a bar, from python-barcode (the simulator's own encoder, not the
    printer driver's); empty when the symbology is not drawn."""
    name = BARS.get(item.kind)
    if name is None:
        return ""
    data = item.data.replace("\x1d", "")
    try:
        return "".join(python_barcode.get_barcode_class(name)(data).build())
    except Exception:  # python-barcode refuses data the printer would refuse too
        return ""


def _qr(item: QrCode, paper_dots: int) -> Image.Image:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(item.data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) * item.module_size
    block = Image.new("RGB", (paper_dots, size + LINE_SPACING), PAPER)
    draw = ImageDraw.Draw(block)
    left = _aligned_x(item.align, size, paper_dots)
    m = item.module_size
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                x, y = left + col * m, row * m
                draw.rectangle([x, y, x + m - 1, y + m - 1], INK)
    return block


def _raster(item: Raster, paper_dots: int) -> Image.Image:
    # ESC/POS: a set bit is a black dot; Pillow's mode "1": a set bit is white.
    inverted = bytes(b ^ 0xFF for b in item.bits)
    picture = Image.frombytes("1", (item.width_bytes * 8, item.height), inverted).convert("RGB")
    block = Image.new("RGB", (paper_dots, item.height), PAPER)
    block.paste(picture, (_aligned_x(item.align, picture.width, paper_dots), 0))
    return block


def _end_mark(cut: bool, paper_dots: int) -> Image.Image:
    block = Image.new("RGB", (paper_dots, 30), PAPER)
    draw = ImageDraw.Draw(block)
    if cut:
        for x in range(0, paper_dots, 16):
            draw.line([(x, 15), (x + 8, 15)], NOTE, 2)
    else:
        draw.text((0, 4), "(no cut: the connection ended)", NOTE, _font(False))
    return block


def _aligned_x(align: str, width: int, paper_dots: int) -> int:
    if align == "center":
        return max(0, (paper_dots - width) // 2)
    if align == "right":
        return max(0, paper_dots - width)
    return 0


@lru_cache(maxsize=4096)
def _glyph(char: str, font_b: bool, bold: bool, width: int, height: int) -> Image.Image:
    """One character cell, drawn at the height multiplier and stretched to the width one."""
    cell_w, cell_h = (side * height for side in CELLS[font_b])
    glyph = Image.new("RGB", (cell_w, cell_h), PAPER)
    draw = ImageDraw.Draw(glyph)
    baseline = round(cell_h * 0.79)
    draw.text((0, baseline), char, INK, _font(font_b, bold, height), anchor="ls")
    if width != height:
        glyph = glyph.resize((CELLS[font_b][0] * width, cell_h), Image.Resampling.BILINEAR)
    return glyph


@lru_cache(maxsize=64)
def _font(font_b: bool, bold: bool = False, scale: int = 1):
    # DejaVu Sans Mono: a 0.6 em advance fills a 9- / 12-dot cell at 15 / 20 px
    size = (15 if font_b else 20) * scale
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)
