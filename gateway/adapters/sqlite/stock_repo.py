"""Stock levels and the append-only ledger: a level never changes without its ledger row."""

import sqlite3

from gateway.domain.errors import InsufficientStock
from gateway.domain.staff import Staff
from gateway.domain.stock import MOVE_REASONS, StockLevel

from .actors import actor_columns
from .schema import MAIN_LOCATION


class StockRepo:
    def __init__(self, conn: sqlite3.Connection, now: str, location: str = MAIN_LOCATION):
        self.conn = conn
        self.now = now
        self.location = location
        self._touched: set[str] = set()

    def level(self, sku: str) -> StockLevel | None:
        row = self.conn.execute(
            "SELECT sku, on_hand, reserved, safety, seq FROM stock_level"
            " WHERE sku = ? AND location_id = ?",
            (sku, self.location),
        ).fetchone()
        return None if row is None else StockLevel(*row)

    def levels(self, skus: list[str]) -> list[StockLevel]:
        return [level for sku in skus if (level := self.level(sku)) is not None]

    def ensure_levels(self, skus: list[str]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO stock_level(sku, location_id) VALUES (?, ?)",
            [(sku, self.location) for sku in skus],
        )

    def move(
        self,
        sku: str,
        *,
        d_on_hand: int,
        d_reserved: int,
        reason: str,
        ref_type: str | None,
        ref_id: str | None,
        by: Staff | None = None,
    ) -> StockLevel:
        """Change one level and append its ledger row. A reservation only succeeds if the free
        quantity still covers it (checked in the UPDATE itself, not by an earlier read)."""
        assert reason in MOVE_REASONS, reason
        row = self.conn.execute(
            "UPDATE stock_level SET on_hand = on_hand + :dh, reserved = reserved + :dr,"
            " seq = seq + 1"
            " WHERE sku = :sku AND location_id = :loc"
            " AND (:dr <= 0 OR :dh != 0 OR on_hand - reserved - safety >= :dr)"
            " RETURNING sku, on_hand, reserved, safety, seq",
            {"dh": d_on_hand, "dr": d_reserved, "sku": sku, "loc": self.location},
        ).fetchone()
        if row is None:
            raise InsufficientStock(f"not enough free stock of {sku} to reserve {d_reserved}")
        level = StockLevel(*row)
        self.conn.execute(
            "INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason, ref_type,"
            " ref_id, idem_key, actor, staff_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                sku,
                self.location,
                d_on_hand,
                d_reserved,
                reason,
                ref_type,
                ref_id,
                f"{reason}:{ref_type}:{ref_id}:{sku}@{level.seq}",
                *actor_columns(by),
                self.now,
            ),
        )
        self._touched.add(sku)
        return level

    def set_safety(self, sku: str, safety: int) -> None:
        self.conn.execute(
            "UPDATE stock_level SET safety = ?, seq = seq + 1 WHERE sku = ? AND location_id = ?",
            (safety, sku, self.location),
        )
        self._touched.add(sku)

    def all_levels(self) -> list[StockLevel]:
        rows = self.conn.execute(
            "SELECT sku, on_hand, reserved, safety, seq FROM stock_level"
            " WHERE location_id = ? ORDER BY sku",
            (self.location,),
        )
        return [StockLevel(*row) for row in rows]

    def touch(self, skus: set[str]) -> None:
        self._touched |= skus

    def take_touched(self) -> set[str]:
        touched, self._touched = self._touched, set()
        return touched
