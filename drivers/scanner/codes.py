"""What a scan turned out to be. ``code`` is the normalized form to store and look up (digits for
GTINs; GS kept, symbology prefix and leading FNC1 stripped for GS1 codes); ``scanned`` is the
text as it arrived; ``gtin`` is the GTIN-14 (padded) when the code names a trade item."""

from dataclasses import dataclass
from enum import StrEnum


class CodeKind(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    UPCE = "upce"  # code: the EAN-13 form of the UPC-A it expands to (scanned: the 8 digits)
    GTIN14 = "gtin14"
    CODE128 = "code128"  # free text (Code 128, Code 39, QR ...): accepted as it is
    GS1 = "gs1"  # a GS1 element string that is not a marking code (e.g. 01 + 17 + 10)
    MARKING = "marking"  # Честный ЗНАК: 01 GTIN + 21 serial + 91/92 or 93 crypto
    TOBACCO_PACK = "tobacco_pack"  # Честный ЗНАК 29-char pack code without AIs


RETAIL_KINDS = frozenset(
    {CodeKind.EAN13, CodeKind.EAN8, CodeKind.UPCA, CodeKind.UPCE, CodeKind.GTIN14}
)


@dataclass(frozen=True, kw_only=True)
class ParsedCode:
    kind: CodeKind
    code: str
    scanned: str
    symbology: str = ""  # e.g. "]d2" when the scanner sent a symbology identifier
    gtin: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProductCode(ParsedCode):
    """EAN-13, EAN-8, UPC-A, UPC-E or GTIN-14 with a verified check digit."""

    gtin: str

    @property
    def indicator(self) -> int:
        """GTIN-14 indicator digit: 0 a unit, 1-8 a packaging level, 9 a variable-measure item."""
        return int(self.gtin[0])

    @property
    def in_store(self) -> bool:
        """EAN-13 prefix 2: restricted circulation (weighed goods, shop-internal numbers)."""
        return self.kind is CodeKind.EAN13 and self.code.startswith("2")


@dataclass(frozen=True, kw_only=True)
class TextCode(ParsedCode):
    """Free text: printable ASCII, no check digit to verify."""


@dataclass(frozen=True, kw_only=True)
class Gs1Code(ParsedCode):
    elements: tuple[tuple[str, str], ...] = ()  # (AI, value) in scan order

    def element(self, ai: str) -> str | None:
        return next((value for key, value in self.elements if key == ai), None)

    @property
    def net_weight_grams(self) -> int | None:
        """AI 310n: net weight in kg with n decimals, as whole grams (rounded down)."""
        for ai, value in self.elements:
            if ai.startswith("310"):
                decimals = int(ai[3])
                grams = int(value) * 1000
                return grams // 10**decimals
        return None


@dataclass(frozen=True, kw_only=True)
class MarkingCode(Gs1Code):
    """A Честный ЗНАК code. ``code`` keeps the GS separators: it goes to the register as is."""

    gtin: str
    serial: str
    key_id: str | None = None  # AI 91, 4 chars
    crypto: str | None = None  # AI 92, 44 or 88 chars (checkable in the fiscal drive)
    short_crypto: str | None = None  # AI 93 or the tobacco pack's last 4 chars (online check)
    max_retail_price: str | None = None  # tobacco pack МРЦ, 4 encoded chars

    @property
    def has_crypto(self) -> bool:
        return bool(self.crypto or self.short_crypto)

    @property
    def identity(self) -> str:
        """The identification code (КИ) without the crypto tail: it names one physical item."""
        if self.kind is CodeKind.TOBACCO_PACK:
            return self.code[:21]
        return f"01{self.gtin}21{self.serial}"
