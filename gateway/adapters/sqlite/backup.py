"""Copies of the database: SQLite's online backup of a running gateway, the checks a copy must
pass before anyone calls it good, and putting one in place of the live database.

Whether the gateway (or anyone) has the database open is asked of SQLite itself: every open
connection to a WAL database holds a shared lock on it for its whole life (the gateway's writer
keeps one from start to stop), so an exclusive lock is granted only when nobody has it open --
in this process or another. No pid file that a crash leaves behind, no port that another
program may hold."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .connection import open_connection
from .fiscal_archive_repo import RESTORED_MARK as FISCAL_RESTORED_MARK
from .invariants import check_invariants
from .outbox import write_counter
from .store_identity import stored_store_id

SIDE_FILES = ("-wal", "-shm")  # SQLite's companions of a WAL database, named after it
COMPANIONS = (*SIDE_FILES, "-journal")  # every file SQLite may keep beside a database
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 10, 13, 14
SQLITE_IOERR_READ, SQLITE_IOERR_SHORT_READ = 266, 522  # reading the source: not the copy's fault
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
TRAINING_MARK = "training_database"  # a counter: 1 in a training database (gateway/training.py)
SHARED_FIRST, SHARED_SIZE = 0x40000000 + 2, 510  # os_unix.c: PENDING_BYTE + 2, 510 bytes


class InUse(Exception):
    """Another connection (the running gateway, most likely) has the database open."""


class TargetError(Exception):
    """The copy could not be written (full disk, read-only, no such folder): the target's
    problem, not the database's. `full`: freeing space would help."""

    def __init__(self, reason: str, *, full: bool = False):
        super().__init__(reason)
        self.full = full


@dataclass(frozen=True)
class Verdict:
    """What a copy holds and what is wrong with it (nothing: it is good)."""

    store_id: str | None = None
    orders: int = 0
    problems: list[str] = field(default_factory=list)
    training: bool = False  # a training database's: practice sales, never for the cloud

    @property
    def good(self) -> bool:
        return not self.problems


def copy_online(source: Path, target: Path) -> None:
    """Copy the database at `source` into a new file `target` while the gateway may be writing.

    One backup step (pages=-1) reads every page inside one read transaction: the copy is the
    database as of its last COMMIT, and in WAL mode the gateway's writes go on meanwhile. The
    copy is switched to a rollback journal so that it is one self-contained file. A target that
    cannot be written raises TargetError and leaves no file behind; errors of the source are
    sqlite3's own."""
    with contextlib.closing(open_connection(source, readonly=True)) as src:
        try:
            _write_copy(src, target)
        except (OSError, sqlite3.Error) as exc:
            with contextlib.suppress(OSError):
                target.unlink()
            if isinstance(exc, sqlite3.Error) and not _the_targets_fault(exc):
                raise
            raise _target_error(exc) from None


def _write_copy(src: sqlite3.Connection, target: Path) -> None:
    try:  # created here, so that a folder we cannot write is named as such, not by SQLite
        with contextlib.suppress(FileNotFoundError):
            target.unlink()  # a stale copy left by an interrupted run
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError as exc:
        raise TargetError(f"cannot create it: {exc.strerror}", full=exc.errno in NO_SPACE) from None
    with contextlib.closing(sqlite3.connect(str(target), isolation_level=None)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    fsync_file(target)


def _the_targets_fault(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0)
    if code in (SQLITE_IOERR_READ, SQLITE_IOERR_SHORT_READ):
        return False
    return (code & 0xFF) in (
        SQLITE_PERM,
        SQLITE_READONLY,
        SQLITE_IOERR,
        SQLITE_FULL,
        SQLITE_CANTOPEN,
    )


def _target_error(exc: OSError | sqlite3.Error) -> TargetError:
    if isinstance(exc, OSError):
        return TargetError(exc.strerror or str(exc), full=exc.errno in NO_SPACE)
    return TargetError(str(exc), full=(getattr(exc, "sqlite_errorcode", 0) & 0xFF) == SQLITE_FULL)


def verify(path: Path) -> Verdict:
    """`PRAGMA integrity_check` (the full one), the ledger's invariants and the store id (m016).
    A file that is no database at all is a verdict too, never an exception."""
    if not path.is_file():
        return Verdict(problems=[f"{path} is not a file"])
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
            return _verdict(conn)
    except sqlite3.DatabaseError as exc:
        return Verdict(problems=[f"not a readable SQLite database ({exc})"])


def _verdict(conn: sqlite3.Connection) -> Verdict:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        return Verdict(problems=[f"integrity_check: {row}" for row in rows])
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "store_identity" not in tables or "customer_order" not in tables:
        return Verdict(problems=["not a store gateway database of this version (no store id)"])
    store_id = stored_store_id(conn)
    problems = check_invariants(conn)
    if store_id is None:
        problems.append("no store id recorded (a database the gateway never started on)")
    [orders] = conn.execute("SELECT count(*) FROM customer_order").fetchone()
    return Verdict(store_id, orders, problems, _marked_training(conn))


def _marked_training(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM counter WHERE name = ?", (TRAINING_MARK,)).fetchone()
    return row is not None and row[0] == 1


def is_training_database(path: Path) -> bool:
    """The database at `path` is marked as a training one (False if it cannot be read)."""
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
            return _marked_training(conn)
    except sqlite3.Error:
        return False


def mark_training(path: Path) -> None:
    """Mark the database at `path` (not yet in use) as a training one."""
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        write_counter(conn, TRAINING_MARK, 1)
    fsync_file(path)


def is_the_database(path: Path, database: Path) -> bool:
    """`path` names the database or one of its companion files, whatever the spelling: a
    symlink, a hard link, `..`. Existing files are compared by inode, others by resolved path."""
    for live in (database, *(database.with_name(database.name + s) for s in COMPANIONS)):
        if path.exists() and live.exists():
            if os.path.samefile(path, live):
                return True
        elif path.resolve() == live.resolve():
            return True
    return False


@contextlib.contextmanager
def held_exclusively(path: Path, *, checkpoint: bool = True) -> Iterator[sqlite3.Connection | None]:
    """The database locked against every other connection for the duration (its WAL folded
    into the main file with `checkpoint`); raises InUse at once if anyone has it open. A file
    SQLite cannot read any more (its header destroyed) yields None once no other process holds
    SQLite's lock bytes on it."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) in (SQLITE_BUSY, SQLITE_LOCKED):
                raise InUse(str(exc)) from None
            if _locked_by_another_process(path):
                raise InUse(f"{exc}, and another process holds its lock") from None
            yield None
            return
        if checkpoint:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield conn
    finally:
        conn.close()


def _locked_by_another_process(path: Path) -> bool:
    """SQLite's own lock protocol on Unix: every reader holds a read lock on SHARED_SIZE bytes
    after PENDING_BYTE + 2 (in WAL mode for its connection's whole life). Only other processes
    are seen: POSIX locks never conflict within one."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, SHARED_SIZE, SHARED_FIRST, os.SEEK_SET)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, SHARED_SIZE, SHARED_FIRST, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def in_use(path: Path) -> bool:
    """True while any connection (the running gateway's writer above all) has `path` open."""
    if not path.exists():
        return False
    try:
        with held_exclusively(path, checkpoint=False):
            return False
    except InUse:
        return True
    except (OSError, sqlite3.Error):  # not ours to lock (another user's file): cannot tell
        return False


def put_in_place(staged: Path, database: Path, aside: Path) -> None:
    """`database` (with its -wal/-shm, if any were left) becomes `aside`; `staged` becomes
    `database` by one rename. The caller made sure nobody has `database` open. An existing
    `aside` is never overwritten: FileExistsError, and nothing has moved."""
    _owned_like(staged, database if database.exists() else database.parent)
    if database.exists():
        rename_no_replace(database, aside)
    for suffix in SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():  # normally gone: the last connection's close removes them
            rename_no_replace(side, aside.with_name(aside.name + suffix))
    os.replace(staged, database)
    fsync_dir(database.parent)


def rename_no_replace(source: Path, target: Path) -> None:
    """rename(2) silently replaces its target; link(2) refuses an existing one."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def _owned_like(path: Path, model: Path) -> None:
    """A restore run as root must leave a database the gateway's own user can still write."""
    stat = model.stat()
    with contextlib.suppress(PermissionError):  # not root: it is ours already
        os.chown(path, stat.st_uid, stat.st_gid)
    if model.is_file():
        os.chmod(path, stat.st_mode & 0o777)


RESTORED_MARK = "restored_from_backup"  # services/sync.RESTORED: the same counter


def stage_for_restore(backup: Path, staged: Path, *, training: bool = False) -> None:
    """A copy of `backup` next to the live database, already in WAL mode as the gateway wants
    it, on the disk before it is renamed into place (marked a training one with `training`)."""
    with contextlib.suppress(FileNotFoundError):
        staged.unlink()
    uri = f"{backup.resolve().as_uri()}?mode=ro"
    with (
        contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as src,
        contextlib.closing(sqlite3.connect(str(staged), isolation_level=None)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        # The cloud may hold messages numbered after the backup: the first sync.ack ahead of
        # this head rejoins its numbering (services/sync.rejoin_after_restore), once.
        write_counter(dst, RESTORED_MARK, 1)
        # The register may have signed receipts after the backup: the fiscal worker looks for
        # them before printing a payment the cloud sends again (services/fiscal_archive.py).
        write_counter(dst, FISCAL_RESTORED_MARK, 1)
        if training:
            write_counter(dst, TRAINING_MARK, 1)
    fsync_file(staged)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """A rename is durable once its directory is on the disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
