"""The counted cash at a shift's close and the owner's summary (issue 10): migration m010.

A manager closing the shift counts the drawer; the books' figure (`cash_expected`, the totals'
cash_in_drawer) and the count are kept side by side, so a shortage stays on record. The summary
reads a day's receipts by the register's own clock (`fiscal_ts`, the date the receipt carries
and the cloud sees in `receipt.fiscalized`); the index covers that read, so a year of receipts
costs a range scan of the days asked for, never the whole table."""

from sqlite_utils import Database

from gateway.domain.fiscal import PREPAYMENT, PREPAYMENT_REFUND

# A receipt's day: the register's clock, or (a receipt found in the drive after a lost answer,
# which carries no time) when the gateway recorded it. summary_queries.py uses it verbatim, so
# SQLite picks the index below.
RECEIPT_TIME = "coalesce(fiscal_ts, updated_at)"
# Money paid on the site (a payment there, or its refund): what a receipt job is *for*, its
# `receipt_kind`, never whether it names the cloud's `payment_id` (a reference those kinds
# carry). The one rule of «Смена» (FiscalRepo.shift_receipts) and «Сводка» (summary_queries).
PAID_ON_THE_SITE = f"receipt_kind IN ('{PREPAYMENT}', '{PREPAYMENT_REFUND}')"


def add_shift_cash_count(db: Database) -> None:
    db.executescript(
        f"""
ALTER TABLE fiscal_shift ADD COLUMN cash_expected INTEGER;
ALTER TABLE fiscal_shift ADD COLUMN cash_counted INTEGER CHECK (cash_counted >= 0);

CREATE INDEX receipt_job_day ON receipt_job(
  {RECEIPT_TIME}, kind, staff_id, total, cash, card, change
) WHERE state = 'done';
"""
    )


def key_shifts_by_drive(db: Database) -> None:
    """m015: a shift is known by its fiscal drive's serial and its number. A replaced drive
    numbers its shifts from 1 again, so the number alone would mix two drives' shifts. Shifts
    recorded before this take their drive from their receipts (or the latest one known). The
    tables are rebuilt child first, so the foreign keys hold at every step."""
    db.executescript(
        """
CREATE TABLE fiscal_shift_v2(
  id INTEGER PRIMARY KEY,
  fn TEXT NOT NULL,
  number INTEGER NOT NULL,
  opened_by TEXT,
  opened_by_id INTEGER,
  opened_at TEXT NOT NULL,
  open_fd INTEGER,
  closed_by TEXT,
  closed_by_id INTEGER,
  closed_at TEXT,
  close_fd INTEGER,
  totals_json TEXT,
  cash_expected INTEGER,
  cash_counted INTEGER CHECK (cash_counted >= 0),
  UNIQUE (fn, number)
) STRICT;
INSERT INTO fiscal_shift_v2(fn, number, opened_by, opened_by_id, opened_at, open_fd, closed_by,
  closed_by_id, closed_at, close_fd, totals_json, cash_expected, cash_counted)
SELECT coalesce(
    (SELECT fn FROM receipt_job r WHERE r.shift = s.number AND r.fn IS NOT NULL LIMIT 1),
    (SELECT fn FROM receipt_job WHERE fn IS NOT NULL ORDER BY id DESC LIMIT 1), ''),
  number, opened_by, opened_by_id, opened_at, open_fd, closed_by, closed_by_id, closed_at,
  close_fd, totals_json, cash_expected, cash_counted
FROM fiscal_shift s ORDER BY number;

CREATE TABLE cash_move_v2(
  id INTEGER PRIMARY KEY,
  shift_id INTEGER NOT NULL REFERENCES fiscal_shift_v2(id),
  kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  register_doc INTEGER,
  actor TEXT,
  staff_id INTEGER,
  created_at TEXT NOT NULL
) STRICT;
INSERT INTO cash_move_v2(id, shift_id, kind, amount, register_doc, actor, staff_id, created_at)
SELECT m.id, s.id, m.kind, m.amount, m.register_doc, m.actor, m.staff_id, m.created_at
FROM cash_move m JOIN fiscal_shift_v2 s ON s.number = m.shift;

DROP TABLE cash_move;
DROP TABLE fiscal_shift;
ALTER TABLE fiscal_shift_v2 RENAME TO fiscal_shift;
ALTER TABLE cash_move_v2 RENAME TO cash_move;
CREATE INDEX cash_move_shift ON cash_move(shift_id);
CREATE INDEX receipt_job_drive_shift ON receipt_job(fn, shift) WHERE state = 'done';
"""
    )
