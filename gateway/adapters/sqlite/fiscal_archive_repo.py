"""What the database knows of the fiscal drive's archive, for finding the receipts a restored
database lost (services/fiscal_archive.py). A mixin of FiscalRepo (`uow.fiscal`).

The documents the database may not know are kept as a window of FDs per drive, in counters
(`unknown_fds_from:<fn>`, `unknown_fds_to:<fn>`): no table of their own."""

from .outbox import read_counter, write_counter

RESTORED_MARK = "fiscal_restored_from_backup"  # set to 1 by `storegw restore` (sqlite/backup.py)
_FROM, _TO = "unknown_fds_from:", "unknown_fds_to:"


class FiscalArchiveQueries:
    conn = None  # FiscalRepo's connection

    def restored_mark(self) -> bool:
        return read_counter(self.conn, RESTORED_MARK) == 1

    def clear_restored_mark(self) -> None:
        self.conn.execute("DELETE FROM counter WHERE name = ?", (RESTORED_MARK,))

    def highest_known_fd(self, fn: str) -> int:
        """The newest document of drive `fn` this database recorded: a receipt, a shift report,
        or the drive's last FD when a job in doubt was sent (its receipt may be the next)."""
        row = self.conn.execute(
            "SELECT max(coalesce((SELECT max(fd) FROM receipt_job WHERE fn = :fn), 0),"
            " coalesce((SELECT max(saved_fd) FROM receipt_job WHERE saved_fn = :fn), 0),"
            " coalesce((SELECT max(max(coalesce(open_fd, 0), coalesce(close_fd, 0)))"
            " FROM fiscal_shift WHERE fn IN (:fn, '')), 0))",
            {"fn": fn},
        ).fetchone()
        return row[0]

    def recorded_fds(self, fn: str, first: int, last: int) -> set[int]:
        """FDs of drive `fn` in first..last that a receipt job holds (adopted or printed)."""
        rows = self.conn.execute(
            "SELECT fd FROM receipt_job WHERE fn = ? AND fd BETWEEN ? AND ?", (fn, first, last)
        )
        return {row[0] for row in rows}

    def unknown_window(self, fn: str) -> tuple[int, int] | None:
        first, last = read_counter(self.conn, _FROM + fn), read_counter(self.conn, _TO + fn)
        return (first, last) if first and last >= first else None

    def set_unknown_window(self, fn: str, first: int, last: int) -> None:
        write_counter(self.conn, _FROM + fn, first)
        write_counter(self.conn, _TO + fn, last)
