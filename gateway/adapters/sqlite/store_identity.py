"""Which store a database belongs to (m016): recorded at the first start, checked after."""

import sqlite3


class WrongStore(Exception):
    """The database was made by a gateway configured for another store."""


def stored_store_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT store_id FROM store_identity").fetchone()
    return row[0] if row else None


def claim_store(uow, store_id: str) -> str:
    """Record `store_id` in a new database; refuse a database of another store."""
    known = stored_store_id(uow.conn)
    if known is None:
        uow.conn.execute("INSERT INTO store_identity(store_id) VALUES (?)", (store_id,))
        return store_id
    if known != store_id:
        raise WrongStore(
            f"the database belongs to store {known!r}, the configuration says {store_id!r}:"
            " point database.path at this store's own database"
        )
    return known
