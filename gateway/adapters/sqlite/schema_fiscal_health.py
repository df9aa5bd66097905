"""(being written: issue 11)"""

from sqlite_utils import Database


def create_fiscal_health_tables(db: Database) -> None:
    pass
