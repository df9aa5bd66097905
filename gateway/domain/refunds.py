"""Which items a refund receipt gives back (возврат прихода), and how the money goes back.

A sold receipt's pieces are kept apart by (sku, marking code, price): one sku sold at two prices
is refunded at the price each piece was sold for. Nothing is refunded twice."""

from typing import Any

from .errors import InvalidInput
from .fiscal import Payments, ReceiptItem, check_marking_code
from .marking import shown
from .validation import require_dict, require_id, require_int, require_list

PieceKey = tuple[str, str | None, int]  # sku, marking code, price
GS = "\x1d"


def piece_key(item: ReceiptItem) -> PieceKey:
    return (item.sku, item.marking_code, item.price)


def refund_items(
    sold: tuple[ReceiptItem, ...], refunded: dict[PieceKey, int], request: Any
) -> list[ReceiptItem]:
    """`request`: None (everything not yet refunded) or a list of {"sku", "qty"} or
    {"sku", "marking_codes": [...]}. Refuses asking back more than is left. A marked sku goes
    back by the codes of the pieces brought back, each sold on this receipt and not refunded
    yet; by `qty` only all of its pieces left (their codes are on the receipt)."""
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
        scanned: set[PieceKey] = set()  # the marked pieces this refund names by their code
        for n, raw in enumerate(require_list(request, "items"), 1):
            chosen += _take(left, require_dict(raw, f"item {n}"), n, scanned)
    if not chosen:
        raise InvalidInput("nothing left to refund on this receipt", reason="already_refunded")
    merged: dict[PieceKey, list] = {}
    for item, qty in chosen:
        merged.setdefault(piece_key(item), [item, 0])[1] += qty
    return [
        ReceiptItem(t.sku, t.name, t.price, qty, t.vat, t.subject, t.method, t.marking_code)
        for t, qty in merged.values()
    ]


def _take(left: dict, line: dict, n: int, scanned: set[PieceKey]) -> list[tuple[ReceiptItem, int]]:
    sku = require_id(line.get("sku"), f"item {n}.sku")
    codes = line.get("marking_codes")
    if codes is not None:
        taken = []
        if not require_list(codes, f"item {n}.marking_codes"):
            raise InvalidInput(
                f"item {n}: no marking codes of {sku} / Не отсканировано ни одного кода {sku}",
                reason="refund_codes_needed",
            )
        for raw in codes:
            code = check_marking_code(raw, sku)  # as at the sale: without a symbology prefix
            key = _sold_code(left, sku, code, n, scanned)
            scanned.add(key)
            left[key][1] -= 1
            taken.append((left[key][0], 1))
        return taken
    wanted = require_int(line.get("qty", 1), f"item {n}.qty", minimum=1)
    keys = [k for k in left if k[0] == sku and left[k][1] > 0]
    have = sum(left[k][1] for k in keys)
    if any(k[1] is not None for k in keys) and wanted != have:
        # Every marked piece left on the receipt goes back by its code from the receipt; some
        # of them only by the codes of the pieces brought back.
        raise InvalidInput(
            f"item {n}: {sku} is marked: scan the codes of the pieces brought back"
            f" / {sku}: маркированный товар — отсканируйте коды возвращаемых штук",
            reason="refund_codes_needed",
        )
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


def _sold_code(left: dict, sku: str, code: str, n: int, scanned: set[PieceKey]) -> PieceKey:
    """The piece of this receipt a scanned code names, not refunded yet; else why not."""
    same = [k for k in left if k[0] == sku and k[1] is not None and _same_code(k[1], code)]
    key = next((k for k in same if left[k][1] > 0), None)
    if key is not None:
        return key
    piece = shown(code)
    if any(k in scanned for k in same):
        raise InvalidInput(
            f"item {n}: marking code {piece} is scanned twice in this refund"
            f" / Код маркировки {piece} отсканирован дважды",
            reason="refund_code",
        )
    if same:
        raise InvalidInput(
            f"item {n}: marking code {piece} of {sku} is already refunded"
            f" / Код маркировки {piece} уже возвращён по этому чеку",
            reason="refund_code",
        )
    other = next((k[0] for k in left if k[1] is not None and _same_code(k[1], code)), None)
    if other is not None:
        raise InvalidInput(
            f"item {n}: marking code {piece} was sold on this receipt as {other}, not {sku}"
            f" / Код маркировки {piece} продан по этому чеку как {other}, а не {sku}",
            reason="refund_code",
        )
    raise InvalidInput(
        f"item {n}: marking code {piece} of {sku} was not sold on this receipt"
        f" / Код маркировки {piece} не продавался по этому чеку",
        reason="refund_code",
    )


def _same_code(sold: str, scanned: str) -> bool:
    """The whole code, or without its GS separators (pasted), or only its GTIN and serial (typed
    from the label) names the piece sold."""
    return scanned in (sold, shown(sold)) or sold.replace(GS, "") == scanned.replace(GS, "")


def refund_payments(card_left: int, refund_total: int) -> Payments:
    """Money goes back the way it came: to the card first, up to what the card paid and has
    not had back yet; the rest in cash."""
    card = max(0, min(card_left, refund_total))
    return Payments(cash=refund_total - card, card=card)
