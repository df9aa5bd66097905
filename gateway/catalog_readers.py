"""A big catalog file read by every core (issue 12): reading and checking its products is the
import's largest share of Python, and one process does it on one core.

The importing process forks one reader per other core before it reads. Each process reads the
whole file with ijson (cheap, in C) but parses, checks and stages only its share of the
products — runs of SHARE_RUN in turn — the readers into a scratch SQLite file each (no rows
pickled through a pipe), the importing one into its own stage. It then waits for the readers and
appends their stages to its own; the message-wide rules and the writes follow as for one
reader. Nothing the readers do touches the database: a reader that fails or is killed fails the
import, which then changes nothing."""

import os
import shutil
import signal
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import ijson

from gateway.adapters.sqlite.catalog_repo import CatalogRepo
from gateway.cli_errors import CliError
from gateway.domain.catalog import ProductRejection
from gateway.services.catalog import CatalogImport

READERS_FROM_BYTES = 2 * 2**20  # about 2 000 products: below, a fork costs more than it saves
MAX_READERS = 4  # a Raspberry Pi's cores
SHARE_RUN = 500  # products read in a row by one process
SCRATCH_PREFIX = "storegw-import-"  # then the importer's pid: its readers' scratch folder
_JSON_BROKEN = 3  # a reader's exit status for a file that is not JSON (the importer says so)
_REJECTED = "CREATE TABLE rejected(pos INTEGER, product_id TEXT, reason TEXT, detail TEXT)"


def readers_for(path: Path) -> int:
    """One process for a small file; for a big one, one per core this process may run on."""
    try:
        big = path.stat().st_size >= READERS_FROM_BYTES
    except OSError:
        return 1  # the import says why it cannot read it
    return min(len(os.sched_getaffinity(0)), MAX_READERS) if big else 1


@dataclass
class _Reader:
    pid: int
    stage: Path
    running: bool = True


def read_in_shares(
    staging: CatalogImport, path: Path, prefix: str, items: Iterable[Any], readers: int
) -> None:
    """Stage the products of `items` (ijson's, at `prefix` of `path`) with `readers` processes
    in all, this one included."""
    _sweep_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    started: list[_Reader] = []
    try:
        for share in range(1, readers):
            stage = scratch / f"reader-{share}.db"
            try:
                pid = os.fork()
            except OSError as exc:  # no memory or process left for it
                raise CliError(
                    f"cannot start a process to read {path} ({exc.strerror}); nothing was imported"
                ) from exc
            if pid == 0:
                _read_share(path, prefix, share, readers, stage)
            started.append(_Reader(pid, stage))
        _stage_share(staging, items, 0, readers)
        for reader in started:
            _take(staging, reader, path)
    finally:
        _stop(started)
        shutil.rmtree(scratch, ignore_errors=True)


def _sweep_scratch() -> None:
    """The scratch folders of importers killed before they could remove theirs (the OOM
    killer, SIGKILL): their process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stage_share(staging: CatalogImport, items: Iterable[Any], share: int, readers: int) -> None:
    # Runs of products, not every n-th: the stages then join in long runs of the message's
    # order, which the writes follow (each variant's rowid in message order, as for one reader).
    for index, item in enumerate(items):
        if index // SHARE_RUN % readers == share:
            staging.add(item)
        else:
            staging.skip()


class _ScratchStage:
    """What CatalogImport needs of a unit of work to stage: the catalog's stage, here in a
    reader's own file."""

    def __init__(self, conn: sqlite3.Connection):
        self.catalog = CatalogRepo(conn, stage_schema="main")


def _read_share(path: Path, prefix: str, share: int, readers: int, stage: Path) -> NoReturn:
    """In the forked reader: stage its share into `stage`, then exit (never return into the
    importer's code, nor touch its connection: `os._exit`, no clean-up of the parent's)."""
    status = 1
    try:
        conn = sqlite3.connect(stage, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: if anything fails, it goes
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        staging = CatalogImport(_ScratchStage(conn))
        with path.open("rb") as file:
            _stage_share(staging, ijson.items(file, prefix, use_float=True), share, readers)
        staging.uow.catalog.flush_stage()
        conn.execute(_REJECTED)
        conn.executemany(
            "INSERT INTO rejected VALUES (?, ?, ?, ?)",
            [(i, r.product_id, r.reason, r.detail) for i, r in staging.rejected],
        )
        conn.execute("COMMIT")
        conn.close()
        status = 0
    except ijson.JSONError:
        status = _JSON_BROKEN
    except KeyboardInterrupt:  # Ctrl-C reaches the whole group: the importer stops too
        status = 130
    except BaseException as exc:  # noqa: BLE001 (said on stderr: the importer only sees a status)
        # os.write, not print: a lock another thread of the parent held is never released here.
        os.write(2, f"storegw: catalog reader {share}: {exc!r}\n".encode())
    finally:
        os._exit(status)


def _take(staging: CatalogImport, reader: _Reader, path: Path) -> None:
    _, status = os.waitpid(reader.pid, 0)
    reader.running = False
    if status != 0:
        code = os.waitstatus_to_exitcode(status)
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise CliError(f"a process reading {path} failed ({how}); nothing was imported")
    schema = staging.uow.attach(reader.stage)  # copied in C, not row by row through Python
    rejected = [
        (pos, ProductRejection(product_id, reason, detail))
        for pos, product_id, reason, detail in staging.uow.conn.execute(
            f"SELECT * FROM {schema}.rejected ORDER BY rowid"
        )
    ]
    staging.take(schema, rejected)


def _stop(readers: list[_Reader]) -> None:
    """Readers still running when the import failed: stopped and reaped."""
    for reader in readers:
        if reader.running:
            os.kill(reader.pid, signal.SIGKILL)
            os.waitpid(reader.pid, 0)
