"""Codes for the simulated scanner to type, built from the GS1 rules directly (FISCAL.md 4.1,
4.3): this shares nothing with drivers/, so a check-digit bug cannot hide on both sides."""

GS = "\x1d"


def check_digit(body: str) -> str:
    """GS1 mod-10: weights 3 and 1 alternating, starting with 3 at the rightmost body digit."""
    weights = [3, 1] * len(body)
    total = sum(int(d) * w for d, w in zip(reversed(body), weights, strict=False))
    return str(-total % 10)


def gtin(body: str) -> str:
    """EAN-8, UPC-A, EAN-13 or GTIN-14 from 7, 11, 12 or 13 body digits."""
    assert body.isdigit() and len(body) in (7, 11, 12, 13), body
    return body + check_digit(body)


def marking_code(
    gtin14: str,
    serial: str,
    *,
    key: str | None = None,
    crypto: str | None = None,
    short: str | None = None,
    weight_grams: int | None = None,
) -> str:
    """A Честный ЗНАК code: 01 GTIN 21 serial [GS 91 key GS 92 crypto] [GS 93 short]
    [GS 3103 weight in kg with 3 decimals], GS between the fields as a GS1 DataMatrix sends."""
    parts = ["01" + gtin14 + "21" + serial]
    if key is not None:
        parts += ["91" + key, "92" + (crypto or "")]
    if short is not None:
        parts.append("93" + short)
    if weight_grams is not None:
        parts.append(f"3103{weight_grams:06d}")
    return GS.join(parts)
