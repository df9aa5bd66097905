"""Read side of «Остатки»: goods running out, the search, and one sku's card with its history.

A sku's threshold is a manager's own (`stock_threshold`), else the catalog's (`variant.min_stock`),
else the configured default (domain/catalog.py `threshold`, computed here in SQL so the whole
catalog is one pass). The search reads `stock_search` (schema_stock.py): text folded in Python,
found through a trigram index; exact codes (a barcode, a sku, an article) come first."""

import json
import sqlite3

from gateway.domain.catalog import fold
from gateway.domain.receiving import lookup_codes

from .order_repo import OPEN_SQL
from .schema import MAIN_LOCATION

# The threshold and its source for rows of `variant v` LEFT JOIN `stock_threshold t`.
THRESHOLD = "COALESCE(t.min_stock, v.min_stock, :default)"
SOURCE = (
    "CASE WHEN t.min_stock IS NOT NULL THEN 'local' WHEN v.min_stock IS NOT NULL THEN 'catalog'"
    " WHEN :default > 0 THEN 'default' END"
)
AVAILABLE = "MAX(0, s.on_hand - s.reserved - s.safety)"
ITEM_COLUMNS = (
    "v.sku, v.name, v.characteristics_json, v.price, v.archived, p.name AS product,"
    " p.article, p.characteristics_json AS declared, p.marked,"
    f" s.on_hand, s.reserved, s.safety, {AVAILABLE} AS available,"
    f" {THRESHOLD} AS min_stock, {SOURCE} AS min_source,"
    " v.min_stock AS catalog_min, t.min_stock AS local_min"
)
ITEM_FROM = (
    " FROM variant v JOIN product p ON p.id = v.product_id"
    " JOIN stock_level s ON s.sku = v.sku AND s.location_id = :loc"
    " LEFT JOIN stock_threshold t ON t.sku = v.sku"
)
MAX_RESULTS = 200


def low_stock(conn: sqlite3.Connection, default_min: int, limit: int = -1) -> list[dict]:
    """Live skus whose available is at or below their threshold, most urgent first (none
    left, then the furthest below); the first `limit` (all: -1). Keys: sku, name,
    characteristics, on_hand, reserved, available, min_stock."""
    # Without a default only skus with a threshold of their own can qualify: read just those.
    only = (
        ""
        if default_min > 0
        else " AND v.sku IN (SELECT sku FROM stock_threshold"
        " UNION ALL SELECT sku FROM variant WHERE min_stock IS NOT NULL)"
    )
    rows = conn.execute(
        f"SELECT v.sku, v.name, v.characteristics_json, s.on_hand, s.reserved,"
        f" {AVAILABLE} AS available, {THRESHOLD} AS min_stock"
        " FROM variant v JOIN stock_level s ON s.sku = v.sku AND s.location_id = :loc"
        " LEFT JOIN stock_threshold t ON t.sku = v.sku"
        f" WHERE v.archived = 0 AND {THRESHOLD} > 0 AND {AVAILABLE} <= {THRESHOLD}{only}"
        f" ORDER BY available, {THRESHOLD} - available DESC, v.name, v.sku LIMIT :limit",
        {"default": default_min, "loc": MAIN_LOCATION, "limit": limit},
    )
    return [
        {
            "sku": row[0],
            "name": row[1],
            "characteristics": json.loads(row[2]),
            "on_hand": row[3],
            "reserved": row[4],
            "available": row[5],
            "min_stock": row[6],
        }
        for row in rows
    ]


def _item(row: dict) -> dict:
    values = json.loads(row["characteristics_json"])
    declared = json.loads(row["declared"])
    min_stock = row["min_stock"] or 0
    available = row["available"]
    return {
        "sku": row["sku"],
        "name": row["name"],
        "product": row["product"],
        "article": row["article"],
        # In the order the product declares them (Цвет, Размер), as the shelf label shows them.
        "characteristics": [{"name": n, "value": values[n]} for n in declared if n in values],
        "price": row["price"],
        "archived": bool(row["archived"]),
        "marked": bool(row["marked"]),  # the sale asks a marked item's code at once
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "safety": row["safety"],
        "available": available,
        "min_stock": min_stock,
        "min_source": row["min_source"],
        "catalog_min": row["catalog_min"],
        "local_min": row["local_min"],
        "low": min_stock > 0 and available <= min_stock,
    }


def _items(conn: sqlite3.Connection, where: str, args: dict, default_min: int) -> list[dict]:
    rows = conn.execute(
        f"SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE {where}",
        {"default": default_min, "loc": MAIN_LOCATION, **args},
    )
    names = [column[0] for column in rows.description]
    return [_item(dict(zip(names, row, strict=True))) for row in rows]


def search_stock(
    conn: sqlite3.Connection, text: str, limit: int = 50, *, default_min: int = 0
) -> dict:
    """A scanned or typed barcode, a sku or an article equal to the text come first; then
    variants whose name, article, sku or barcodes contain every word of it (any case, ё = е).
    {"items": [...] (at most `limit`), "more": more matched, "exact": how many came first}."""
    text = (text or "").strip()
    limit = max(1, min(limit, MAX_RESULTS))
    if not text:
        return {"items": [], "more": False, "exact": 0}
    everything = _exact_skus(conn, text)
    exact = everything[:limit]
    more = len(everything) > limit
    found = list(exact)
    if len(found) < limit:
        room = limit - len(found)
        # One more than there is room for tells whether there are more.
        contained = [s for s in _containing(conn, text, room + 1 + len(found)) if s not in exact]
        more = len(contained) > room
        found += contained[:room]
    items = _by_skus(conn, found, default_min)
    rank = {sku: n for n, sku in enumerate(exact)}
    items.sort(key=lambda item: (rank.get(item["sku"], len(rank)), fold(item["name"])))
    return {"items": items, "more": more, "exact": len(exact)}


def _exact_skus(conn: sqlite3.Connection, text: str) -> list[str]:
    skus: list[str] = []
    for code in lookup_codes(text):
        skus += [r[0] for r in conn.execute("SELECT sku FROM barcode WHERE code = ?", (code,))]
    skus += [r[0] for r in conn.execute("SELECT sku FROM variant WHERE sku = ?", (text,))]
    skus += [
        r[0]
        for r in conn.execute(
            "SELECT v.sku FROM product p JOIN variant v ON v.product_id = p.id"
            " WHERE p.article = ? ORDER BY v.sku LIMIT ?",
            (text, MAX_RESULTS),
        )
    ]
    return list(dict.fromkeys(skus))


_GLOB_SPECIAL = str.maketrans({"*": "?", "[": "?"})  # GLOB's own characters: any one


def _is_code(word: str) -> bool:
    """A word with a digit: a barcode, a sku or an article, rarer than any word of a name."""
    return any(c.isdigit() for c in word)


def _containing(conn: sqlite3.Connection, text: str, limit: int) -> list[str]:
    """Variants whose folded text holds every word. One word goes through the trigram index —
    the one likely to be rarest (with digits, then the longest): a common word («футболка»)
    matches most of the catalog and would make the index read it all; the other words filter
    what it found. With no word of three letters the text is scanned (with a limit)."""
    words = fold(text).replace("\x00", " ").split()  # NUL, like a space, separates words
    if not words:  # the text was nothing but NULs: no word to contain
        return []
    indexed = [w for w in words if len(w) >= 3]
    key = max(indexed, key=lambda w: (_is_code(w), len(w)), default=None)
    # FTS5 answers a GLOB from its index; `instr` then keeps the rows holding each word
    # exactly (GLOB's own `*`, `?` and `[` in the word are asked for as any character). The
    # index intersects the rows of every trigram of the pattern: of a code only the end is
    # asked for, as barcodes and skus share their beginnings («4600000…») and the trigrams of
    # those are in every row (a 13-digit barcode: 4 ms, its last five digits: 0.1 ms).
    where, args = [], []
    if key is not None:
        piece = key[-5:] if _is_code(key) else key
        where.append("text GLOB ?")
        args.append("*" + piece.translate(_GLOB_SPECIAL) + "*")
    for word in words:
        where.append("instr(text, ?)")
        args.append(word)
    rows = conn.execute(
        "SELECT v.sku FROM stock_search JOIN variant v ON v.rowid = stock_search.rowid"
        f" WHERE {' AND '.join(where)} LIMIT ?",
        (*args, limit),
    )
    return [row[0] for row in rows]


def _by_skus(conn: sqlite3.Connection, skus: list[str], default_min: int) -> list[dict]:
    if not skus:
        return []
    marks = ",".join(f":s{n}" for n in range(len(skus)))
    args = {f"s{n}": sku for n, sku in enumerate(skus)}
    return _items(conn, f"v.sku IN ({marks})", args, default_min)


def sku_card(
    conn: sqlite3.Connection, sku: str, *, default_min: int = 0, history: int = 50
) -> dict | None:
    """One variant: its numbers, threshold, barcodes, what orders hold it, and its movement
    history newest first (when, why, which document, who). None if the sku is unknown."""
    items = _by_skus(conn, [sku], default_min)
    if not items:
        return None
    card = items[0]
    card["barcodes"] = [
        {"code": code, "pack": pack}
        for code, pack in conn.execute(
            "SELECT code, pack_qty FROM barcode WHERE sku = ? ORDER BY pack_qty, code", (sku,)
        )
    ]
    card["orders"] = [
        {"order_id": r[0], "number": r[1], "status": r[2], "reserved": r[3], "short": r[4]}
        for r in conn.execute(
            "SELECT o.id, o.number, o.status, SUM(l.qty_reserved),"
            " SUM(l.qty_ordered - l.qty_reserved - l.qty_shipped - l.qty_cancelled)"
            " FROM customer_order o JOIN order_line l ON l.order_id = o.id"
            f" WHERE o.status IN ({OPEN_SQL}) AND l.sku = ?"  # through the open orders (m020)
            " GROUP BY o.id ORDER BY o.arrival",
            (sku,),
        )
    ]
    card["history"] = stock_moves(conn, sku, history)
    low = conn.execute("SELECT since FROM stock_low WHERE sku = ?", (sku,)).fetchone()
    card["low_since"] = low[0] if low else None
    return card


def stock_moves(conn: sqlite3.Connection, sku: str, limit: int = 50) -> list[dict]:
    """The moves of goods of one sku, newest first; a manager's correction brings its reason
    and note. Reserves and releases are the orders' history (the index skips them, m020)."""
    rows = conn.execute(
        "SELECT m.id, m.created_at, m.reason, m.d_on_hand, m.d_reserved, m.ref_type, m.ref_id,"
        " m.actor, m.staff_id, c.reason, c.note"
        " FROM stock_move m LEFT JOIN stock_correction c"
        " ON m.ref_type = 'correction' AND c.id = CAST(m.ref_id AS INTEGER)"
        " WHERE m.sku = ? AND m.location_id = ? AND m.d_on_hand != 0"
        " ORDER BY m.id DESC LIMIT ?",
        (sku, MAIN_LOCATION, max(1, min(limit, 500))),
    )
    return [
        {
            "id": r[0],
            "at": r[1],
            "reason": r[2],
            "d_on_hand": r[3],
            "d_reserved": r[4],
            "ref_type": r[5],
            "ref_id": r[6],
            "order_id": r[6].split("/")[0] if r[5] == "order" and r[6] else None,
            "by": r[7],
            "staff_id": r[8],
            "correction": {"reason": r[9], "note": r[10]} if r[9] else None,
        }
        for r in rows
    ]
