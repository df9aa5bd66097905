"""The counted cash at a shift's close and the owner's summary (issue 10): migration m010.

A manager closing the shift counts the drawer; the books' figure (`cash_expected`, the totals'
cash_in_drawer) and the count are kept side by side, so a shortage stays on record. The summary
reads a day's receipts by the register's own clock (`fiscal_ts`, the date the receipt carries
and the cloud sees in `receipt.fiscalized`); the index covers that read, so a year of receipts
costs a range scan of the days asked for, never the whole table."""

from sqlite_utils import Database

# A receipt's day: the register's clock, or (a receipt found in the drive after a lost answer,
# which carries no time) when the gateway recorded it. summary_queries.py uses it verbatim, so
# SQLite picks the index below.
RECEIPT_TIME = "coalesce(fiscal_ts, updated_at)"


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
    pass  # being written: issue 11 (m015)
