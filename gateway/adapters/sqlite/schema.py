"""Schema migrations (sqlite-utils `Migrations`). Append new migrations; never edit applied ones.

STRICT tables refuse a float or text where a quantity or a sum of money belongs, and the CHECKs
make an impossible stock state fail loudly instead of being stored."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MAIN_LOCATION = "main"

migrations = Migrations("storegw")


@migrations()
def m001_core(db: Database) -> None:
    db.executescript(
        f"""
CREATE TABLE counter(name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;

CREATE TABLE location(id TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
INSERT INTO location(id, name) VALUES ('{MAIN_LOCATION}', 'Магазин');

CREATE TABLE product(
  id TEXT PRIMARY KEY,
  article TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  vat TEXT NOT NULL,
  marked INTEGER NOT NULL DEFAULT 0 CHECK (marked IN (0, 1)),
  characteristics_json TEXT NOT NULL DEFAULT '[]',
  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
  catalog_version INTEGER NOT NULL
) STRICT;

CREATE TABLE variant(
  sku TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES product(id),
  name TEXT NOT NULL,
  characteristics_json TEXT NOT NULL DEFAULT '{{}}',
  char_key TEXT NOT NULL DEFAULT '',
  price INTEGER NOT NULL CHECK (price >= 0),
  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
) STRICT;
CREATE INDEX variant_product ON variant(product_id);
-- No two live variants of a product with the same characteristics (MoySklad error 15000).
CREATE UNIQUE INDEX variant_live_char_key ON variant(product_id, char_key) WHERE archived = 0;

CREATE TABLE barcode(
  code TEXT NOT NULL,
  sku TEXT NOT NULL REFERENCES variant(sku),
  pack_qty INTEGER NOT NULL DEFAULT 1 CHECK (pack_qty > 0),
  PRIMARY KEY (code, sku)
) STRICT;
CREATE INDEX barcode_sku ON barcode(sku);

CREATE TABLE stock_level(
  sku TEXT NOT NULL REFERENCES variant(sku),
  location_id TEXT NOT NULL REFERENCES location(id),
  on_hand INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  safety INTEGER NOT NULL DEFAULT 0 CHECK (safety >= 0),
  seq INTEGER NOT NULL DEFAULT 0,
  CHECK (reserved <= on_hand),
  PRIMARY KEY (sku, location_id)
) STRICT;

CREATE TABLE stock_move(
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL REFERENCES variant(sku),
  location_id TEXT NOT NULL REFERENCES location(id),
  d_on_hand INTEGER NOT NULL,
  d_reserved INTEGER NOT NULL,
  reason TEXT NOT NULL,
  ref_type TEXT,
  ref_id TEXT,
  idem_key TEXT NOT NULL UNIQUE,
  actor TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX stock_move_sku ON stock_move(sku, location_id);
CREATE TRIGGER stock_move_no_update BEFORE UPDATE ON stock_move
  BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END;
CREATE TRIGGER stock_move_no_delete BEFORE DELETE ON stock_move
  BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END;

CREATE TABLE customer_order(
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL,
  channel TEXT NOT NULL,
  paid INTEGER NOT NULL CHECK (paid IN (0, 1)),
  customer_json TEXT NOT NULL DEFAULT '{{}}',
  status TEXT NOT NULL CHECK (status IN
    ('reserved', 'short', 'confirmed', 'partially_shipped', 'shipped', 'cancelled')),
  confirmed_by TEXT,
  cancel_reason TEXT,
  needs_attention TEXT,
  arrival INTEGER NOT NULL UNIQUE,
  version INTEGER NOT NULL DEFAULT 1,
  src_version INTEGER NOT NULL DEFAULT 0,
  location_id TEXT NOT NULL REFERENCES location(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_order_status ON customer_order(status);

CREATE TABLE order_line(
  order_id TEXT NOT NULL REFERENCES customer_order(id),
  line_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  sku TEXT NOT NULL REFERENCES variant(sku),
  price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
  qty_ordered INTEGER NOT NULL CHECK (qty_ordered > 0),
  qty_reserved INTEGER NOT NULL DEFAULT 0 CHECK (qty_reserved >= 0),
  qty_shipped INTEGER NOT NULL DEFAULT 0 CHECK (qty_shipped >= 0),
  qty_cancelled INTEGER NOT NULL DEFAULT 0 CHECK (qty_cancelled >= 0),
  CHECK (qty_reserved + qty_shipped + qty_cancelled <= qty_ordered),
  PRIMARY KEY (order_id, line_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX order_line_sku ON order_line(sku);

CREATE TABLE shipment(
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES customer_order(id),
  actor TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE shipment_line(
  shipment_id TEXT NOT NULL REFERENCES shipment(id),
  line_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  PRIMARY KEY (shipment_id, line_id)
) STRICT;

-- Idempotency: a command key (tablet double-tap, MQTT message id) and the result it gave.
CREATE TABLE command_log(
  idem_key TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- Everything that leaves the box, numbered without gaps, written in the same transaction.
CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,  -- a uuid4: unique without an index to keep up (one page less)
  type TEXT NOT NULL,
  topic TEXT NOT NULL CHECK (topic IN ('stock', 'events', 'rejected')),
  data_json TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
"""
    )


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
