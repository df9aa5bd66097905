"""Stocktakes (инвентаризация) in SQLite: counts with the book at scan time (DOMAIN.md 32).

Books at an earlier moment come from the ledger itself (on_hand = Σ d_on_hand, append-only,
ids increasing), so nothing has to be copied when a count starts. Unknown codes and marked units
are kept as in every scan document (`scan_document_repo.py`)."""

import json
import sqlite3
from types import SimpleNamespace

from gateway.domain.stocktake import SCOPE_ALL, CountLine, Stocktake
from gateway.services.stocktake import stocktake_report as _report

from .order_repo import OrderRepo
from .scan_document_repo import ScanDocumentRepo
from .schema import MAIN_LOCATION

_TAKE_COLUMNS = (
    "id, status, scope, uncounted, ledger_head, sync_id, started_by, started_at, closed_by,"
    " closed_at, started_by_id, closed_by_id"
)


class StocktakeRepo(ScanDocumentRepo):
    kind, id_column, count_column = "stocktake", "take_id", "counted"

    def __init__(self, conn: sqlite3.Connection, now: str, location: str = MAIN_LOCATION):
        super().__init__(conn, now)
        self.location = location

    # --- the count -------------------------------------------------------------------------------
    def add(self, take: Stocktake, skus: tuple[str, ...] | None) -> None:
        self.conn.execute(
            f"INSERT INTO stocktake({_TAKE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                take.take_id,
                take.status,
                take.scope,
                take.uncounted,
                take.ledger_head,
                take.sync_id,
                take.started_by,
                take.started_at,
                take.closed_by,
                take.closed_at,
                take.started_by_id,
                take.closed_by_id,
            ),
        )
        if skus:
            self.conn.executemany(
                "INSERT INTO stocktake_scope(take_id, sku) VALUES (?, ?)",
                [(take.take_id, sku) for sku in skus],
            )

    def get(self, take_id: str) -> Stocktake | None:
        row = self.conn.execute(
            f"SELECT {_TAKE_COLUMNS} FROM stocktake WHERE id = ?", (take_id,)
        ).fetchone()
        return None if row is None else Stocktake(*row)

    def counting(self) -> Stocktake | None:
        row = self.conn.execute(
            f"SELECT {_TAKE_COLUMNS} FROM stocktake WHERE status = 'counting'"
        ).fetchone()
        return None if row is None else Stocktake(*row)

    def close(self, take: Stocktake, result: dict | None) -> None:
        self.conn.execute(
            "UPDATE stocktake SET status = ?, closed_by = ?, closed_by_id = ?, closed_at = ?,"
            " result_json = ? WHERE id = ?",
            (
                take.status,
                take.closed_by,
                take.closed_by_id,
                take.closed_at,
                None if result is None else json.dumps(result, ensure_ascii=False),
                take.take_id,
            ),
        )

    def result(self, take_id: str) -> dict | None:
        row = self.conn.execute(
            "SELECT result_json FROM stocktake WHERE id = ?", (take_id,)
        ).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def in_scope(self, take: Stocktake, sku: str) -> bool:
        if take.scope == SCOPE_ALL:
            return True
        row = self.conn.execute(
            "SELECT 1 FROM stocktake_scope WHERE take_id = ? AND sku = ?", (take.take_id, sku)
        ).fetchone()
        return row is not None

    def scope_size(self, take_id: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM stocktake_scope WHERE take_id = ?", (take_id,)
        ).fetchone()[0]

    # --- the ledger ------------------------------------------------------------------------------
    def ledger_head(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM stock_move").fetchone()[0]

    def last_move_of(self, sku: str) -> int:
        return self.conn.execute(
            "SELECT COALESCE(MAX(id), 0) FROM stock_move WHERE sku = ? AND location_id = ?"
            " AND d_on_hand != 0",  # the moves of goods: the index by sku holds those (m020)
            (sku, self.location),
        ).fetchone()[0]

    # --- counted skus ----------------------------------------------------------------------------
    def line(self, take_id: str, sku: str) -> tuple[int, int] | None:
        """(counted, book_at_scan) of a counted sku, or None."""
        row = self.conn.execute(
            "SELECT counted, book_at_scan FROM stocktake_line WHERE take_id = ? AND sku = ?",
            (take_id, sku),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def add_line(
        self, take_id: str, sku: str, *, counted: int, book: int, move_id: int, code: str | None
    ) -> None:
        """The first count of a sku: its book and last ledger move are recorded now."""
        self.conn.execute(
            "INSERT INTO stocktake_line(take_id, sku, counted, book_at_scan, move_id_at_scan,"
            " pos, last_code) VALUES (:doc, :sku, :counted, :book, :move,"
            f" {self._next_pos}, :code)",
            {
                "doc": take_id,
                "sku": sku,
                "counted": counted,
                "book": book,
                "move": move_id,
                "code": code,
            },
        )

    def set_counted(self, take_id: str, sku: str, counted: int, code: str | None = None) -> None:
        self.conn.execute(
            "UPDATE stocktake_line SET counted = ?, last_code = COALESCE(?, last_code)"
            " WHERE take_id = ? AND sku = ?",
            (counted, code, take_id, sku),
        )

    def remove_line(self, take_id: str, sku: str) -> None:
        self.conn.execute(
            "DELETE FROM stocktake_line WHERE take_id = ? AND sku = ?", (take_id, sku)
        )

    def count_lines(self, take_id: str) -> list[CountLine]:
        """Counted skus in scan order, with the stock now and what moved since the scan."""
        rows = self.conn.execute(
            "SELECT l.sku, v.name, l.counted, l.book_at_scan, COALESCE(s.on_hand, 0),"
            " COALESCE(s.reserved, 0), (SELECT COALESCE(SUM(m.d_on_hand), 0) FROM stock_move m"
            "  WHERE m.sku = l.sku AND m.location_id = :loc AND m.d_on_hand != 0"
            "  AND m.id > l.move_id_at_scan)"
            " FROM stocktake_line l JOIN variant v ON v.sku = l.sku"
            " LEFT JOIN stock_level s ON s.sku = l.sku AND s.location_id = :loc"
            " WHERE l.take_id = :take ORDER BY l.pos",
            {"take": take_id, "loc": self.location},
        )
        return [CountLine(*row) for row in rows]

    def uncounted_lines(self, take: Stocktake) -> list[CountLine]:
        """Skus in scope never scanned, with the book at the start of the count. For a count
        of the whole catalog only the skus that had or have stock (the rest cannot change)."""
        args = {"take": take.take_id, "loc": self.location, "head": take.ledger_head}
        not_counted = "NOT IN (SELECT sku FROM stocktake_line WHERE take_id = :take)"
        if take.scope == SCOPE_ALL:
            query = (
                "SELECT s.sku, v.name, NULL, COALESCE(b.book, 0), s.on_hand, s.reserved,"
                " s.on_hand - COALESCE(b.book, 0)"
                " FROM stock_level s JOIN variant v ON v.sku = s.sku"
                " LEFT JOIN (SELECT sku, SUM(d_on_hand) AS book FROM stock_move"
                "  WHERE id <= :head AND location_id = :loc GROUP BY sku) b ON b.sku = s.sku"
                " WHERE s.location_id = :loc AND (COALESCE(b.book, 0) > 0 OR s.on_hand > 0)"
                f" AND s.sku {not_counted} ORDER BY s.sku"
            )
        else:
            book = (
                "(SELECT COALESCE(SUM(m.d_on_hand), 0) FROM stock_move m"
                " WHERE m.sku = sc.sku AND m.location_id = :loc AND m.d_on_hand != 0"
                " AND m.id <= :head)"
            )
            query = (
                f"SELECT sc.sku, v.name, NULL, {book}, COALESCE(s.on_hand, 0),"
                f" COALESCE(s.reserved, 0), COALESCE(s.on_hand, 0) - {book}"
                " FROM stocktake_scope sc JOIN variant v ON v.sku = sc.sku"
                " LEFT JOIN stock_level s ON s.sku = sc.sku AND s.location_id = :loc"
                f" WHERE sc.take_id = :take AND sc.sku {not_counted} ORDER BY sc.sku"
            )
        return [CountLine(*row) for row in self.conn.execute(query, args)]


def stocktake_report(conn: sqlite3.Connection, take_id: str) -> dict:
    """The report before applying, from a read connection (the «Инвентаризация» page); the
    orders are read for the ones that would lose their reserve."""
    uow = SimpleNamespace(stocktake=StocktakeRepo(conn, ""), orders=OrderRepo(conn, ""))
    return _report(uow, take_id)
