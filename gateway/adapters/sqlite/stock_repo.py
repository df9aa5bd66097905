"""Stock levels and the append-only ledger: a level never changes without its ledger row."""

import sqlite3
from collections.abc import Iterable

from gateway.domain.catalog import ThresholdState, threshold
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
        self._watched: set[str] = set()  # a threshold changed: low or not may have changed too

    def level(self, sku: str) -> StockLevel | None:
        row = self.conn.execute(
            "SELECT sku, on_hand, reserved, safety, seq FROM stock_level"
            " WHERE sku = ? AND location_id = ?",
            (sku, self.location),
        ).fetchone()
        return None if row is None else StockLevel(*row)

    def levels(self, skus: list[str]) -> list[StockLevel]:
        """In the order asked, unknown skus left out; 500 per query (a full snapshot's
        stock.changed lists every sku)."""
        found: dict[str, StockLevel] = {}
        for start in range(0, len(skus), 500):
            chunk = skus[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                "SELECT sku, on_hand, reserved, safety, seq FROM stock_level"
                f" WHERE location_id = ? AND sku IN ({marks})",
                (self.location, *chunk),
            ):
                found[row[0]] = StockLevel(*row)
        return [found[sku] for sku in skus if sku in found]

    def ensure_levels(self, skus: Iterable[str]) -> None:
        """A level row for each sku that has none (skus may be a lazy iterator)."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO stock_level(sku, location_id) VALUES (?, ?)",
            ((sku, self.location) for sku in skus),
        )

    def ensure_levels_of(self, skus_query: str) -> None:
        """The same for the skus a query on this connection selects (a staged catalog)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO stock_level(sku, location_id)"
            f" SELECT sku, ? FROM ({skus_query})",
            (self.location,),
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
    ) -> None:
        """Change one level and append its ledger row. A reservation only succeeds if the free
        quantity still covers it (checked in the UPDATE itself, not by an earlier read). No
        RETURNING: its temporary table cost more than the ledger row's INSERT reading the new
        `seq` for its key (issue 12)."""
        assert reason in MOVE_REASONS, reason
        changed = self.conn.execute(
            "UPDATE stock_level SET on_hand = on_hand + :dh, reserved = reserved + :dr,"
            " seq = seq + 1"
            " WHERE sku = :sku AND location_id = :loc"
            " AND (:dr <= 0 OR :dh != 0 OR on_hand - reserved - safety >= :dr)",
            {"dh": d_on_hand, "dr": d_reserved, "sku": sku, "loc": self.location},
        ).rowcount
        if changed != 1:
            raise InsufficientStock(f"not enough free stock of {sku} to reserve {d_reserved}")
        self.conn.execute(
            "INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason, ref_type,"
            " ref_id, idem_key, actor, staff_id, created_at)"
            " SELECT sku, location_id, ?, ?, ?, ?, ?, ? || seq, ?, ?, ? FROM stock_level"
            " WHERE sku = ? AND location_id = ?",
            (
                d_on_hand,
                d_reserved,
                reason,
                ref_type,
                ref_id,
                f"{reason}:{ref_type}:{ref_id}:{sku}@",
                *actor_columns(by),
                self.now,
                sku,
                self.location,
            ),
        )
        self._touched.add(sku)

    def set_many(
        self,
        changes: list[tuple[StockLevel, int, int | None]],
        *,
        reason: str,
        ref_type: str | None,
        ref_id: str | None,
        by: Staff | None = None,
    ) -> None:
        """Many levels at once, each (its level as read in this transaction, d_on_hand, new
        safety or None), as `set_safety` then `move` one by one would leave them — the same
        levels, `seq`s and ledger rows — in two statements per 500 skus. The callers checked
        that no on_hand goes below its reserve."""
        assert reason in MOVE_REASONS, reason
        actor = actor_columns(by)
        for start in range(0, len(changes), 500):
            chunk = changes[start : start + 500]
            self.conn.executemany(
                "UPDATE stock_level SET safety = COALESCE(?, safety),"
                " on_hand = on_hand + ?, seq = seq + (? IS NOT NULL) + (? != 0)"
                " WHERE sku = ? AND location_id = ?",
                [(safety, d, safety, d, lv.sku, self.location) for lv, d, safety in chunk],
            )
            self.conn.executemany(
                "INSERT INTO stock_move(sku, location_id, d_on_hand, d_reserved, reason,"
                " ref_type, ref_id, idem_key, actor, staff_id, created_at)"
                " VALUES (?,?,?,0,?,?,?,?,?,?,?)",
                [
                    (
                        lv.sku,
                        self.location,
                        d,
                        reason,
                        ref_type,
                        ref_id,
                        # the level's seq after this move, as `move` keys it
                        f"{reason}:{ref_type}:{ref_id}:{lv.sku}"
                        f"@{lv.seq + 1 + (safety is not None)}",
                        *actor,
                        self.now,
                    )
                    for lv, d, safety in chunk
                    if d != 0
                ],
            )
        self._touched.update(lv.sku for lv, d, safety in changes if d or safety is not None)

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

    # --- low-stock thresholds (schema_stock.py) --------------------------------------------------
    def watch(self, skus) -> None:
        self._watched |= set(skus)

    def take_watched(self) -> set[str]:
        watched, self._watched = self._watched, set()
        return watched

    def default_min(self) -> int:
        row = self.conn.execute(
            "SELECT value FROM stock_setting WHERE name = 'default_min_stock'"
        ).fetchone()
        return row[0] if row else 0

    def set_default_min(self, value: int) -> int:
        """Returns the default it replaced."""
        before = self.default_min()
        self.conn.execute(
            "INSERT INTO stock_setting(name, value) VALUES ('default_min_stock', ?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (value,),
        )
        return before

    def set_local_min(self, sku: str, min_stock: int | None, by: Staff | None) -> None:
        """A manager's own threshold for `sku`; None gives it back to the catalog/default."""
        if min_stock is None:
            self.conn.execute("DELETE FROM stock_threshold WHERE sku = ?", (sku,))
        else:
            self.conn.execute(
                "INSERT INTO stock_threshold(sku, min_stock, set_by, staff_id, set_at)"
                " VALUES (?,?,?,?,?) ON CONFLICT(sku) DO UPDATE SET"
                " min_stock = excluded.min_stock, set_by = excluded.set_by,"
                " staff_id = excluded.staff_id, set_at = excluded.set_at",
                (sku, min_stock, *actor_columns(by), self.now),
            )
        self._watched.add(sku)

    def min_stock(self, sku: str) -> tuple[int, str | None]:
        row = self.conn.execute(
            "SELECT t.min_stock, v.min_stock FROM variant v"
            " LEFT JOIN stock_threshold t ON t.sku = v.sku WHERE v.sku = ?",
            (sku,),
        ).fetchone()
        return threshold(row[0], row[1], self.default_min()) if row else (0, None)

    def threshold_states(self, skus: set[str] | None) -> list[ThresholdState]:
        """Where each sku stands against its threshold (all skus when None), in sku order."""
        return self.levels_and_thresholds(skus)[1]

    def levels_and_thresholds(
        self, skus: set[str] | None
    ) -> tuple[list[StockLevel], list[ThresholdState]]:
        """The levels of `skus` (all when None), in sku order, and where each stands against
        its threshold: one query, as every commit that moved stock asks for both."""
        query = (
            "SELECT s.sku, s.on_hand, s.reserved, s.safety, s.seq, t.min_stock, v.min_stock,"
            " l.sku IS NOT NULL, v.archived,"
            " (SELECT value FROM stock_setting WHERE name = 'default_min_stock')"
            " FROM stock_level s JOIN variant v ON v.sku = s.sku"
            " LEFT JOIN stock_threshold t ON t.sku = s.sku LEFT JOIN stock_low l ON l.sku = s.sku"
            " WHERE s.location_id = ?"
        )
        if skus is None:
            rows = self.conn.execute(f"{query} ORDER BY s.sku", (self.location,)).fetchall()
        else:
            rows, ordered = [], sorted(skus)
            for start in range(0, len(ordered), 500):  # sorted chunks, each sorted: all sorted
                chunk = ordered[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self.conn.execute(
                    f"{query} AND s.sku IN ({marks}) ORDER BY s.sku", (self.location, *chunk)
                ).fetchall()
        levels, states = [], []
        for sku, on_hand, reserved, safety, seq, local, catalog, low, archived, default in rows:
            level = StockLevel(sku, on_hand, reserved, safety, seq)
            levels.append(level)
            states.append(
                ThresholdState(
                    sku,
                    max(0, level.available),
                    threshold(local, catalog, default or 0)[0],
                    bool(low),
                    seq > 0,
                    bool(archived),
                )
            )
        return levels, states

    def mark_low(self, state: ThresholdState) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO stock_low(sku, available, min_stock, since) VALUES (?,?,?,?)",
            (state.sku, state.available, state.min_stock, self.now),
        )

    def clear_low(self, skus: list[str]) -> None:
        self.conn.executemany("DELETE FROM stock_low WHERE sku = ?", [(sku,) for sku in skus])

    def add_correction(
        self, sku: str, reason: str, note: str, delta: int, on_hand: int, by: Staff | None
    ) -> int:
        """Why a manager corrected the stock; the ledger row refers to this id."""
        row = self.conn.execute(
            "INSERT INTO stock_correction(sku, reason, note, delta, on_hand, actor, staff_id,"
            " created_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (sku, reason, note, delta, on_hand, *actor_columns(by), self.now),
        ).fetchone()
        return row[0]
