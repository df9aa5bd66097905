"""An order's lines on its own row (issue 12, fourth round): migration m023.

An order wrote its lines into a b-tree of their own: one more 4 KiB page in the WAL for every
order (and again at the checkpoint). The lines now live on the order row as a JSON array,
one array per line in `LINE_FIELDS` order, e.g. `[["1","TS-RED-M",2,150000,2,0,0]]`.

What the table gave for free is kept:
- `order_line` is a view over the arrays with the same columns, so reading queries are
  unchanged; through an open order's status it is read from the board's index (m017).
- the line's CHECKs, the sku's foreign key and the line id's uniqueness are triggers on the
  order row: a bad line is refused with the same kind of error, and the order with it.
"""

from sqlite_utils import Database

from gateway.domain.messages import compact_json

# The columns of a line, in the order of its JSON array (and of `OrderLine`'s fields).
LINE_FIELDS = (
    "line_id",
    "sku",
    "qty_ordered",
    "price",
    "qty_reserved",
    "qty_shipped",
    "qty_cancelled",
)


def _field(name: str, value: str = "j.value") -> str:
    return f"json_extract({value}, '$[{LINE_FIELDS.index(name)}]')"


def _type_is(name: str, json_type: str) -> str:
    return f"json_type(j.value, '$[{LINE_FIELDS.index(name)}]') = '{json_type}'"


# The table's columns in the table's order: `SELECT * FROM order_line` reads as it did.
_VIEW_COLUMNS = {"order_id": "o.id", "line_id": _field("line_id"), "position": "j.key"} | {
    name: _field(name)
    for name in ("sku", "price", "qty_ordered", "qty_reserved", "qty_shipped", "qty_cancelled")
}
ORDER_LINE_VIEW = (
    "CREATE VIEW order_line AS SELECT "
    + ", ".join(f"{value} AS {name}" for name, value in _VIEW_COLUMNS.items())
    + " FROM customer_order o, json_each(o.lines_json) j"
)

_GOOD_LINE = " AND ".join(
    [
        f"json_array_length(j.value) = {len(LINE_FIELDS)}",
        _type_is("line_id", "text"),
        f"{_field('line_id')} != ''",
        _type_is("sku", "text"),
        *(_type_is(name, "integer") for name in LINE_FIELDS[2:]),
        f"{_field('qty_ordered')} > 0",
        f"{_field('price')} >= 0",
        f"{_field('qty_reserved')} >= 0",
        f"{_field('qty_shipped')} >= 0",
        f"{_field('qty_cancelled')} >= 0",
        f"{_field('qty_reserved')} + {_field('qty_shipped')} + {_field('qty_cancelled')}"
        f" <= {_field('qty_ordered')}",
    ]
)

# What the table's constraints said (types, quantities, the sku's foreign key, one line per id),
# said by the order row's triggers: one pass over its lines, one count of distinct line ids
# when there are two lines or more (the count's temporary b-tree was a quarter of a one-line
# order's check, m026). RAISE takes a literal only.
_LINES_VALID = f"""
  SELECT RAISE(ABORT, 'CHECK constraint failed: order lines (see schema_order_lines.py)')
  WHERE json_type(NEW.lines_json) IS NOT 'array' OR EXISTS (
    SELECT 1 FROM json_each(NEW.lines_json) j
    WHERE j.type IS NOT 'array' OR NOT ({_GOOD_LINE})
      OR NOT EXISTS (SELECT 1 FROM variant WHERE sku = {_field("sku")}))
  OR json_array_length(NEW.lines_json) > 1
    AND (SELECT COUNT(DISTINCT {_field("line_id")}) FROM json_each(NEW.lines_json) j)
      != json_array_length(NEW.lines_json);
"""

LINE_TRIGGERS = (
    f"CREATE TRIGGER customer_order_lines_insert BEFORE INSERT ON customer_order"
    f" BEGIN {_LINES_VALID} END",
    f"CREATE TRIGGER customer_order_lines_update BEFORE UPDATE OF lines_json ON customer_order"
    f" BEGIN {_LINES_VALID} END",
)


def line_triggers_anew(db: Database) -> None:
    """m026: the triggers as `LINE_TRIGGERS` say them today (m023 made an earlier form)."""
    for trigger in ("customer_order_lines_insert", "customer_order_lines_update"):
        db.conn.execute(f"DROP TRIGGER {trigger}")
    for trigger in LINE_TRIGGERS:
        db.conn.execute(trigger)


def lines_on_the_order(db: Database) -> None:
    conn = db.conn
    conn.execute("ALTER TABLE customer_order ADD COLUMN lines_json TEXT NOT NULL DEFAULT '[]'")
    lines: dict[str, list[list]] = {}
    columns = ", ".join(LINE_FIELDS)
    for order_id, *line in conn.execute(
        f"SELECT order_id, {columns} FROM order_line ORDER BY order_id, position"
    ):
        lines.setdefault(order_id, []).append(line)
    conn.executemany(
        "UPDATE customer_order SET lines_json = ? WHERE id = ?",
        [(compact_json(order_lines), order_id) for order_id, order_lines in lines.items()],
    )
    conn.execute("DROP INDEX order_line_short")
    conn.execute("DROP TABLE order_line")
    conn.execute(ORDER_LINE_VIEW)
    for trigger in LINE_TRIGGERS:
        conn.execute(trigger)
