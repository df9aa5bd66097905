"""A shift is its fiscal drive's serial and its number (issue 11): a replaced drive numbers its
shifts from 1 again, and the books must neither take the new shift 1 for the old one nor mix
their receipts and cash. Also the migration (m015) that keys the existing shifts by drive."""

import sqlite3
from contextlib import closing

import pytest
import sqlite_utils

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.schema import migrations
from gateway.domain.fiscal import Fiscalised
from gateway.services.fiscal import (
    cash_moved,
    counter_sale,
    current_shift_totals,
    receipt_fiscalised,
    receipt_sending,
    shift_closed,
    shift_opened,
)
from tests.builders import CASHIER, MANAGER, hire

OLD_FN, NEW_FN = "9999078902004321", "9999078902009999"


@pytest.fixture(autouse=True)
def staff(shop):
    shop.run(hire)


def sold(shop, fn: str, shift: int, fd: int, cash: int = 10000) -> int:
    receipt = shop.run(
        counter_sale, {"items": [{"sku": "A", "qty": 1}], "payment": "cash"}, by=CASHIER
    )
    job_id = receipt["receipt_id"]
    shop.run(receipt_sending, job_id, fd - 1, fn)
    fiscal = Fiscalised(fn, fd, 1000 + fd, shift, 1, "2026-12-01T10:00")
    shop.run(receipt_fiscalised, job_id, fiscal, 0)
    return job_id


def test_a_replaced_drive_starts_its_own_shift_1(shop):
    shop.stock(A=10)
    shop.run(shift_opened, 1, fn=OLD_FN, by=CASHIER, fd=1, fp=1)
    sold(shop, OLD_FN, 1, fd=2)
    shop.run(cash_moved, "in", 5000, by=CASHIER, register_doc=3)
    shop.run(shift_closed, 1, fn=OLD_FN, by=MANAGER, fd=4, fp=4)
    # The drive is replaced: its first shift is number 1 again, a new shift all the same.
    shop.run(shift_opened, 1, fn=NEW_FN, by=CASHIER, fd=1, fp=11)
    sold(shop, NEW_FN, 1, fd=2)
    sold(shop, NEW_FN, 1, fd=3)
    assert [e["shift"] for e in shop.events("shift.opened")] == [1, 1]
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift_key() == (NEW_FN, 1)
        old = uow.fiscal.shift_row(1, OLD_FN)
        assert old["closed_at"] is not None and old["totals"]["sales"]["count"] == 1
        assert old["totals"]["cash_in"] == 5000
        assert uow.fiscal.shift_row(1, NEW_FN)["closed_at"] is None
    new = shop.run(current_shift_totals, 1, NEW_FN)
    assert (new["sales"]["count"], new["cash_in"], new["cash_in_drawer"]) == (2, 0, 20000)
    # Each receipt event counts the drawer of its own drive's shift.
    drawers = [e["cash_in_drawer"] for e in shop.events("receipt.fiscalized")]
    assert drawers == [10000, 10000, 20000]


def test_an_open_shift_on_the_old_drive_is_closed_when_the_new_drive_opens_one(shop):
    shop.run(shift_opened, 5, fn=OLD_FN, by=CASHIER, fd=1, fp=1)
    shop.run(shift_opened, 1, fn=NEW_FN, by=None, fd=None, fp=None)
    [closed] = shop.events("shift.closed")
    assert closed["shift"] == 5
    with shop.db.transaction() as uow:
        assert uow.fiscal.shift_row(5, OLD_FN)["closed_at"] is not None
        assert uow.fiscal.open_shift_key() == (NEW_FN, 1)


def test_the_same_shift_seen_again_changes_nothing(shop):
    shop.run(shift_opened, 3, fn=OLD_FN, by=CASHIER, fd=1, fp=1)
    shop.run(shift_opened, 3, fn=OLD_FN, by=None, fd=None, fp=None)
    assert len(shop.events("shift.opened")) == 1


def test_a_shift_recorded_before_its_drive_was_known_learns_it(shop):
    shop.run(shift_opened, 2, by=CASHIER, fd=1, fp=1)  # fresh books: no drive known yet
    shop.run(shift_opened, 2, fn=OLD_FN, by=None, fd=None, fp=None)
    assert len(shop.events("shift.opened")) == 1 and not shop.events("shift.closed")
    with shop.db.transaction() as uow:
        assert uow.fiscal.open_shift_key() == (OLD_FN, 2)


# --- the migration ----------------------------------------------------------------------------


def legacy_database(path) -> None:
    """A database as it was before m015: shifts by number only, with receipts and cash."""
    conn = open_connection(path)
    conn.execute("BEGIN IMMEDIATE")
    migrations.apply(sqlite_utils.Database(conn), stop_before="m015_shifts_by_drive")
    now = "2026-11-30T09:00:00"
    for number in (1, 2):
        conn.execute(
            "INSERT INTO fiscal_shift(number, opened_by, opened_at, closed_at, totals_json)"
            " VALUES (?, 'Анна', ?, ?, '{}')",
            (number, now, now if number == 1 else None),
        )
    conn.execute(
        "INSERT INTO cash_move(shift, kind, amount, actor, created_at)"
        " VALUES (2, 'in', 700, 'Анна', ?)",
        (now,),
    )
    conn.execute(
        "INSERT INTO receipt_job(kind, draft_json, total, cash, card, state, fn, fd, fp, shift,"
        " created_at, updated_at) VALUES ('sell', '{}', 500, 500, 0, 'done', ?, 9, 9, 1, ?, ?)",
        (OLD_FN, now, now),
    )
    conn.execute("COMMIT")
    conn.close()


def test_m015_keys_the_existing_shifts_by_their_drive(tmp_path):
    path = tmp_path / "old.db"
    legacy_database(path)
    Database(path).close()  # applies m015
    with closing(sqlite3.connect(path)) as conn:
        shifts = conn.execute("SELECT fn, number, closed_at IS NULL FROM fiscal_shift ORDER BY id")
        assert shifts.fetchall() == [(OLD_FN, 1, 0), (OLD_FN, 2, 1)]
        moves = conn.execute(
            "SELECT s.number, m.amount FROM cash_move m JOIN fiscal_shift s ON s.id = m.shift_id"
        )
        assert moves.fetchall() == [(2, 700)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
