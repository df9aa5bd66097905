"""Which configuration file a command reads when no --config is given.

On the box the gateway runs with /etc/storegw/gateway.toml; a command typed there without
--config (`storegw staff add ...`, `storegw restore FILE`) must work on that gateway's database,
not quietly on a new ./var/gateway.db wherever the shell happens to be. So: --config, else
$STOREGW_CONFIG (set but empty: the built-in defaults, on purpose), else the installed file if
it exists, else the built-in defaults, which the command says on stderr."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

INSTALLED_CONFIG = Path("/etc/storegw/gateway.toml")  # where install.sh puts it
CONFIG_VARIABLE = "STOREGW_CONFIG"


@dataclass(frozen=True)
class ConfigChoice:
    path: Path | None  # None: the built-in defaults
    by_default: bool  # no one chose: nothing given and nothing installed

    def defaults_warning(self, database: Path) -> str:
        return (
            f"storegw: warning: no --config, no ${CONFIG_VARIABLE} and no {INSTALLED_CONFIG}:"
            f" built-in defaults, database {database.absolute()}"
        )


def choose_config(
    given: str | os.PathLike[str] | None,
    environ: Mapping[str, str] | None = None,
    installed: Path | None = None,
) -> ConfigChoice:
    environ = os.environ if environ is None else environ
    installed = INSTALLED_CONFIG if installed is None else installed
    if given is not None:
        return ConfigChoice(Path(given), False)
    if CONFIG_VARIABLE in environ:
        named = environ[CONFIG_VARIABLE]
        return ConfigChoice(Path(named) if named else None, False)
    if _there(installed):
        return ConfigChoice(installed, False)
    return ConfigChoice(None, True)


def _there(path: Path) -> bool:
    """A file this user may not even look at is there too: loading it then says so (run as the
    gateway's user), rather than the defaults being used behind the user's back."""
    try:
        return path.is_file()
    except PermissionError:
        return True
