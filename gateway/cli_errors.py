"""The error every `storegw` command raises for a problem the user can fix, and the one line a
database error becomes."""

import sqlite3
from pathlib import Path

SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN = 3, 8, 14  # the file or its folder not writable


class CliError(Exception):
    """A problem the user can fix, printed as one line."""


def database_error(database: Path | str, exc: sqlite3.Error) -> str:
    """`database PATH: what SQLite said`, and what to do when it cannot write there (a
    read-only mount after a disk error, a file owned by root after a `sudo storegw ...`)."""
    line = f"database {database}: {exc}"
    if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (
        SQLITE_PERM,
        SQLITE_READONLY,
        SQLITE_CANTOPEN,
    ):
        line += (
            ": the gateway's user must be able to write the file and its folder, on a disk"
            " mounted read-write (check `ls -l` and `mount`, or run `storegw doctor`)"
        )
    return line
