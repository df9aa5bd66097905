"""The appliance's own settings: [store] training, [metrics] and [backup]. `config.py` reads the
file and the environment; `appliance_config` turns their values into checked settings, failing
with `fail(section, key, problem)` -- one line that names where the value came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


@dataclass(frozen=True)
class MetricsConfig:
    """/metrics: open to the LAN, behind a bearer token, or (neither set) refused."""

    open: bool = False
    token: str | None = None

    @property
    def enabled(self) -> bool:
        return self.open or bool(self.token)


@dataclass(frozen=True)
class BackupConfig:
    dir: Path = Path("var/backup")  # where `storegw backup --auto` (the nightly timer) writes
    keep: int = 7  # backups kept there; older ones are removed


@dataclass(frozen=True)
class ApplianceConfig:
    training: bool = False  # practice mode: own database, simulated devices, no cloud
    metrics: MetricsConfig = MetricsConfig()
    backup: BackupConfig = BackupConfig()


def appliance_config(get, fail) -> ApplianceConfig:
    def flag(section: str, key: str) -> bool:
        text = (get(section, key) or "false").strip().lower()
        if text not in _TRUE + _FALSE:
            raise fail(section, key, f"{text!r} must be true or false")
        return text in _TRUE

    keep_text = get("backup", "keep") or ""
    try:
        keep = int(keep_text)
    except ValueError:
        raise fail("backup", "keep", f"{keep_text!r} must be a whole number") from None
    if not 1 <= keep <= 365:
        raise fail("backup", "keep", "must be from 1 to 365")
    backup_dir = (get("backup", "dir") or "").strip()
    if not backup_dir:
        raise fail("backup", "dir", "must not be empty")
    return ApplianceConfig(
        training=flag("store", "training"),
        metrics=MetricsConfig(open=flag("metrics", "open"), token=get("metrics", "token")),
        backup=BackupConfig(dir=Path(backup_dir), keep=keep),
    )
