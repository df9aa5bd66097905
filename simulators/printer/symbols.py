"""GS k barcode types and their data as a scanner would read it."""

from __future__ import annotations

FUNCTION_A = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR"}
FUNCTION_B = {65 + m: kind for m, kind in FUNCTION_A.items()} | {
    72: "CODE93",
    73: "CODE128",
    74: "GS1-128",
    75: "GS1 DATABAR OMNIDIRECTIONAL",
    76: "GS1 DATABAR TRUNCATED",
    77: "GS1 DATABAR LIMITED",
    78: "GS1 DATABAR EXPANDED",
}
GS1_SEPARATOR = "\x1d"  # FNC1 inside GS1-128 data reads as GS


def decode_code128(data: bytes) -> str:
    """CODE128 data of GS k 73: ``{A``/``{B``/``{C`` pick a code set, ``{1`` is FNC1, ``{{`` is
    ``{``; in set C each byte is a pair of digits."""
    out: list[str] = []
    code_set = "B"
    i = 0
    while i < len(data):
        value = data[i]
        if value == ord("{") and i + 1 < len(data):
            function = chr(data[i + 1])
            i += 2
            if function in "ABC":
                code_set = function
            elif function == "1" and out:
                out.append(GS1_SEPARATOR)
            elif function == "{":
                out.append("{")
            continue  # a leading FNC1 (the GS1 marker), FNC2-4 and SHIFT print nothing
        out.append(f"{value:02d}" if code_set == "C" else chr(value))
        i += 1
    return "".join(out)


def decode_data(kind: str, data: bytes) -> str:
    if kind in ("CODE128", "GS1-128"):
        return decode_code128(data)
    return data.decode("ascii", errors="replace")


def gtin_check_digit_ok(kind: str, data: str) -> bool | None:
    """Whether the last digit of a full EAN-13 / EAN-8 / UPC-A is its check digit; None when the
    printer computes it (data without it) or the symbology has none."""
    full_length = {"EAN13": 13, "EAN8": 8, "UPC-A": 12}.get(kind)
    if full_length is None or len(data) != full_length or not data.isdigit():
        return None
    body = data[:-1]
    # weights 3,1,3,... counted from the digit next to the check digit
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(data[-1])
