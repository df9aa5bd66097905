"""Read-side queries of correction receipts (issue 11) for the «Чек коррекции» dialog, its API and
`storegw fiscal corrections`: the receipts that can be corrected, and the corrections made."""

import json
import sqlite3

from .stock_queries import search_stock

MAX_ROWS = 100
_COLUMNS = (
    "id AS receipt_id, kind AS operation, receipt_kind, state, order_id, refund_of, total, cash,"
    " card, prepaid, change, fd, shift, fiscal_ts, created_by, created_at, draft_json"
)


def correctable_receipts(conn: sqlite3.Connection, q: str = "", limit: int = 20) -> list[dict]:
    """Printed sales (and printed corrections of a sale), newest first; `q` a receipt's number
    or its fiscal document's (ФД). Each with its items and `left`: the pieces not yet refunded
    or reversed (0: nothing left to correct), and `corrected_by`: the corrections naming it."""
    where = "state = 'done' AND kind = 'sell' AND receipt_kind IN ('sell', 'correction')"
    args: list = []
    text = (q or "").strip().lstrip("№").strip()
    if text:
        if not text.isdigit():
            return []
        where += " AND (id = ? OR fd = ?)"
        args += [int(text), int(text)]
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM receipt_job WHERE {where} ORDER BY id DESC LIMIT ?",
        (*args, _limit(limit)),
    ).fetchall()
    return [_receipt(conn, dict(row)) for row in rows]


def correction_rows(conn: sqlite3.Connection, limit: int = 20) -> list[dict]:
    """The correction receipts, newest first, with their basis and reason."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM receipt_job WHERE receipt_kind = 'correction'"
        " ORDER BY id DESC LIMIT ?",
        (_limit(limit),),
    ).fetchall()
    result = []
    for row in rows:
        data = dict(row)
        draft = json.loads(data.pop("draft_json"))
        result.append({**data, "items": _items(draft), "correction": draft.get("correction")})
    return result


def correction_goods(conn: sqlite3.Connection, q: str, limit: int = 8) -> list[dict]:
    """Goods to put on a correction, found as «Остатки» finds them (a code, an article, words of
    the name), archived ones too (they were sold then); each with its price and whether it is a
    marked product (its codes go on the receipt)."""
    items = search_stock(conn, q, _limit(limit))["items"]
    marked = {
        sku: bool(flag)
        for sku, flag in conn.execute(
            "SELECT v.sku, p.marked FROM variant v JOIN product p ON p.id = v.product_id"
            f" WHERE v.sku IN ({', '.join('?' * len(items))})",
            [item["sku"] for item in items],
        )
    }
    return [
        {key: item.get(key) for key in ("sku", "name", "price", "archived", "on_hand")}
        | {"marked": marked.get(item["sku"], False)}
        for item in items
    ]


def _receipt(conn: sqlite3.Connection, data: dict) -> dict:
    draft = json.loads(data.pop("draft_json"))
    items = _items(draft)
    back = conn.execute(
        "SELECT draft_json FROM receipt_job WHERE refund_of = ? AND kind = 'sell_refund'",
        (data["receipt_id"],),
    ).fetchall()
    taken = sum(item["qty"] for (text,) in back for item in json.loads(text)["items"])
    corrected = conn.execute(
        "SELECT id FROM receipt_job WHERE receipt_kind = 'correction' AND id != ?"
        " AND json_extract(draft_json, '$.correction.corrects') = ? ORDER BY id",
        (data["receipt_id"], data["receipt_id"]),
    ).fetchall()
    return {
        **data,
        "items": items,
        "contact": draft.get("contact"),
        "left": sum(item["qty"] for item in items) - taken,
        "corrected_by": [row[0] for row in corrected],
    }


def _items(draft: dict) -> list[dict]:
    return [
        {
            "sku": item["sku"],
            "name": item["name"],
            "price": item["price"],
            "qty": item["qty"],
            "amount": item["price"] * item["qty"],
            "marking_code": item.get("marking_code"),
        }
        for item in draft["items"]
    ]


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_ROWS))
