"""`storegw backup FILE`, `storegw backup --auto` and `storegw restore FILE`.

A backup is written to FILE.tmp, verified (integrity_check, the invariants, the store id) and
only then renamed to FILE: a file with the final name is always a good one. `--auto` (the
nightly storegw-backup.timer) names it after the store and the UTC time, in [backup] dir, and
keeps the [backup] keep newest. A restore refuses a bad file, another store's file and a
database still in use; the database it replaces is kept aside, never deleted."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path

from gateway.adapters.sqlite.backup import (
    InUse,
    Verdict,
    copy_online,
    fsync_dir,
    held_exclusively,
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
        help="into [backup] dir as storegw-<store>-<UTC time>.db, keeping the [backup] keep newest",
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore", parents=[common], help="replace the database with a backup (gateway stopped)"
    )
    restore.add_argument("file", type=Path, help="a file written by `storegw backup`")
    restore.set_defaults(handler=cmd_restore)


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def auto_name(store_id: str, stamp: str) -> str:
    return f"storegw-{store_id}-{stamp}.db"


def auto_pattern(store_id: str) -> re.Pattern[str]:
    """Only files `--auto` wrote for this store are ever removed by it."""
    return re.compile(rf"storegw-{re.escape(store_id)}-\d{{8}}-\d{{6}}\.db")


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    if args.auto:
        folder = config.appliance.backup.dir
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / auto_name(config.store_id, utc_stamp())
    else:
        target = args.file
    verdict = backup(config.database_path, target)
    size_mb = target.stat().st_size / 1e6
    print(
        f"backup {target}: store {verdict.store_id}, {verdict.orders} orders, {size_mb:.1f} MB,"
        " verified (integrity_check, invariants)"
    )
    if args.auto:
        for old in prune(
            config.appliance.backup.dir, config.store_id, config.appliance.backup.keep
        ):
            print(f"removed the older backup {old}")
    return 0


def backup(database: Path, target: Path) -> Verdict:
    if not database.is_file():
        raise CliError(f"database {database} does not exist: nothing to back up")
    if not target.parent.is_dir():
        raise CliError(f"{target.parent}: no such directory for the backup")
    staging = target.with_name(target.name + ".tmp")
    copy_online(database, staging)
    verdict = verify(staging)
    if not verdict.good:
        staging.unlink()
        raise CliError(
            f"backup of {database} refused, the copy failed verification: {_summary(verdict)}"
            " (run `storegw doctor`)"
        )
    staging.replace(target)
    fsync_dir(target.parent)
    return verdict


def prune(folder: Path, store_id: str, keep: int) -> list[Path]:
    """Remove all but the `keep` newest automatic backups of this store; returns the removed."""
    pattern = auto_pattern(store_id)
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
    stamp = utc_stamp()
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(f"{database.name}.restore-{stamp}.tmp")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    stage_for_restore(source, staged)
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
    print(
        f"restored {source} to {database}: store {verdict.store_id}, {verdict.orders} orders;"
        " start the gateway (sudo systemctl start storegw)"
    )
    return 0


def _summary(verdict: Verdict) -> str:
    more = len(verdict.problems) - 1
    return verdict.problems[0] + (f" (and {more} more)" if more else "")
