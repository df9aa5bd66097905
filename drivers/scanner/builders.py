"""Valid codes to order: for tests, demos and label printing. Everything built here parses."""

from .check_digit import with_check_digit
from .gs1 import GS


def gtin(body: str, length: int = 13) -> str:
    """A GTIN of ``length`` digits (8, 12, 13 or 14) from its body (``length - 1`` digits)."""
    if length not in (8, 12, 13, 14) or len(body) != length - 1:
        raise ValueError(f"a GTIN-{length} body has {length - 1} digits: {body!r}")
    return with_check_digit(body)


def marking_code(
    gtin14: str,
    serial: str,
    *,
    key_id: str | None = None,
    crypto: str | None = None,
    short_crypto: str | None = None,
    extra: tuple[tuple[str, str], ...] = (),
    prefix: str = "",
) -> str:
    """01 GTIN 21 serial, then GS 91 key GS 92 crypto and/or GS 93 short crypto, then ``extra``
    (AI, value) fields, each after a GS. ``prefix`` may be ']d2' or a GS (FNC1)."""
    fields = [f"01{gtin14}21{serial}"]
    if key_id is not None:
        fields.append(f"91{key_id}")
    if crypto is not None:
        fields.append(f"92{crypto}")
    if short_crypto is not None:
        fields.append(f"93{short_crypto}")
    fields.extend(ai + value for ai, value in extra)
    return prefix + GS.join(fields)


def tobacco_pack_code(gtin14: str, serial: str, max_retail_price: str, crypto: str) -> str:
    if (len(gtin14), len(serial), len(max_retail_price), len(crypto)) != (14, 7, 4, 4):
        raise ValueError("tobacco pack: GTIN 14 + serial 7 + МРЦ 4 + crypto 4 characters")
    return gtin14 + serial + max_retail_price + crypto
