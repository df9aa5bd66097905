"""Tables of the fiscal drive's health (issue 11): migration m014.

- `fiscal_health`: the drive's last reading (one row: the OFD queue, the warning flags, the end
  of life, the register's clock at the reading), so the status, the summary and the doctor show
  it while the register is away or before the worker has read it again after a restart.
- `fiscal_alarm`: the alarm level last kept for each kind (`gateway.domain.fiscal_health`), so
  `fiscal.alarm` is announced once per level reached, not again after a restart; a row goes
  when its condition clears."""

from sqlite_utils import Database


def create_fiscal_health_tables(db: Database) -> None:
    db.executescript(
        """
CREATE TABLE fiscal_health(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  fn TEXT NOT NULL,
  unsent INTEGER NOT NULL CHECK (unsent >= 0),
  first_unsent_fd INTEGER,
  first_unsent_at TEXT,
  transport_up INTEGER NOT NULL CHECK (transport_up IN (0, 1)),
  warnings INTEGER NOT NULL CHECK (warnings >= 0),
  expires TEXT,
  checked_at TEXT NOT NULL,
  read_at TEXT NOT NULL
) STRICT;

CREATE TABLE fiscal_alarm(
  kind TEXT PRIMARY KEY CHECK (kind IN ('ofd_queue', 'fn_expiry', 'fn_memory')),
  level INTEGER NOT NULL,
  days INTEGER,
  detail TEXT NOT NULL,
  detail_en TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
"""
    )
