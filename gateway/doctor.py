"""`storegw doctor`: what is wrong with this box, one line per check, and what to do about it.

    ok       database: /var/lib/storegw/gateway.db, 12.4 MB
    warning  clock: not synchronised -> check the internet connection; timedatectl timesync-status
    error    broker: refused: nothing listens on 10.0.0.5:1883 -> is the broker running? ...
    skip     power: not checked (vcgencmd is not installed here)

Exit status: 0 every check ok (or skipped), 1 warnings, 2 errors. Every warning and error says
what to do after "->". The doctor only reads: it changes nothing in the database, and it asks
the devices and the broker directly only when no gateway holds them (a stopped gateway); a
running gateway's own view of them is shown instead (/healthz), so the doctor never opens a
second MQTT connection with the gateway's credentials (doctor_system). A command the machine
lacks (timedatectl, vcgencmd) is "skip", never an error; every command and every network probe
has a timeout."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gateway.config import Config, ConfigError, load_config
from gateway.config_location import CONFIG_VARIABLE, INSTALLED_CONFIG, choose_config

OK, WARNING, ERROR, SKIP = "ok", "warning", "error", "skip"


@dataclass(frozen=True)
class Finding:
    level: str  # OK, WARNING, ERROR or SKIP
    name: str  # the check
    found: str  # what was found
    todo: str = ""  # what to do, when not ok

    def line(self) -> str:
        text = f"{self.level:<8} {self.name}: {self.found}"
        return f"{text} -> {self.todo}" if self.todo else text


def run_command(argv: list[str], timeout: float) -> tuple[int, str] | None:
    """(exit status, stdout + stderr) of a command, or None when it is not installed."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return (-1, f"no answer within {timeout:.0f} s")
    except OSError as exc:
        return (-1, str(exc))
    return done.returncode, (done.stdout + done.stderr).strip()


@dataclass
class Probes:
    """How the doctor looks at the machine; a test replaces what it cannot arrange for real
    (a nearly full disk)."""

    statvfs: Callable[[str], os.statvfs_result] = os.statvfs
    run: Callable[[list[str], float], tuple[int, str] | None] = run_command
    mounts: Path = Path("/proc/mounts")
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    timeout: float = 5.0  # per command, per network probe


def diagnose(
    config_file: str | os.PathLike[str] | None,
    db: str | os.PathLike[str] | None = None,
    *,
    training: bool = False,
    config: Config | None = None,
    probes: Probes | None = None,
) -> list[Finding]:
    """Every check, in the order a technician reads them: the configuration, the database and
    the disk, the gateway and its devices, the cloud link, then the machine itself."""
    from gateway import doctor_database, doctor_devices, doctor_system  # noqa: PLC0415
    from gateway.doctor_gateway import look  # noqa: PLC0415

    probes = probes or Probes()
    findings: list[Finding] = []
    if config is None:
        config, finding = _load(config_file, db, training)
        findings.append(finding)
    else:
        findings.append(Finding(OK, "config", f"loaded (store {config.store_id})"))
    if config is not None:
        findings += doctor_database.findings(config, probes)
        running = look(config, probes)  # the devices and the broker: its view, or asked directly
        findings += doctor_devices.findings(config, probes, running)
        findings += doctor_system.broker_findings(config, probes, running)
    findings += doctor_system.machine_findings(probes)
    return findings


def _load(config_file, db, training: bool) -> tuple[Config | None, Finding]:
    from dataclasses import replace  # noqa: PLC0415

    from gateway.training import training_config  # noqa: PLC0415

    choice = choose_config(config_file)  # as every command: --config, $STOREGW_CONFIG, installed
    try:
        config = load_config(choice.path)
    except ConfigError as exc:
        return None, Finding(ERROR, "config", str(exc), config_fix(str(exc)))
    if db is not None:
        config = replace(config, database_path=Path(db))
    if training or config.appliance.training:
        config = training_config(config)  # as every command: the training database
    if choice.by_default:
        return config, Finding(
            WARNING,
            "config",
            f"no --config, no ${CONFIG_VARIABLE} and no {INSTALLED_CONFIG}: checked the built-in"
            f" defaults (database {config.database_path.absolute()})",
            "pass the gateway's configuration with --config FILE",
        )
    where = choice.path if choice.path is not None else "built-in defaults"
    return config, Finding(OK, "config", f"{where} loaded (store {config.store_id})")


EXAMPLE_CONFIG = "firmware-config/gateway.example.toml"  # in the source; install.sh copies it
NOT_LOADED = "; the gateway will not start until it loads"


def config_fix(problem: str) -> str:
    """What to do about a configuration that does not load (ConfigError's one line)."""
    if problem.endswith(": configuration file not found"):
        return (
            f"pass the gateway's configuration with --config (install.sh puts it at"
            f" {INSTALLED_CONFIG}), or create this file from {EXAMPLE_CONFIG} of the storegw"
            f" source (re-running install.sh does that for {INSTALLED_CONFIG})"
        )
    if ": cannot read configuration file:" in problem:
        return (
            "run the doctor as the gateway's user (sudo -u storegw ...), or give that user read"
            f" access: {INSTALLED_CONFIG} is root:storegw, mode 0640" + NOT_LOADED
        )
    if problem.endswith(": not a UTF-8 text file"):
        return f"save the file as UTF-8 text (compare it with {EXAMPLE_CONFIG})" + NOT_LOADED
    if ": invalid TOML:" in problem:
        return (
            f"fix the TOML syntax at the line and column named (compare with {EXAMPLE_CONFIG})"
            + NOT_LOADED
        )
    return "correct that key in the file (or the STOREGW_ variable) and run the doctor again" + (
        NOT_LOADED
    )


def exit_status(findings: list[Finding]) -> int:
    levels = {finding.level for finding in findings}
    return 2 if ERROR in levels else 1 if WARNING in levels else 0


def add_doctor_parser(commands, common: argparse.ArgumentParser) -> None:
    doctor = commands.add_parser(
        "doctor", parents=[common], help="check this box: config, database, devices, broker, ..."
    )
    doctor.set_defaults(handler=cmd_doctor, loads_config_itself=True)


def cmd_doctor(args: argparse.Namespace, config: Config | None = None) -> int:
    """`config` is None when the CLI leaves loading it to the doctor (a broken configuration
    is then one of its findings instead of the end of the run)."""
    if config is None:
        found = diagnose(
            getattr(args, "config", None),
            getattr(args, "db", None),
            training=getattr(args, "training", False),
        )
    else:
        found = diagnose(getattr(args, "config", None), config=config)
    for finding in found:
        print(finding.line(), flush=True)
    status = exit_status(found)
    summary = {0: "all checks passed", 1: "warnings above", 2: "errors above: fix them first"}
    print(f"doctor: {summary[status]}")
    return status
