"""A database that is still brand-new may take the configured store id.

install.sh used to start the gateway with the example's placeholder id (`shop-001`), whose first
start stamped the new database with it; after the documented "edit [store] id, restart" the
gateway refused its own empty database. A database with nothing of a shop's business in it (no
catalog, stock, orders, receipts, staff, outbox ...) has nothing that could belong to another
store, so it takes the configured id; any business at all keeps it bound to its store."""

from __future__ import annotations

import logging
import sqlite3

from gateway.adapters.sqlite.backup import TRAINING_MARK
from gateway.adapters.sqlite.store_identity import stored_store_id

log = logging.getLogger("storegw")

# What a first start writes without any business: the schema's own bookkeeping, the store id,
# the boot counter, the default location and settings, the stock search's empty index, the
# fiscal drive's last reading (the box's register, not the shop's).
HOUSEKEEPING = {
    "_sqlite_migrations", "sqlite_sequence", "sqlite_stat1", "store_identity", "counter",
    "location", "stock_setting", "fiscal_health",
}  # fmt: skip
HOUSEKEEPING_PREFIXES = ("stock_search",)  # the full-text index's shadow tables
HOUSEKEEPING_COUNTERS = {"boot", TRAINING_MARK}


def has_business(conn: sqlite3.Connection) -> bool:
    """Anything beyond what a first start writes: a table unknown here counts as business."""
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        if table in HOUSEKEEPING or table.startswith(HOUSEKEEPING_PREFIXES):
            continue
        if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            return True
    counters = {row[0] for row in conn.execute("SELECT name FROM counter")}
    return not counters <= HOUSEKEEPING_COUNTERS


def adopt_store_if_new(uow, store_id: str) -> None:
    """Give an empty database the configured store id (before `claim_store` checks it)."""
    known = stored_store_id(uow.conn)
    if known is None or known == store_id or has_business(uow.conn):
        return
    uow.conn.execute("UPDATE store_identity SET store_id = ?", (store_id,))
    log.warning(
        "the database was recorded for store %r but holds no business yet: it now belongs to"
        " store %r, as configured",
        known,
        store_id,
    )
