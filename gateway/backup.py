"""`storegw backup FILE`, `storegw backup --auto` and `storegw restore FILE`.

A backup is written to FILE.tmp, verified (integrity_check, the invariants, the store id) and
only then renamed to FILE: a file with the final name is always a good one. `--auto` (the
nightly storegw-backup.timer) names it after the store and the UTC time, in [backup] dir, and
keeps the [backup] keep newest; a training database's are `….training.db`, counted apart. A
backup never writes over the live database. A restore refuses a bad file, another store's file,
a training database (unless in training mode) and a database still in use; the database it
replaces is kept aside under a name no other file has, never deleted."""

from __future__ import annotations

import argparse
import itertools
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from gateway.adapters.sqlite.backup import (
    SIDE_FILES,
    InUse,
    TargetError,
    Verdict,
    copy_online,
    fsync_dir,
    held_exclusively,
    in_use,
    is_the_database,
    is_training_database,
    put_in_place,
    stage_for_restore,
    verify,
)
from gateway.cli_errors import CliError
from gateway.config import Config

STOP_FIRST = "stop the gateway first (sudo systemctl stop storegw), then restore again"


def add_backup_parsers(commands, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup", parents=[common], help="copy the database (while it runs), verified"
    )
    target = backup.add_mutually_exclusive_group(required=True)
    target.add_argument("file", nargs="?", type=Path, help="where to write the copy")
    target.add_argument(
        "--auto",
        action="store_true",
        help="into [backup] dir as storegw-<store>-<UTC time>.db (a training database's:"
        " ….training.db), keeping the [backup] keep newest of that kind",
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore", parents=[common], help="replace the database with a backup (gateway stopped)"
    )
    restore.add_argument("file", type=Path, help="a file written by `storegw backup`")
    restore.set_defaults(handler=cmd_restore)


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def auto_name(store_id: str, stamp: str, training: bool = False) -> str:
    # `.training.db` like the training database's own name; no store id can make it a real one's.
    return f"storegw-{store_id}-{stamp}{'.training' if training else ''}.db"


def auto_pattern(store_id: str, training: bool = False) -> re.Pattern[str]:
    """Only files `--auto` wrote for this store, real or training, are ever removed by it."""
    kind = r"\.training" if training else ""
    return re.compile(rf"storegw-{re.escape(store_id)}-\d{{8}}-\d{{6}}{kind}\.db")


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    database = config.database_path
    training = config.appliance.training or is_training_database(database)
    if args.auto:
        folder = config.appliance.backup.dir
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / auto_name(config.store_id, utc_stamp(), training)
    else:
        target = args.file
    verdict = backup(database, target)
    size_mb = target.stat().st_size / 1e6
    kind = "training database, " if verdict.training else ""
    print(
        f"backup {target}: store {verdict.store_id}, {kind}{verdict.orders} orders,"
        f" {size_mb:.1f} MB, verified (integrity_check, invariants)"
    )
    if args.auto:
        keep = config.appliance.backup.keep
        for old in prune(config.appliance.backup.dir, config.store_id, keep, training):
            print(f"removed the older backup {old}")
    return 0


def backup(database: Path, target: Path) -> Verdict:
    if not database.is_file():
        raise CliError(f"database {database} does not exist: nothing to back up")
    staging = target.with_name(target.name + ".tmp")
    _check_target(database, target, staging)
    try:
        copy_online(database, staging)
    except TargetError as exc:
        raise _not_written(target, exc) from None
    verdict = verify(staging)
    if not verdict.good:
        staging.unlink()
        raise CliError(
            f"backup of {database} refused, the copy failed verification: {_summary(verdict)}"
            " (run `storegw doctor`)"
        )
    try:
        staging.replace(target)
        fsync_dir(target.parent)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise _not_written(target, TargetError(exc.strerror or str(exc))) from None
    return verdict


def _check_target(database: Path, target: Path, staging: Path) -> None:
    """Refuse, before anything is written, a target the copy cannot or must not replace."""
    if target.is_dir():
        raise CliError(
            f"backup {target} not written: it is a folder; name a file in it,"
            f" e.g. {target / 'gateway-backup.db'}"
        )
    if not target.parent.is_dir():
        raise CliError(f"{target.parent}: no such directory for the backup")
    if is_the_database(target, database) or is_the_database(staging, database):
        # Renamed over the live database, the copy would leave the gateway writing into a
        # deleted file: everything after it lost.
        raise CliError(
            f"backup {target} not written: it is the live database {database} (or its -wal/-shm);"
            " choose a file elsewhere, e.g. in the [backup] dir"
        )
    if in_use(target):
        raise CliError(
            f"backup {target} not written: it is a database in use (a running gateway's?);"
            " choose another file"
        )


def _not_written(target: Path, exc: TargetError) -> CliError:
    todo = (
        "free space on that disk or choose another one"
        if exc.full
        else "choose a folder the gateway's user can write, on a disk mounted read-write"
    )
    return CliError(f"backup {target} not written ({exc}): {todo}; nothing was left there")


def prune(folder: Path, store_id: str, keep: int, training: bool = False) -> list[Path]:
    """Remove all but the `keep` newest automatic backups of this store and kind (real or
    training: one never counts or removes the other's); returns the removed."""
    pattern = auto_pattern(store_id, training)
    ours = sorted(p for p in folder.iterdir() if p.is_file() and pattern.fullmatch(p.name))
    removed = ours[:-keep] if len(ours) > keep else []
    for path in removed:
        path.unlink()
    return removed


def cmd_restore(args: argparse.Namespace, config: Config) -> int:
    source, database = args.file, config.database_path
    verdict = verify(source)
    if not verdict.good:
        raise CliError(f"{source}: not a good backup, nothing restored: {_summary(verdict)}")
    if verdict.store_id != config.store_id:
        raise CliError(
            f"{source} is a backup of store {verdict.store_id!r}, this gateway is store"
            f" {config.store_id!r}: nothing restored, use a backup of this store"
        )
    training = config.appliance.training
    if verdict.training and not training:  # its outbox holds practice sales
        raise CliError(
            f"{source} is a training database (practice sales, never for the cloud): nothing"
            " restored; use a backup of the shop's database, or restore it with --training"
        )
    stamp = utc_stamp()
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(f"{database.name}.restore-{stamp}-{os.getpid()}.tmp")
    aside = free_aside_name(database, stamp)
    stage_for_restore(source, staged, training=training)
    try:
        if database.exists():
            # Fails at once if the gateway (or anyone) has it open; else folds its WAL in.
            with held_exclusively(database):
                pass
        put_in_place(staged, database, aside)
    except InUse:
        staged.unlink()
        raise CliError(
            f"database {database} is in use (is the gateway running?): {STOP_FIRST}"
        ) from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if aside.exists():
        print(f"the database it replaced is kept as {aside}")
    start = "storegw run --training" if training else "sudo systemctl start storegw"
    print(
        f"restored {source} to {database}: store {verdict.store_id}, {verdict.orders} orders;"
        f" start the gateway ({start})"
    )
    return 0


def free_aside_name(database: Path, stamp: str) -> Path:
    """`gateway.db.before-restore-<stamp>`, or `…-2`, `…-3`: two restores in one second must
    not lose the first kept database (put_in_place refuses to overwrite one anyway)."""
    base = f"{database.name}.before-restore-{stamp}"
    for n in itertools.count(1):
        aside = database.with_name(base if n == 1 else f"{base}-{n}")
        if not any(os.path.lexists(f"{aside}{suffix}") for suffix in ("", *SIDE_FILES)):
            return aside
    raise AssertionError("unreachable")


def _summary(verdict: Verdict) -> str:
    more = len(verdict.problems) - 1
    return verdict.problems[0] + (f" (and {more} more)" if more else "")
