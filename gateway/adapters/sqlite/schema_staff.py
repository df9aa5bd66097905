"""Tables of staff sign-in and accountability (issue 9): migration m007.

A staff member is a person (signs in with a PIN) or an API token (an integration or a script);
both are rows of `staff`, so every recorded action points at one id. Secrets are stored only as
hashes: a PIN as salted scrypt, a token (long and random) as SHA-256. The rows that record what
someone did gain the actor's id next to the name they already kept."""

from sqlite_utils import Database

# table -> the id columns added beside its existing name columns
ACTOR_ID_COLUMNS = {
    "stock_move": ("staff_id",),
    "shipment": ("staff_id",),
    "receipt_job": ("staff_id",),
    "fiscal_shift": ("opened_by_id", "closed_by_id"),
    "cash_move": ("staff_id",),
    "print_job": ("staff_id",),
    "receiving_doc": ("created_by_id", "posted_by_id", "voided_by_id"),
    "receiving_link": ("linked_by_id",),
    "stocktake": ("started_by_id", "closed_by_id"),
    "customer_order": ("confirmed_by_id",),
}


def create_staff_tables(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE staff(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'token')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
  secret_hash TEXT NOT NULL,
  inn TEXT CHECK (inn IS NULL OR length(inn) = 12),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_by INTEGER REFERENCES staff(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
-- Two active people of one name could not be told apart on the sign-in screen.
CREATE UNIQUE INDEX staff_active_person_name ON staff(lower(name))
  WHERE kind = 'person' AND active = 1;
CREATE UNIQUE INDEX staff_token_hash ON staff(secret_hash) WHERE kind = 'token';

-- A signed-in tablet: the cookie holds a random token, the row only its SHA-256.
CREATE TABLE staff_session(
  id TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  csrf TEXT NOT NULL,
  client TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ended_at TEXT,
  ended_why TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX staff_session_live ON staff_session(expires_at) WHERE ended_at IS NULL;

-- Sign-ins, failed PINs, lockouts, overrides, money actions and changes to staff: append-only.
CREATE TABLE audit(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  staff_id INTEGER REFERENCES staff(id),
  approved_by INTEGER REFERENCES staff(id),
  subject_id INTEGER REFERENCES staff(id),  -- the account a staff change or a failed PIN is about
  amount INTEGER,
  detail TEXT NOT NULL DEFAULT '',
  client TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX audit_kind ON audit(kind, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""
    )
    for table, columns in ACTOR_ID_COLUMNS.items():
        for column in columns:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")
    db.execute("CREATE INDEX receipt_job_staff ON receipt_job(staff_id) WHERE state = 'done'")
