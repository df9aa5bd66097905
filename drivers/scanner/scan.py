"""One scan as a reader delivers it: the bytes, the decoded text and the parse outcome."""

from dataclasses import dataclass

from .barcodes import parse_code
from .codes import ParsedCode
from .errors import BarcodeError

FNC1_BYTE = 0xE8  # FNC1 in first position sent as char 232 (FISCAL.md 4.2)


@dataclass(frozen=True)
class Scan:
    raw: bytes  # as read, terminator removed (HID: the decoded text as UTF-8)
    text: str
    code: ParsedCode | None = None
    error: BarcodeError | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None


def scan_from_text(text: str, raw: bytes | None = None) -> Scan:
    raw = text.encode("utf-8", "replace") if raw is None else raw
    try:
        return Scan(raw, text, code=parse_code(text))
    except BarcodeError as error:
        return Scan(raw, text, error=error)


def decode_scan_bytes(raw: bytes, encoding: str = "utf-8", fallback: str = "cp1251") -> str:
    """Bytes -> text. ASCII and GS pass through; a leading 0xE8 (FNC1) stays char 232; Cyrillic
    from a scanner typing through a Russian layout decodes as Cyrillic (UTF-8, or the
    ``fallback`` single-byte code page) so the parser can say what happened."""
    head = ""
    if raw[:1] == bytes([FNC1_BYTE]):
        head, raw = chr(FNC1_BYTE), raw[1:]
    try:
        return head + raw.decode(encoding)
    except UnicodeDecodeError:
        return head + raw.decode(fallback, "replace")
