"""Orders, their lines and shipments."""

import json
import sqlite3

from gateway.domain.messages import compact_json
from gateway.domain.orders import STATUSES, TERMINAL, Customer, Order, OrderLine
from gateway.domain.staff import Staff

from .actors import actor_columns
from .order_search import search_text
from .schema import MAIN_LOCATION
from .schema_order_lines import LINE_FIELDS

_SHORT = "l.qty_ordered - l.qty_shipped - l.qty_cancelled - l.qty_reserved > 0"
OPEN_SQL = ",".join(f"'{status}'" for status in STATUSES if status not in TERMINAL)
# The newest order's arrival: one seek per status in `customer_order_tab` (no index of its own
# since m021). NULL before the first order.
NEWEST_ARRIVAL = (
    "SELECT MAX(a) FROM ("
    + " UNION ALL ".join(
        f"SELECT MAX(arrival) AS a FROM customer_order WHERE status = '{status}'"
        for status in STATUSES
    )
    + ")"
)


def customer_json(customer: Customer) -> str:
    """The buyer's known fields only: a web order without contact details stores `{}`."""
    return compact_json(
        {name: value for name, value in vars(customer).items() if value is not None}
    )


def _lines_json(order: Order) -> str:
    return compact_json([[getattr(line, name) for name in LINE_FIELDS] for line in order.lines])


class OrderRepo:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def get(self, order_id: str) -> Order | None:
        row = self.conn.execute(
            "SELECT id, number, channel, paid, customer_json, status, confirmed_by,"
            " needs_attention, arrival, version, src_version, cancel_reason, confirmed_by_id,"
            " confirmed_at, seen_at, seen_by, seen_by_id, lines_json FROM customer_order"
            " WHERE id = ?",
            (order_id,),
        ).fetchone()
        if row is None:
            return None
        return Order(
            order_id=row[0],
            number=row[1],
            channel=row[2],
            paid=bool(row[3]),
            customer=Customer(**json.loads(row[4])),
            lines=[OrderLine(*line) for line in json.loads(row[17])],
            status=row[5],
            confirmed_by=row[6],
            needs_attention=row[7],
            arrival=row[8],
            version=row[9],
            src_version=row[10],
            cancel_reason=row[11],
            confirmed_by_id=row[12],
            confirmed_at=row[13],
            seen_at=row[14],
            seen_by=row[15],
            seen_by_id=row[16],
        )

    def exists(self, order_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM customer_order WHERE id = ?", (order_id,))
        return row.fetchone() is not None

    def next_arrival(self) -> int:
        """First come, first served: after the newest order, or the counter that numbered
        orders before m020. Writes nothing: one page less per order."""
        return self.conn.execute(
            f"SELECT MAX(COALESCE(({NEWEST_ARRIVAL}), 0),"
            " COALESCE((SELECT value FROM counter WHERE name = 'order_arrival'), 0)) + 1"
        ).fetchone()[0]

    def add(self, order: Order) -> None:
        """A new order, its lines reserved: what it reserved and lacked on arrival is kept."""
        self.conn.execute(
            "INSERT INTO customer_order(id, number, channel, paid, customer_json, status,"
            " confirmed_by, confirmed_by_id, needs_attention, arrival, version, src_version,"
            " location_id, created_at, updated_at, search_text, arrived_reserved, arrived_short,"
            " lines_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                order.order_id,
                order.number,
                order.channel,
                int(order.paid),
                customer_json(order.customer),
                order.status,
                order.confirmed_by,
                order.confirmed_by_id,
                order.needs_attention,
                order.arrival,
                order.version,
                order.src_version,
                MAIN_LOCATION,
                self.now,
                None,  # updated_at: not changed yet (m025)
                self._search_text(order),
                # the «arrived» line of its history (order_history.py), kept on the order row
                sum(line.qty_reserved for line in order.lines),
                sum(line.short_qty for line in order.lines),
                _lines_json(order),
            ),
        )

    def save(self, order: Order) -> None:
        """Write back an order loaded with `get` and changed by a service; bumps its version."""
        order.version += 1
        self.conn.execute(
            "UPDATE customer_order SET status = ?, confirmed_by = ?, confirmed_by_id = ?,"
            " needs_attention = ?, version = ?, src_version = ?, cancel_reason = ?, updated_at = ?,"
            " confirmed_at = ?, seen_at = ?, seen_by = ?, seen_by_id = ?,"
            " search_text = ?, lines_json = ? WHERE id = ?",
            (
                order.status,
                order.confirmed_by,
                order.confirmed_by_id,
                order.needs_attention,
                order.version,
                order.src_version,
                order.cancel_reason,
                self.now,
                order.confirmed_at,
                order.seen_at,
                order.seen_by,
                order.seen_by_id,
                self._search_text(order),
                _lines_json(order),
                order.order_id,
            ),
        )

    def _search_text(self, order: Order) -> str:
        return search_text(order.number, vars(order.customer), [line.sku for line in order.lines])

    def mark_seen(self, order_id: str, by: Staff) -> bool:
        """First opened on a tablet: True the first time only. Not a change of the order (no
        version bump): a screen opened meanwhile is not made stale by someone looking."""
        cursor = self.conn.execute(
            "UPDATE customer_order SET seen_at = ?, seen_by = ?, seen_by_id = ?"
            " WHERE id = ? AND seen_at IS NULL",
            (self.now, *actor_columns(by), order_id),
        )
        return cursor.rowcount == 1

    def record(
        self,
        order_id: str,
        what: str,
        by: Staff | None,
        *,
        ref: str | None = None,
        **detail,
    ) -> None:
        """One line of the order's history, in the transaction of what it records."""
        self.conn.execute(
            "INSERT INTO order_history(order_id, what, detail_json, ref, actor, staff_id,"
            " created_at) VALUES (?,?,?,?,?,?,?)",
            (
                order_id,
                what,
                json.dumps(detail, ensure_ascii=False),
                ref,
                *actor_columns(by),
                self.now,
            ),
        )

    def filled_by(self, ref: str) -> list[dict]:
        """Orders a document's goods filled (history `refilled` rows naming it)."""
        rows = self.conn.execute(
            "SELECT DISTINCT o.id, o.number, o.status, o.arrival FROM order_history h"
            " JOIN customer_order o ON o.id = h.order_id"
            " WHERE h.ref = ? AND h.what = 'refilled' ORDER BY o.arrival",
            (ref,),
        )
        return [{"order_id": r[0], "number": r[1], "status": r[2]} for r in rows]

    def waiting_for(self, sku: str) -> list[str]:
        """Open orders with a short line of this sku, first come first served: read through
        the open orders, like `holding` (the lines are on the order rows, m023)."""
        rows = self.conn.execute(
            "SELECT DISTINCT o.id, o.arrival FROM order_line l JOIN customer_order o"
            f" ON o.id = l.order_id WHERE l.sku = ? AND o.status IN ({OPEN_SQL})"
            f" AND {_SHORT} ORDER BY o.arrival",
            (sku,),
        )
        return [row[0] for row in rows]

    def skus_waited_for(self, skus: list[str]) -> set[str]:
        """Those of `skus` that an open order has a short line of (`waiting_for` not empty)."""
        found: set[str] = set()
        for start in range(0, len(skus), 500):
            chunk = skus[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self.conn.execute(
                    "SELECT DISTINCT l.sku FROM order_line l JOIN customer_order o"
                    f" ON o.id = l.order_id WHERE l.sku IN ({marks})"
                    f" AND o.status IN ({OPEN_SQL}) AND {_SHORT}",
                    chunk,
                )
            )
        return found

    def holding(self, sku: str) -> list[str]:
        """Open orders holding a reserve of this sku, newest first (they give it back first).
        Read through the open orders: a line is in no index by sku (m020, m023)."""
        rows = self.conn.execute(
            "SELECT DISTINCT o.id, o.arrival FROM customer_order o JOIN order_line l"
            f" ON l.order_id = o.id WHERE o.status IN ({OPEN_SQL}) AND l.sku = ?"
            " AND l.qty_reserved > 0 ORDER BY o.arrival DESC",
            (sku,),
        )
        return [row[0] for row in rows]

    def add_shipment(
        self, shipment_id: str, order_id: str, lines: list[tuple[str, str, int]], by: Staff | None
    ) -> None:
        self.conn.execute(
            "INSERT INTO shipment(id, order_id, actor, staff_id, created_at) VALUES (?,?,?,?,?)",
            (shipment_id, order_id, *actor_columns(by), self.now),
        )
        self.conn.executemany(
            "INSERT INTO shipment_line(shipment_id, line_id, sku, qty) VALUES (?,?,?,?)",
            [(shipment_id, line_id, sku, qty) for line_id, sku, qty in lines],
        )
