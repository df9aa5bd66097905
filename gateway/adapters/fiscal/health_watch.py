"""Reads the fiscal drive's health now and then (issue 11): the OFD queue (FF39h), the warning
flags (FF01h) and the drive's end of life (FF03h), through `register.health()`.

The fiscal worker's thread calls `maybe_check(register)` at every step: the drive is read when
the worker has just connected (a new connection) and every `[fiscal] health_poll` seconds. Each
reading is kept and its alarms announced through the writer (services/fiscal_health). A model
that does not know the commands is remembered and never asked again; any other failure is logged
and the worker goes on (the next look at the register finds a dead link by itself)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

from drivers.fiscal.errors import CommandNotSupported
from drivers.fiscal.register import FiscalRegister, FnHealth
from gateway.adapters.sqlite.fiscal_health_repo import FiscalHealthRepo, fiscal_health
from gateway.domain.fiscal_health import DriveHealth, describe
from gateway.services.fiscal_health import record_health

log = logging.getLogger(__name__)


def drive_health(reading: FnHealth) -> DriveHealth:
    return DriveHealth(
        fn=reading.fn,
        unsent=reading.unsent,
        first_unsent_fd=reading.first_unsent_fd,
        first_unsent_at=reading.first_unsent_at,
        transport_up=reading.transport_up,
        warnings=reading.warnings,
        expires=reading.expires,
        checked_at=reading.checked_at,
    )


def read_now(register: FiscalRegister) -> dict[str, Any]:
    """One reading straight from the register, described as the status shows it, recorded
    nowhere: for the doctor (issue 12) when no gateway holds the port. Raises what the driver
    raises (CommandNotSupported for a model without the commands)."""
    return {**describe(drive_health(register.health())), "supported": True, "error": None}


def record_reading(uow, health: DriveHealth) -> list[dict]:
    """Keep one reading and announce its new alarms (a writer command)."""
    return record_health(uow, health, FiscalHealthRepo(uow.conn, uow.now))


class HealthWatch:
    def __init__(self, config, writer, clock=time.monotonic):
        self.poll = config.health_poll
        self.writer = writer
        self._clock = clock
        self._asked_at = float("-inf")  # when the drive was last asked (monotonic)
        self._asked: FiscalRegister | None = None  # the connection last asked
        self._unsupported = False
        self._lock = threading.Lock()
        self._snapshot: dict[str, Any] | None = None

    def maybe_check(self, register: FiscalRegister) -> None:
        """Called by the fiscal worker's thread between jobs; reads the drive when due."""
        if self._unsupported:
            return
        now = self._clock()
        if register is self._asked and now - self._asked_at < self.poll:
            return
        self._asked, self._asked_at = register, now
        self.check(register)

    def check(self, register: FiscalRegister) -> dict[str, Any] | None:
        """Read the drive now; returns what `snapshot()` shows. Never raises."""
        try:
            health = drive_health(register.health())
        except (CommandNotSupported, NotImplementedError) as exc:
            log.info("fiscal: this register does not report its drive's health (%s)", exc)
            self._unsupported = True
            self._set({"supported": False})
            return self.snapshot()
        except Exception as exc:  # the worker's next look at the register deals with the link
            log.warning("fiscal: could not read the drive's health: %s", exc)
            self._set_error(str(exc))
            return self.snapshot()
        view = {**describe(health), "supported": True, "error": None}
        try:
            announced = self.writer.call(record_reading, health)
        except Exception as exc:  # a database error must not stop the receipts
            log.exception("fiscal: could not record the drive's health: %s", exc)
            view["error"] = f"not recorded: {exc}"
        else:
            for event in announced:
                log.warning("fiscal alarm %s: %s", event["kind"], event["detail"])
        self._set(view)
        return self.snapshot()

    def _set(self, view: dict[str, Any]) -> None:
        with self._lock:
            self._snapshot = view

    def _set_error(self, why: str) -> None:
        with self._lock:
            self._snapshot = {**(self._snapshot or {"supported": True}), "error": why}

    def snapshot(self) -> dict[str, Any] | None:
        """The last reading as the status shows it (`fiscal_health.describe`, plus `supported`
        and the last `error`); None before the first."""
        with self._lock:
            return None if self._snapshot is None else dict(self._snapshot)


def current_health(device: dict[str, Any] | None, conn: sqlite3.Connection) -> dict | None:
    """The drive's health for the status: the worker's last reading, or the one kept in the
    database while the worker has none (just started, the register away)."""
    health = (device or {}).get("health")
    if health and (not health.get("supported", True) or "alarms" in health):
        return health
    kept = fiscal_health(conn)
    if kept is not None and health and health.get("error"):
        kept["error"] = health["error"]
    return kept
