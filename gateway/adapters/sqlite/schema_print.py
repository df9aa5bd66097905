"""Tables of the durable print queue: migration m005."""

from sqlite_utils import Database


def create_print_queue(db: Database) -> None:
    db.executescript(
        """
-- Slips and labels waiting for the receipt printer, printed in id order by the printer worker.
-- The payload is plain JSON (what the layout needs), rendered to ESC/POS only when it prints,
-- so a job survives restarts and a change of roll width.
CREATE TABLE print_job(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL
    CHECK (kind IN ('pick_slip', 'receiving_report', 'shelf_label', 'test_page')),
  ref TEXT,  -- what it is about: the order number, receiving document, sku
  payload_json TEXT NOT NULL
    CHECK (json_valid(payload_json) AND json_type(payload_json) = 'object'),
  -- printing: marked (committed) before the first byte; found after a restart it means the
  -- outcome is not known, and the job becomes `unknown` for staff to judge (never resent blind).
  state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'unknown', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  reprint_of INTEGER REFERENCES print_job(id),
  error TEXT,
  created_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (state NOT IN ('unknown', 'failed') OR error IS NOT NULL)
) STRICT;
-- The queue head, and the counts staff must see (everything not done) without a table scan.
CREATE INDEX print_job_open ON print_job(state, id) WHERE state != 'done';
"""
    )
