"""Which items a refund receipt gives back (возврат прихода), and how the money goes back.

A sold receipt's pieces are kept apart by (sku, marking code, price): one sku sold at two prices
is refunded at the price each piece was sold for. Nothing is refunded twice."""

from typing import Any

from .errors import InvalidInput
from .fiscal import Payments, ReceiptItem, check_marking_code
from .validation import require_dict, require_id, require_int, require_list

PieceKey = tuple[str, str | None, int]  # sku, marking code, price


def piece_key(item: ReceiptItem) -> PieceKey:
    return (item.sku, item.marking_code, item.price)


def refund_items(
    sold: tuple[ReceiptItem, ...], refunded: dict[PieceKey, int], request: Any
) -> list[ReceiptItem]:
    """`request`: None (everything not yet refunded) or a list of {"sku", "qty"} or
    {"sku", "marking_codes": [...]}. Refuses asking back more than is left."""
    left: dict[PieceKey, list] = {}  # key -> [template item, pieces left]
    for item in sold:
        left.setdefault(piece_key(item), [item, 0])[1] += item.qty
    for key, qty in refunded.items():
        if key in left:
            left[key][1] -= qty
    if request is None:
        chosen = [(item, qty) for item, qty in left.values() if qty > 0]
    else:
        chosen = []
        for n, raw in enumerate(require_list(request, "items"), 1):
            chosen += _take(left, require_dict(raw, f"item {n}"), n)
    if not chosen:
        raise InvalidInput("nothing left to refund on this receipt", reason="already_refunded")
    merged: dict[PieceKey, list] = {}
    for item, qty in chosen:
        merged.setdefault(piece_key(item), [item, 0])[1] += qty
    return [
        ReceiptItem(t.sku, t.name, t.price, qty, t.vat, t.subject, t.method, t.marking_code)
        for t, qty in merged.values()
    ]


def _take(left: dict, line: dict, n: int) -> list[tuple[ReceiptItem, int]]:
    sku = require_id(line.get("sku"), f"item {n}.sku")
    codes = line.get("marking_codes")
    if codes is not None:
        taken = []
        for raw in require_list(codes, f"item {n}.marking_codes"):
            code = check_marking_code(raw, sku)  # as at the sale: without a symbology prefix
            key = next((k for k in left if k[:2] == (sku, code) and left[k][1] > 0), None)
            if key is None:
                raise InvalidInput(f"item {n}: code {code!r} of {sku} was not sold or is back")
            left[key][1] -= 1
            taken.append((left[key][0], 1))
        return taken
    wanted = require_int(line.get("qty", 1), f"item {n}.qty", minimum=1)
    keys = [k for k in left if k[0] == sku and left[k][1] > 0]
    if any(k[1] is not None for k in keys):
        raise InvalidInput(f"item {n}: {sku} is marked: scan the codes of the pieces brought back")
    have = sum(left[k][1] for k in keys)
    if have < wanted:
        raise InvalidInput(f"item {n}: {wanted} × {sku} asked back, {have} left on the receipt")
    taken = []
    for key in keys:
        qty = min(wanted, left[key][1])
        if qty:
            left[key][1] -= qty
            wanted -= qty
            taken.append((left[key][0], qty))
    return taken


def refund_payments(card_left: int, refund_total: int) -> Payments:
    """Money goes back the way it came: to the card first, up to what the card paid and has
    not had back yet; the rest in cash."""
    card = max(0, min(card_left, refund_total))
    return Payments(cash=refund_total - card, card=card)
