"""(being written: issue 11)"""

from sqlite_utils import Database


def create_payment_tables(db: Database) -> None:
    pass
