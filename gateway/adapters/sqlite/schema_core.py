"""Tables of the first release (catalog, stock, orders, command log, outbox): migration m001."""

from sqlite_utils import Database

MAIN_LOCATION = "main"


def create_core_tables(db: Database) -> None:
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
