"""Schema migrations (sqlite-utils `Migrations`). Append new migrations; never edit applied ones.

STRICT tables refuse a float or text where a quantity or a sum of money belongs, and the CHECKs
make an impossible stock state fail loudly instead of being stored."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .schema_core import MAIN_LOCATION as MAIN_LOCATION  # the repositories import it from here

migrations = Migrations("storegw")


@migrations()
def m001_core(db: Database) -> None:
    from .schema_core import create_core_tables

    create_core_tables(db)


@migrations()
def m002_cloud_sync(db: Database) -> None:
    db.executescript(
        """
-- Cloud messages already handled, by id (QoS 1 redelivery, cloud retries). Pruned by age.
CREATE TABLE inbox_seen(
  msg_id TEXT PRIMARY KEY,
  seq INTEGER,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Cloud messages that arrived ahead of a gap in the cloud's seq: held until the gap fills.
CREATE TABLE inbox_parked(
  seq INTEGER PRIMARY KEY,
  msg_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  parked_at TEXT NOT NULL
) STRICT;

-- Conditions staff or the cloud must know about, shown in gateway.status until cleared.
CREATE TABLE alarm(
  name TEXT PRIMARY KEY,
  detail TEXT NOT NULL,
  raised_at TEXT NOT NULL
) STRICT;
"""
    )


@migrations()
def m003_fiscal(db: Database) -> None:
    db.executescript(
        """
-- Receipt jobs: written in the transaction that ships the order (or records the sale), before
-- anything is sent to the register. Printed in id order by the fiscal worker, exactly once.
CREATE TABLE receipt_job(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('sell', 'sell_refund')),
  order_id TEXT REFERENCES customer_order(id),
  shipment_id TEXT UNIQUE REFERENCES shipment(id),
  refund_of INTEGER REFERENCES receipt_job(id),
  draft_json TEXT NOT NULL,
  total INTEGER NOT NULL CHECK (total > 0),
  cash INTEGER NOT NULL CHECK (cash >= 0),
  card INTEGER NOT NULL CHECK (card >= 0),
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  saved_fd INTEGER,  -- the FN's last document number just before the first byte was sent
  error TEXT,
  fn TEXT, fd INTEGER, fp INTEGER, shift INTEGER, number INTEGER, fiscal_ts TEXT,
  change INTEGER NOT NULL DEFAULT 0 CHECK (change >= 0),
  created_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (state != 'done' OR (fd IS NOT NULL AND fp IS NOT NULL)),
  CHECK (state != 'sending' OR saved_fd IS NOT NULL)
) STRICT;
CREATE INDEX receipt_job_pending ON receipt_job(state, id) WHERE state IN ('queued', 'sending');
CREATE INDEX receipt_job_shift ON receipt_job(shift) WHERE state = 'done';
CREATE INDEX receipt_job_refund_of ON receipt_job(refund_of) WHERE refund_of IS NOT NULL;

-- Shifts as the register reported them; totals are ours, written when the shift closes.
CREATE TABLE fiscal_shift(
  number INTEGER PRIMARY KEY,
  opened_by TEXT,
  opened_at TEXT NOT NULL,
  open_fd INTEGER,
  closed_by TEXT,
  closed_at TEXT,
  close_fd INTEGER,
  totals_json TEXT
) STRICT;

-- Внесение / выплата: cash put into or taken out of the drawer during a shift.
CREATE TABLE cash_move(
  id INTEGER PRIMARY KEY,
  shift INTEGER NOT NULL REFERENCES fiscal_shift(number),
  kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  register_doc INTEGER,
  actor TEXT,
  created_at TEXT NOT NULL
) STRICT;
"""
    )


@migrations()
def m004_receiving_stocktake(db: Database) -> None:
    from .schema_receiving import create_receiving_and_stocktake

    create_receiving_and_stocktake(db)


@migrations()
def m005_print_queue(db: Database) -> None:
    from .schema_print import create_print_queue

    create_print_queue(db)


@migrations()
def m006_receipt_saved_fn(db: Database) -> None:
    # The fiscal drive a receipt was being sent to: a document number means nothing in another.
    db.execute("ALTER TABLE receipt_job ADD COLUMN saved_fn TEXT")


@migrations()
def m007_staff(db: Database) -> None:
    from .schema_staff import create_staff_tables

    create_staff_tables(db)


@migrations()
def m008_order_desk(db: Database) -> None:
    from .schema_orders import create_order_desk

    create_order_desk(db)


@migrations()
def m009_stock_thresholds(db: Database) -> None:
    from .schema_stock import create_stock_tables

    create_stock_tables(db)


@migrations()
def m010_shift_cash_count(db: Database) -> None:
    from .schema_shift import add_shift_cash_count

    add_shift_cash_count(db)


@migrations()
def m011_receipt_discount(db: Database) -> None:
    # The discounts given at the counter (kopecks) beside the total: the owner's summary.
    db.execute("ALTER TABLE receipt_job ADD COLUMN discount INTEGER NOT NULL DEFAULT 0")


@migrations()
def m012_receipt_kinds(db: Database) -> None:
    # `kind` stays what the register does (sell / sell_refund: the shift's and the summary's
    # buckets); `receipt_kind` says why (prepayment, its refund, a correction); `prepaid` is the
    # part of a handover settled by offsetting a prepayment (tag 1215); one receipt per payment.
    db.executescript(
        """
ALTER TABLE receipt_job ADD COLUMN receipt_kind TEXT NOT NULL DEFAULT 'sell' CHECK (
  receipt_kind IN ('sell', 'sell_refund', 'prepayment', 'prepayment_refund', 'correction'));
UPDATE receipt_job SET receipt_kind = kind;
ALTER TABLE receipt_job ADD COLUMN prepaid INTEGER NOT NULL DEFAULT 0 CHECK (prepaid >= 0);
ALTER TABLE receipt_job ADD COLUMN payment_id TEXT;
CREATE UNIQUE INDEX receipt_job_payment ON receipt_job(payment_id)
  WHERE receipt_kind = 'prepayment';
"""
    )


@migrations()
def m013_order_payments(db: Database) -> None:
    from .schema_payments import create_payment_tables

    create_payment_tables(db)


@migrations()
def m014_fiscal_health(db: Database) -> None:
    from .schema_fiscal_health import create_fiscal_health_tables

    create_fiscal_health_tables(db)


@migrations()
def m015_shifts_by_drive(db: Database) -> None:
    from .schema_shift import key_shifts_by_drive

    key_shifts_by_drive(db)


@migrations()
def m016_store_identity(db: Database) -> None:
    # Whose database this is: a backup is restored only into the same store, and a gateway
    # configured for another store refuses to publish this one's history under its name.
    db.execute("CREATE TABLE store_identity(store_id TEXT NOT NULL) STRICT")


@migrations()
def m017_fewer_order_indexes(db: Database) -> None:
    from .schema_light import fewer_order_indexes

    fewer_order_indexes(db)


@migrations()
def m018_ledger_without_key_index(db: Database) -> None:
    from .schema_light import ledger_without_key_index

    ledger_without_key_index(db)


@migrations()
def m019_arrival_on_the_order(db: Database) -> None:
    from .schema_order_pages import arrival_on_the_order

    arrival_on_the_order(db)


@migrations()
def m020_indexes_a_new_order_skips(db: Database) -> None:
    from .schema_order_pages import indexes_a_new_order_skips

    indexes_a_new_order_skips(db)


@migrations()
def m021_arrival_without_its_index(db: Database) -> None:
    from .schema_order_pages import arrival_without_its_index

    arrival_without_its_index(db)


@migrations()
def m022_status_counts_from_indexes(db: Database) -> None:
    # `gateway.status` (every few seconds) and every page's status count the refused receipts
    # and the orders that need attention: without these that was a scan of every receipt
    # ever printed and every order ever taken. Only those few rows are in them.
    db.execute("CREATE INDEX receipt_job_failed ON receipt_job(id) WHERE state = 'failed'")
    db.execute(
        "CREATE INDEX customer_order_attention ON customer_order(needs_attention)"
        " WHERE needs_attention IS NOT NULL"
    )


@migrations()
def m023_lines_on_the_order(db: Database) -> None:
    from .schema_order_lines import lines_on_the_order

    lines_on_the_order(db)


@migrations()
def m024_early_order_messages(db: Database) -> None:
    from .schema_order_early import early_order_messages

    early_order_messages(db)


@migrations()
def m025_updated_at_when_changed(db: Database) -> None:
    from .schema_order_pages import updated_at_when_changed

    updated_at_when_changed(db)


@migrations()
def m026_line_triggers_anew(db: Database) -> None:
    from .schema_order_lines import line_triggers_anew

    line_triggers_anew(db)


@migrations()
def m027_search_without_positions(db: Database) -> None:
    from .schema_stock import search_without_positions

    search_without_positions(db)
