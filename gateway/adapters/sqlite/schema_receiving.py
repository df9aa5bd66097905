"""Tables of receiving (приёмка) and stocktake (инвентаризация): migration m004.

A document leaves its open state once (draft → posted | voided, counting → applied |
abandoned) and its lines are frozen from then on: triggers refuse the change, so a bug cannot
alter what was posted or applied."""

from sqlite_utils import Database


def create_receiving_and_stocktake(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE receiving_doc(
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('draft', 'posted', 'voided')),
  supplier_ref TEXT,
  sync_id TEXT NOT NULL UNIQUE,  -- MoySklad supply.syncId
  created_by TEXT,
  created_at TEXT NOT NULL,
  posted_by TEXT,
  posted_at TEXT,
  voided_by TEXT,
  voided_at TEXT,
  CHECK ((status = 'posted') = (posted_at IS NOT NULL)),
  CHECK ((status = 'voided') = (voided_at IS NOT NULL))
) STRICT;
CREATE INDEX receiving_doc_draft ON receiving_doc(status) WHERE status = 'draft';
CREATE TRIGGER receiving_doc_status_once BEFORE UPDATE OF status ON receiving_doc
  WHEN OLD.status != 'draft' AND NEW.status != OLD.status
  BEGIN SELECT RAISE(ABORT, 'receiving document is no longer a draft'); END;

-- Units of a known sku; `pos` orders the lines as they were first scanned.
CREATE TABLE receiving_line(
  doc_id TEXT NOT NULL REFERENCES receiving_doc(id),
  sku TEXT NOT NULL REFERENCES variant(sku),
  qty INTEGER NOT NULL CHECK (qty > 0 AND qty <= 1000000),
  pos INTEGER NOT NULL,
  last_code TEXT,
  PRIMARY KEY (doc_id, sku)
) STRICT, WITHOUT ROWID;

-- Codes the catalog did not know: SCANS, not units (the pack size is not known yet).
CREATE TABLE receiving_unknown(
  doc_id TEXT NOT NULL REFERENCES receiving_doc(id),
  code TEXT NOT NULL,
  scans INTEGER NOT NULL CHECK (scans > 0 AND scans <= 1000000),
  pos INTEGER NOT NULL,
  PRIMARY KEY (doc_id, code)
) STRICT, WITHOUT ROWID;

-- Unknown codes a manager linked to a sku in this document (exported for the cloud to map).
CREATE TABLE receiving_link(
  doc_id TEXT NOT NULL REFERENCES receiving_doc(id),
  code TEXT NOT NULL,
  sku TEXT NOT NULL REFERENCES variant(sku),
  pack INTEGER NOT NULL CHECK (pack > 0),
  scans INTEGER NOT NULL CHECK (scans > 0),
  learned INTEGER NOT NULL CHECK (learned IN (0, 1)),
  linked_by TEXT,
  PRIMARY KEY (doc_id, code)
) STRICT;

-- Marking codes already counted in this document: one physical unit is counted once.
-- line_key: the sku, or the unknown code, of the line it was counted on.
CREATE TABLE receiving_unit(
  doc_id TEXT NOT NULL REFERENCES receiving_doc(id),
  code TEXT NOT NULL,
  line_key TEXT NOT NULL,
  PRIMARY KEY (doc_id, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE stocktake(
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('counting', 'applied', 'abandoned')),
  scope TEXT NOT NULL CHECK (scope IN ('all', 'skus')),
  uncounted TEXT NOT NULL CHECK (uncounted IN ('zero', 'ignore')),
  ledger_head INTEGER NOT NULL CHECK (ledger_head >= 0),  -- last stock_move id at the start
  sync_id TEXT NOT NULL UNIQUE,  -- MoySklad inventory.syncId
  started_by TEXT,
  started_at TEXT NOT NULL,
  closed_by TEXT,
  closed_at TEXT,
  result_json TEXT,  -- what was applied (returned again on a repeated apply)
  CHECK ((status = 'counting') = (closed_at IS NULL)),
  CHECK ((status = 'applied') = (result_json IS NOT NULL))
) STRICT;
-- One count at a time: two open counts of one sku would correct it twice.
CREATE UNIQUE INDEX stocktake_one_counting ON stocktake(status) WHERE status = 'counting';
CREATE TRIGGER stocktake_status_once BEFORE UPDATE OF status ON stocktake
  WHEN OLD.status != 'counting' AND NEW.status != OLD.status
  BEGIN SELECT RAISE(ABORT, 'stocktake is no longer counting'); END;

-- The skus of a partial count (none for a count of the whole catalog).
CREATE TABLE stocktake_scope(
  take_id TEXT NOT NULL REFERENCES stocktake(id),
  sku TEXT NOT NULL REFERENCES variant(sku),
  PRIMARY KEY (take_id, sku)
) STRICT, WITHOUT ROWID;

-- DOMAIN.md 32: the book quantity and the last ledger move at the sku's first scan.
CREATE TABLE stocktake_line(
  take_id TEXT NOT NULL REFERENCES stocktake(id),
  sku TEXT NOT NULL REFERENCES variant(sku),
  counted INTEGER NOT NULL CHECK (counted >= 0 AND counted <= 1000000),
  book_at_scan INTEGER NOT NULL CHECK (book_at_scan >= 0),
  move_id_at_scan INTEGER NOT NULL CHECK (move_id_at_scan >= 0),
  pos INTEGER NOT NULL,
  last_code TEXT,
  PRIMARY KEY (take_id, sku)
) STRICT, WITHOUT ROWID;

CREATE TABLE stocktake_unknown(
  take_id TEXT NOT NULL REFERENCES stocktake(id),
  code TEXT NOT NULL,
  scans INTEGER NOT NULL CHECK (scans > 0 AND scans <= 1000000),
  pos INTEGER NOT NULL,
  PRIMARY KEY (take_id, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE stocktake_unit(
  take_id TEXT NOT NULL REFERENCES stocktake(id),
  code TEXT NOT NULL,
  line_key TEXT NOT NULL,
  PRIMARY KEY (take_id, code)
) STRICT, WITHOUT ROWID;
"""
        + "".join(
            _frozen_when_closed(table, parent, key, open_status)
            for table, parent, key, open_status in (
                ("receiving_line", "receiving_doc", "doc_id", "draft"),
                ("receiving_unknown", "receiving_doc", "doc_id", "draft"),
                ("receiving_link", "receiving_doc", "doc_id", "draft"),
                ("receiving_unit", "receiving_doc", "doc_id", "draft"),
                ("stocktake_line", "stocktake", "take_id", "counting"),
                ("stocktake_unknown", "stocktake", "take_id", "counting"),
                ("stocktake_unit", "stocktake", "take_id", "counting"),
            )
        )
    )


def _frozen_when_closed(table: str, parent: str, key: str, open_status: str) -> str:
    """Triggers refusing any change to a line of a document that is no longer open."""
    triggers = []
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        triggers.append(
            f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table}\n"
            f"  WHEN (SELECT status FROM {parent} WHERE id = {row}.{key}) != '{open_status}'\n"
            f"  BEGIN SELECT RAISE(ABORT, '{table}: the document is closed'); END;\n"
        )
    return "".join(triggers)
