"""What every document filled by scans shares (receiving, stocktake, and any later one): how a
scanned code is cleaned and looked up, what a scan did, pack arithmetic, and refusing a closed
document (DOMAIN.md 29, 32, 33).

A known barcode adds its pack quantity to the line of its sku (a running count, so a double scan
is visible and can be taken back); a code the catalog does not know is kept as an unresolved
line that counts *scans*; a Честный ЗНАК code is one physical unit, counted once a document."""

from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, InvalidTransition
from .validation import MAX_QTY, require_int

MAX_CODE_LEN = 512  # a Честный ЗНАК code with an 88-character crypto tail fits easily
RETAIL_DIGIT_LENGTHS = frozenset({8, 12, 13, 14})  # EAN-8, UPC-A, EAN-13, GTIN-14

# What a scan did, for the screen and the buzzer (accepted = good-scan beep).
COUNTED = "counted"  # a known barcode: units added to its sku
UNKNOWN = "unknown"  # not in the catalog: kept as an unresolved code (accepted, shown amber)
AMBIGUOUS = "ambiguous"  # the barcode belongs to several skus: staff must choose (nothing added)
REPEAT = "repeat"  # this marking code (one physical unit) was already counted in this document
OUT_OF_SCOPE = "out_of_scope"  # stocktake only: the sku is not part of this count


@dataclass(frozen=True)
class BarcodeMatch:
    """One catalog barcode row that matched a scan."""

    code: str  # the catalog's form of the code that matched
    sku: str
    pack: int
    name: str
    archived: bool

    def as_candidate(self) -> dict:
        return {"sku": self.sku, "name": self.name, "pack": self.pack, "archived": self.archived}


def clean_code(code: Any, where: str = "code") -> str:
    """The normalized code from the scanner parser (or typed). Inner characters are kept as
    they are: a marking code's GS separators are part of it."""
    if not isinstance(code, str):
        raise InvalidInput(f"{where} must be a string")
    text = code.strip(" \r\n\t")
    if not text:
        raise InvalidInput(f"{where} must not be empty")
    if len(text) > MAX_CODE_LEN:
        raise InvalidInput(f"{where} is longer than {MAX_CODE_LEN} characters")
    return text


def clean_gtin(gtin: Any) -> str | None:
    if gtin is None:
        return None
    if not isinstance(gtin, str) or not gtin.isdigit() or len(gtin) not in RETAIL_DIGIT_LENGTHS:
        raise InvalidInput(f"gtin must be 8, 12, 13 or 14 digits, got {gtin!r}")
    return gtin.zfill(14)


def gtin_forms(gtin: str) -> list[str]:
    """One trade item written every way a catalog may hold it: GTIN-14, EAN-13 (a GTIN-14 that
    starts with 0), UPC-A (00…), EAN-8 (000000…)."""
    padded = gtin.zfill(14)
    forms = [padded]
    for zeros in (1, 2, 6):
        if padded.startswith("0" * zeros):
            forms.append(padded[zeros:])
    return forms


def lookup_codes(code: str, gtin: str | None = None) -> list[str]:
    """The codes to look up, best first: the exact code, then the forms of its GTIN (given by
    the caller for a marking code, or the code itself when it is an EAN/UPC/GTIN)."""
    if gtin is None and code.isdigit() and len(code) in RETAIL_DIGIT_LENGTHS:
        gtin = code
    candidates = [code]
    if gtin is not None:
        candidates += [form for form in gtin_forms(gtin) if form != code]
    return candidates


def unknown_code_key(code: str, gtin: str | None) -> str:
    """The code an unresolved line is kept under (and exported for the cloud to map). A marking
    code is one physical unit: its GTIN (EAN-13 when it has a leading 0) names the product."""
    if gtin is None:
        return code
    padded = gtin.zfill(14)
    return padded[1:] if padded.startswith("0") else padded


def pick_match(
    matches: list[BarcodeMatch], chosen_sku: str | None
) -> tuple[BarcodeMatch | None, list[BarcodeMatch]]:
    """(the match to count, []) or (None, the candidates staff must choose between).

    A barcode on two skus (DOMAIN.md 29; MoySklad allows it) is never guessed. A live variant
    wins over archived ones (a barcode that moved to another variant)."""
    if chosen_sku is not None:
        for match in matches:
            if match.sku == chosen_sku:
                return match, []
        skus = ", ".join(m.sku for m in matches) or "none"
        raise InvalidInput(
            f"the scanned code is not a barcode of {chosen_sku} (it belongs to: {skus})",
            reason="wrong_sku",
        )
    live = [match for match in matches if not match.archived] or matches
    if len(live) == 1:
        return live[0], []
    return None, live


def scan_units(qty: Any, pack: int) -> int:
    """Units one scan adds: `qty` scanned items (default one) of `pack` units each."""
    count = 1 if qty is None else require_int(qty, "qty", minimum=1)
    units = count * pack
    if units > MAX_QTY:
        raise InvalidInput(f"{count} × {pack} units is more than {MAX_QTY} on one line")
    return units


def checked_total(current: int, added: int, what: str) -> int:
    total = current + added
    if total > MAX_QTY:
        raise InvalidInput(f"{what}: {total} is more than {MAX_QTY} on one line")
    return total


@dataclass(frozen=True)
class UnknownCode:
    code: str
    scans: int


def refuse_closed(what: str, doc_id: str, status: str, action: str, closed: dict[str, str]) -> None:
    """A closed document takes nothing more: `closed` says each closed status in words («is
    already posted»); the status is the refusal's reason, so a screen re-reads the document."""
    said = closed.get(status)
    if said is not None:
        raise InvalidTransition(f"{what} {doc_id} {said}: cannot {action} it", reason=status)
