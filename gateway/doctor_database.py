"""The doctor's database and disk checks: the file, SQLite and its settings, integrity, the
store id, the invariants, the outbox backlog, the disk and its mount, the nightly backups.
Everything is read through read-only connections."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path

from gateway.adapters.sqlite.backup import TRAINING_MARK
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.outbox import outbox_head, read_counter
from gateway.adapters.sqlite.store_identity import stored_store_id
from gateway.backup import auto_pattern
from gateway.config import Config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes
from gateway.doctor_sqlite import integrity_findings, sqlite_finding

MB = 1_000_000
DISK_ERROR_BYTES = 100 * MB
DISK_WARNING_BYTES = 500 * MB
DISK_WARNING_SHARE = 0.10
OUTBOX_WARNING_S = 10 * 60  # the cloud may be away a while; after that someone should look
OUTBOX_ERROR_S = 24 * 3600  # a day of orders the web shop has not seen
BACKUP_STALE_S = 36 * 3600  # the timer runs nightly: a day and a half means it did not
RESTORE_HINT = "restore the last good backup: storegw restore FILE (see the README)"


def findings(config: Config, probes: Probes) -> list[Finding]:
    path = config.database_path
    found = [*disk_findings(path, probes), backup_finding(config, probes)]
    if not path.exists():
        return [
            Finding(
                ERROR,
                "database",
                f"{path} does not exist",
                "check database.path in the configuration; a new box creates it at the first"
                f" start; a lost one: {RESTORE_HINT}",
            ),
            *found,
        ]
    with path.open("rb") as fp:
        header = fp.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        return [
            Finding(ERROR, "database", f"{path} is not an SQLite database", RESTORE_HINT),
            *found,
        ]
    size = path.stat().st_size + _size(path.with_name(path.name + "-wal"))
    head = [Finding(OK, "database", f"{path}, {size / MB:.1f} MB"), sqlite_finding(header)]
    try:
        with contextlib.closing(open_connection(path, readonly=True)) as conn:
            return [*head, *_inside(conn, config, probes), *found]
    except sqlite3.DatabaseError as exc:
        return [*head, Finding(ERROR, "database", f"cannot be read: {exc}", RESTORE_HINT), *found]


def _inside(conn: sqlite3.Connection, config: Config, probes: Probes) -> list[Finding]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [
        store_finding(conn, tables, config.store_id),
        *integrity_findings(conn),
        outbox_finding(conn, probes, training=config.appliance.training),
        sync_alarms_finding(conn),
    ]


def store_finding(conn: sqlite3.Connection, tables: set[str], store_id: str) -> Finding:
    if "store_identity" not in tables:
        return Finding(
            WARNING,
            "store id",
            "not recorded yet (a database from an older version)",
            "start the gateway once: it records the store",
        )
    recorded = stored_store_id(conn)
    if recorded is None:
        return Finding(WARNING, "store id", "not recorded yet", "start the gateway once")
    if recorded != store_id:
        return Finding(
            ERROR,
            "store id",
            f"the database belongs to store {recorded!r}, the configuration says {store_id!r}",
            "point database.path at this store's database, or correct store.id;"
            " the gateway refuses to start like this",
        )
    return Finding(OK, "store id", f"{recorded}, as configured")


def outbox_finding(conn: sqlite3.Connection, probes: Probes, *, training: bool = False) -> Finding:
    head, acked = outbox_head(conn), read_counter(conn, "acked_seq")
    backlog = head - acked
    if training or read_counter(conn, TRAINING_MARK) == 1:  # practice: never a cloud backlog
        kept = f" ({backlog} practice message(s) kept here)" if backlog > 0 else ""
        return Finding(OK, "outbox", f"training mode: nothing goes to the cloud{kept}")
    if head == 0:
        return Finding(OK, "outbox", "empty: nothing sent to the cloud yet")
    if backlog <= 0:
        return Finding(OK, "outbox", f"empty: the cloud confirmed every message (up to {head})")
    row = conn.execute(
        "SELECT created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1", (acked,)
    ).fetchone()
    age = None
    if row is not None:
        with contextlib.suppress(ValueError):
            age = (probes.now() - datetime.fromisoformat(row[0])).total_seconds()
    found = f"{backlog} message(s) not yet confirmed by the cloud"
    if age is None:
        return Finding(OK, "outbox", found)
    found += f", the oldest from {row[0][:19]}Z ({_ago(age)} ago)"
    todo = "look at the broker line above and the shop's internet; they go out by themselves"
    if age >= OUTBOX_ERROR_S:
        return Finding(ERROR, "outbox", found, todo + " once the link is back")
    if age >= OUTBOX_WARNING_S:
        return Finding(WARNING, "outbox", found, todo)
    return Finding(OK, "outbox", found)


def sync_alarms_finding(conn: sqlite3.Connection) -> Finding:
    alarms = conn.execute("SELECT name, detail FROM alarm ORDER BY name").fetchall()
    if not alarms:
        return Finding(OK, "sync", "no alarms")
    text = "; ".join(f"{name}: {detail}" for name, detail in alarms)
    return Finding(WARNING, "sync", text, "the cloud sync raised these: tell the cloud team")


def disk_findings(path: Path, probes: Probes) -> list[Finding]:
    where = _existing(path.parent)
    try:
        stat = probes.statvfs(str(where))
    except OSError as exc:
        return [
            Finding(
                ERROR,
                "disk",
                f"cannot look at {where}: {exc.strerror}",
                "check database.path in the configuration and that this user may read its folder",
            )
        ]
    free, total = stat.f_bavail * stat.f_frsize, stat.f_blocks * stat.f_frsize
    share = free / total if total else 0.0
    found = f"{free / MB:,.0f} MB free of {total / MB:,.0f} MB ({share:.0%}) at {where}"
    todo = (
        "free space: remove old files in the backup folder or logs (journalctl --vacuum-size=50M);"
        " the gateway stops taking orders when the disk is full"
    )
    if free < DISK_ERROR_BYTES:
        disk = Finding(ERROR, "disk", found, todo)
    elif free < DISK_WARNING_BYTES or share < DISK_WARNING_SHARE:
        disk = Finding(WARNING, "disk", found, todo)
    else:
        disk = Finding(OK, "disk", found)
    return [disk, filesystem_finding(where, probes)]


def filesystem_finding(where: Path, probes: Probes) -> Finding:
    """ext4 with data=writeback loses SQLite's guarantees at a power cut."""
    try:
        lines = probes.mounts.read_text().splitlines()
    except OSError:
        return Finding(SKIP, "filesystem", f"not checked ({probes.mounts} cannot be read)")
    target = str(where.resolve())
    best = None
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or not _under(target, parts[1]):
            continue
        if best is None or len(parts[1]) > len(best[1]):
            best = parts
    if best is None:
        return Finding(SKIP, "filesystem", f"not checked (no mount found for {target})")
    _, mount, kind, options = best[:4]
    flags = options.split(",")
    found = f"{kind} on {mount} ({options})"
    if "ro" in flags:
        return Finding(ERROR, "filesystem", found, "it is read-only: the gateway cannot write")
    if "data=writeback" in flags:
        return Finding(
            WARNING,
            "filesystem",
            found,
            "data=writeback can corrupt the database at a power cut: mount it with data=ordered",
        )
    return Finding(OK, "filesystem", f"{kind} on {mount}")


def backup_finding(config: Config, probes: Probes) -> Finding:
    folder = config.appliance.backup.dir
    pattern = auto_pattern(config.store_id)
    names = sorted(p.name for p in folder.glob("storegw-*.db") if pattern.fullmatch(p.name))
    todo = (
        "enable the nightly backup: sudo systemctl enable --now storegw-backup.timer"
        " (or run `storegw backup --auto` now)"
    )
    if not names:
        return Finding(WARNING, "backup", f"no backup in {folder} yet", todo)
    newest = folder / names[-1]
    taken = datetime.strptime(names[-1][-18:-3], "%Y%m%d-%H%M%S").replace(
        tzinfo=probes.now().tzinfo
    )
    age = (probes.now() - taken).total_seconds()
    found = f"{len(names)} in {folder}, the newest {newest.name} ({_ago(age)} ago)"
    if age > BACKUP_STALE_S:
        return Finding(WARNING, "backup", found, "is the timer on? systemctl list-timers; " + todo)
    return Finding(OK, "backup", found)


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _under(path: str, mount: str) -> bool:
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
