"""Training mode (`storegw run --training`, `[store] training = true`): new staff practise on the
same screens without touching anything real.

- its own database next to the real one (`gateway.db` -> `gateway.training.db`), made by the
  first `--training` command as a copy of the real one (SQLite's online backup, read-only: the
  same staff, catalog, stock and orders to practise on), marked as a training database from
  birth; the real one is never written;
- the fiscal register and the receipt printer the shop has are replaced by the project's
  simulators, run as child processes like `make run` does (tools/run_dev.py): the register on a
  pseudo-terminal behind `training/ttyFISCAL`, printing its receipts to
  `training/fiscal-printed.txt`; the printer on a free loopback port, saving its slips in
  `training/printed/`. The barcode scanner stays: it only reads, and scanning is what staff
  practise. The front panel's lights are left to the real gateway;
- no cloud link at all: bootstrap never starts one, so nothing is published, not even connected.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing, suppress
from dataclasses import replace
from pathlib import Path

from gateway.adapters.sqlite.backup import (
    TRAINING_MARK,
    TargetError,
    copy_online,
    fsync_dir,
    is_the_database,
    mark_training,
    rename_no_replace,
)
from gateway.cli_errors import CliError
from gateway.config import Config
from gateway.systemd_notify import SYSTEMD_VARIABLES

log = logging.getLogger("storegw.training")
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
SUFFIX = ".training"
# Loaded before any fork: the child only calls it (a SIGKILLed gateway takes its children along).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


class TrainingError(CliError):
    """A simulator did not start, or the training database could not be made: one line saying
    which and why."""


def claim_mode(uow, training: bool) -> None:
    """A training database records that it is one, and a real gateway refuses it: its outbox
    holds practice sales, which must never reach the cloud (`--db` pointed at it by mistake)."""
    marked = uow.sync.counter(TRAINING_MARK) == 1
    if training and not marked:
        uow.sync.set_counter(TRAINING_MARK, 1)
    if marked and not training:
        raise TrainingError(
            "the database is a training database (its sales are practice, never for the"
            " cloud): run it with --training, or point database.path at the shop's database"
        )


def training_database(path: Path) -> Path:
    """`var/gateway.db` -> `var/gateway.training.db`; a training database's name is kept."""
    if path.stem.endswith(SUFFIX):
        return path
    return path.with_name(f"{path.stem}{SUFFIX}{path.suffix or '.db'}")


def training_config(config: Config) -> Config:
    """The configuration with training on and its database the training one (any command)."""
    appliance = replace(config.appliance, training=True)
    return replace(
        config, appliance=appliance, database_path=training_database(config.database_path)
    )


def enter_training(config: Config) -> Config:
    """What every `--training` command runs with (cli.main). The training database is made here,
    from the real path, before the configuration forgets it: made later (TrainingDevices) from a
    configuration already pointing at the training database, it would start empty."""
    training = training_config(config)
    seed_from_real(config.database_path, training.database_path)
    return training


def seed_from_real(real: Path, training: Path) -> bool:
    """A first training database is a copy of the shop's own, so staff practise on their own
    goods with their own PINs. Delete the training database to start over from today's."""
    if training.exists() or not real.exists() or is_the_database(training, real):
        return False
    log.info("training: copying %s into %s", real, training)
    staging = training.with_name(f"{training.name}.seed-{os.getpid()}.tmp")
    try:
        copy_online(real, staging)
        mark_training(staging)
        rename_no_replace(staging, training)  # never over one made meanwhile
    except FileExistsError:
        return False
    except TargetError as exc:
        todo = "free space on that disk" if exc.full else "let the gateway's user write its folder"
        raise TrainingError(
            f"training database {training} not made from {real} ({exc}): {todo}"
        ) from None
    finally:
        staging.unlink(missing_ok=True)
    fsync_dir(training.parent)
    return True


class TrainingDevices:
    """The simulators standing in for the shop's register and printer, and the configuration
    that points the gateway at them (`config`). `start()` before the gateway opens its devices,
    `stop()` after it has closed them."""

    def __init__(self, config: Config):
        base = training_config(config)
        self.real_database = config.database_path
        self.dir = base.database_path.parent / "training"
        self.fiscal_link = self.dir / "ttyFISCAL"
        real_printer = config.devices.get("printer")
        self.printer_port = _free_port() if real_printer else None
        devices = dict(config.devices, gpio=None)
        fiscal = None
        if config.fiscal is not None:
            fiscal = replace(config.fiscal, port=str(self.fiscal_link))
            devices["fiscal"] = {"port": str(self.fiscal_link)}
        if real_printer:
            devices["printer"] = {**real_printer, "url": f"tcp://127.0.0.1:{self.printer_port}"}
        self.paper = str((real_printer or {}).get("paper", "80mm")).removesuffix("mm")
        self.config = replace(base, fiscal=fiscal, devices=devices)
        self._children: list[_Child] = []

    def start(self) -> TrainingDevices:
        self.dir.mkdir(parents=True, exist_ok=True)
        seed_from_real(self.real_database, self.config.database_path)
        try:
            if self.config.fiscal is not None:
                with suppress(FileNotFoundError):
                    self.fiscal_link.unlink()  # a stale link must not lead to someone else's pty
                self._spawn("fiscal register simulator", [
                    "simulators.fiscal_register",
                    "--archive", str(self.dir / "fiscal-fn.json"),
                    "--print-to", str(self.dir / "fiscal-printed.txt"),
                    "--link", str(self.fiscal_link),
                ], ready=self.fiscal_link.is_symlink)  # fmt: skip
            if self.printer_port is not None:
                self._spawn("printer simulator", [
                    "simulators.printer",
                    "--port", str(self.printer_port),
                    "--out", str(self.dir / "printed"),
                    "--paper", self.paper if self.paper in ("58", "80") else "80",
                ], ready=lambda: _port_accepts(self.printer_port))  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for child in reversed(self._children):
            child.stop()
        self._children.clear()

    def _spawn(self, name: str, module_args: list[str], ready) -> None:
        child = _Child(name, [sys.executable, "-m", *module_args])
        self._children.append(child)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            if not child.alive():
                raise TrainingError(
                    f"training: the {name} exited with status {child.proc.returncode}"
                    " (its lines are in the log)"
                )
            if time.monotonic() > deadline:
                raise TrainingError(
                    f"training: the {name} did not start in {START_TIMEOUT_S:.0f} s"
                )
            time.sleep(0.05)
        log.info("training: %s started (pid %d)", name, child.proc.pid)


class _Child:
    """One simulator process, its output copied line by line into the gateway's log."""

    def __init__(self, name: str, argv: list[str]):
        self.name = name
        env = {k: v for k, v in os.environ.items() if k not in SYSTEMD_VARIABLES}
        self.proc = subprocess.Popen(
            argv,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,  # a Ctrl-C in the terminal reaches the gateway, which stops us
            preexec_fn=_die_with_parent,
        )
        self._pump = threading.Thread(target=self._copy, name=f"training-{name}", daemon=True)
        self._pump.start()

    def _copy(self) -> None:
        for raw in self.proc.stdout:
            log.info("%s: %s", self.name, raw.decode("utf-8", "replace").rstrip())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            with suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log.warning("training: the %s ignored SIGTERM: killed", self.name)
                self.proc.kill()
                self.proc.wait()
        self._pump.join(timeout=2)


def _die_with_parent() -> None:
    if _prctl is not None:
        pr_set_pdeathsig = 1
        _prctl(pr_set_pdeathsig, int(signal.SIGTERM))


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
