"""UPC-E: a UPC-A with its zeros taken out, for small packs (GS1 General Specifications 5.2.2.4).
Eight digits: number system (0 or 1), six data digits, and the check digit of the UPC-A it
stands for. It names the same GTIN as that UPC-A, so it is looked up as one."""

from .check_digit import has_valid_check_digit


def expand_upc_e(code: str) -> str:
    """The 12-digit UPC-A of an 8-digit UPC-E; the last data digit says where the zeros go."""
    system, data, check = code[0], code[1:7], code[7]
    last = data[5]
    if last in "012":  # manufacturer ab<last>00, item 00cde
        body = data[:2] + last + "0000" + data[2:5]
    elif last == "3":  # manufacturer abc00, item 000de
        body = data[:3] + "00000" + data[3:5]
    elif last == "4":  # manufacturer abcd0, item 0000e
        body = data[:4] + "00000" + data[4]
    else:  # manufacturer abcde, item 0000<last>
        body = data[:5] + "0000" + last
    return system + body + check


# Last data digit -> (position, digits it may not be): a zero there means the UPC-A has a
# shorter form, the one an encoder writes; eight digits in the longer form are no UPC-E.
_CANONICAL = {"3": (2, "012"), "4": (3, "0"), **dict.fromkeys("56789", (4, "0"))}


def is_upc_e(code: str) -> bool:
    """Eight digits, number system 0 or 1, the form an encoder writes, and the UPC-A they expand
    to has a valid check digit."""
    if len(code) != 8 or not code.isascii() or not code.isdigit() or code[0] not in "01":
        return False
    position, not_allowed = _CANONICAL.get(code[6], (0, ""))
    if code[1 + position] in not_allowed:
        return False
    return has_valid_check_digit(expand_upc_e(code))
