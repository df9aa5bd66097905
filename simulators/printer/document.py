"""What the simulated printer put on paper: lines of styled text, barcodes, images, feeds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Style:
    bold: bool = False
    underline: bool = False
    width: int = 1  # character size multipliers (ESC ! doubles, GS ! goes up to 8)
    height: int = 1
    font_b: bool = False


@dataclass(frozen=True)
class Run:
    text: str
    style: Style


@dataclass
class TextLine:
    runs: list[Run] = field(default_factory=list)
    align: str = "left"
    wrapped: bool = False  # the line did not fit the paper and the printer broke it here

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def height(self) -> int:
        return max((run.style.height for run in self.runs), default=1)


@dataclass(frozen=True)
class Barcode:
    kind: str  # "CODE128", "EAN13", ...
    data: str  # what a scanner would read (CODE128 code sets and escapes resolved)
    height: int
    module_width: int
    hri: str  # "none", "above", "below", "both"
    align: str
    check_digit_ok: bool | None = None  # EAN/UPC only


@dataclass(frozen=True)
class QrCode:
    data: str
    module_size: int
    align: str


@dataclass(frozen=True)
class Raster:
    """A bit image, one bit per dot, rows of ``width_bytes`` bytes, MSB leftmost."""

    width_bytes: int
    height: int
    bits: bytes
    align: str

    def black(self, x: int, y: int) -> bool:
        return bool(self.bits[y * self.width_bytes + x // 8] & (0x80 >> (x % 8)))

    @classmethod
    def from_columns(cls, data: bytes, columns: int, rows: int, align: str) -> Raster:
        """From ESC * column data: each column ``rows // 8`` bytes, top dot in the high bit."""
        width_bytes = (columns + 7) // 8
        bits = bytearray(width_bytes * rows)
        per_column = rows // 8
        for x in range(columns):
            for y in range(rows):
                if data[x * per_column + y // 8] & (0x80 >> (y % 8)):
                    bits[y * width_bytes + x // 8] |= 0x80 >> (x % 8)
        return cls(width_bytes, rows, bytes(bits), align)


@dataclass(frozen=True)
class Feed:
    dots: int


Item = TextLine | Barcode | QrCode | Raster | Feed


@dataclass
class PrintedDocument:
    """One slip: everything printed between two cuts (or until the connection closed)."""

    items: list[Item] = field(default_factory=list)
    cut: bool = False
    unknown_commands: list[str] = field(default_factory=list)
    code_pages: list[int] = field(default_factory=list)  # every ESC t seen, in order

    @property
    def lines(self) -> list[TextLine]:
        return [item for item in self.items if isinstance(item, TextLine)]

    @property
    def text(self) -> str:
        """The printed text, one line per paper line, without trailing blank lines."""
        return "\n".join(line.text.rstrip() for line in self.lines).rstrip("\n")

    @property
    def barcodes(self) -> list[Barcode]:
        return [item for item in self.items if isinstance(item, Barcode)]

    @property
    def qr_codes(self) -> list[QrCode]:
        return [item for item in self.items if isinstance(item, QrCode)]

    @property
    def images(self) -> list[Raster]:
        return [item for item in self.items if isinstance(item, Raster)]

    @property
    def wrapped_lines(self) -> int:
        return sum(1 for line in self.lines if line.wrapped)

    def transcript(self) -> str:
        """Text with a marker line for each barcode, QR code and image: the simulator's .txt."""
        out: list[str] = []
        for item in self.items:
            if isinstance(item, TextLine):
                out.append(item.text.rstrip())
            elif isinstance(item, Barcode):
                out.append(f"[{item.kind}: {item.data}]")
            elif isinstance(item, QrCode):
                out.append(f"[QR: {item.data}]")
            elif isinstance(item, Raster):
                out.append(f"[image {item.width_bytes * 8}x{item.height}]")
        out.append("[cut]" if self.cut else "[no cut]")
        return "\n".join(out) + "\n"

    def is_blank(self) -> bool:
        return not any(
            not isinstance(item, Feed) and not (isinstance(item, TextLine) and not item.text)
            for item in self.items
        )
