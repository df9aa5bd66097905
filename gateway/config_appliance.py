"""The appliance's own settings: [store] training, [metrics] and [backup]. The two sections are
declared here with their defaults and checks; `ApplianceConfig` gathers them with the training
flag for the rest of the gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic.dataclasses import dataclass as section

from gateway.config_sources import SECTION, Flag, Maybe, Whole, required


@section(frozen=True, config=SECTION)
class MetricsConfig:
    """/metrics: open to the LAN, behind a bearer token, or (neither set) refused."""

    open: Flag = False
    token: Maybe[str] = field(default=None, repr=False)  # a secret: never in a log line

    @property
    def enabled(self) -> bool:
        return self.open or bool(self.token)


@section(frozen=True, config=SECTION)
class BackupConfig:
    # where `storegw backup --auto` (the nightly timer) writes
    dir: Annotated[Path, BeforeValidator(required)] = "var/backup"
    keep: Annotated[Whole, Field(ge=1, le=365)] = 7  # backups kept there; older ones are removed


@dataclass(frozen=True)
class ApplianceConfig:
    training: bool = False  # practice mode: own database, simulated devices, no cloud
    metrics: MetricsConfig = MetricsConfig()
    backup: BackupConfig = BackupConfig()
