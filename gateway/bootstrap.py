"""One place that builds the running gateway from its configuration. Importing this module
starts nothing; `Gateway.start()` does."""

import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from functools import cached_property
from typing import Any

from gateway import __version__
from gateway.adapters.auth import Auth
from gateway.adapters.devices import Devices
from gateway.adapters.fiscal.health_watch import current_health
from gateway.adapters.fiscal.marking_checks import MarkingChecks
from gateway.adapters.fiscal.staff import FiscalUnavailable
from gateway.adapters.mqtt.link import CloudLink
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.queries import (
    failed_receipts,
    fiscal_summary,
    lookup_code,
    open_order_count,
    summary,
    sync_summary,
)
from gateway.adapters.sqlite.store_identity import claim_store
from gateway.adapters.sqlite.writer import Writer
from gateway.config import Config
from gateway.services.stock import use_default_min_stock
from gateway.services.sync import prune_history
from gateway.store_adoption import adopt_store_if_new
from gateway.training import TrainingDevices, claim_mode
from gateway.web.app import create_app

log = logging.getLogger("storegw")
CHECK_INTERVAL_S = 300.0
PANEL_INTERVAL_S = 1.0  # the front panel's LEDs follow the status this often


def _next_boot(uow) -> int:
    """`boot` grows at every start, so a stale last will never overrides a newer status."""
    return uow.next_counter("boot")


def _quiet(step: str) -> None:
    """No one to tell (tests, tools): `storegw run` passes systemd's STATUS= instead."""


class Gateway:
    def __init__(self, config: Config, progress: Callable[[str], None] = _quiet):
        """`progress(step)`: what start() is doing now ("opening the database ..."), for STATUS=.
        With `config.appliance.training` the gateway runs on the training database with its
        devices simulated (gateway/training.py) and no cloud link."""
        self.simulators = TrainingDevices(config) if config.appliance.training else None
        if self.simulators is not None:
            config = self.simulators.config
        self.config = config
        self.progress = progress
        self.writer = Writer(config.database_path, coalesce=True)
        self.link: CloudLink | None = None
        self.hardware = Devices(config, self.writer, self.lookup)
        self.fiscal = self.hardware.fiscal
        self.station = self.hardware.station
        self.auth = Auth(self.writer, config.database_path, config.web)
        self.boot = 0
        self._problems: list[str] = []
        self._stopped = threading.Event()

    @property
    def training(self) -> bool:
        return self.simulators is not None

    def start(self) -> "Gateway":
        if self.simulators is not None:
            log.warning(
                "TRAINING MODE: simulated devices, database %s, no cloud link",
                self.config.database_path,
            )
            self.progress("starting the training simulators")
            self.simulators.start()
        self.progress(f"opening the database {self.config.database_path}")
        try:
            self.writer.start()
            log.info("database %s open (WAL, synchronous=FULL)", self.config.database_path)
            self.writer.call(adopt_store_if_new, self.config.store_id)  # a placeholder's
            self.writer.call(claim_store, self.config.store_id)
            self.writer.call(claim_mode, self.training)
        except BaseException:
            self.writer.stop()
            if self.simulators is not None:
                self.simulators.stop()
            raise
        self.boot = self.writer.call(_next_boot)
        self.writer.call(use_default_min_stock, self.config.desk.default_min_stock)
        self.auth.start()
        self.progress("checking stock and reservations")
        self.check()
        for device, section in self.config.devices.items():
            if section is None:
                log.info("device %s: not configured", device)
        configured = ", ".join(self.config.configured_devices) or "none configured"
        self.progress(f"starting devices ({configured})")
        self.hardware.start()
        if not self.training:  # a training gateway never connects, so it can publish nothing
            self.link = CloudLink(self.config, self.writer, self.cloud_status).start()
        threading.Thread(
            target=self._check_periodically, name="storegw-checker", daemon=True
        ).start()
        if self.hardware.gpio is not None:
            threading.Thread(target=self._show_on_panel, name="storegw-panel", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self.link is not None:
            self.link.stop()
        self.hardware.stop()
        self.auth.stop()
        self.writer.stop()
        if self.simulators is not None:  # after the devices that talk to them
            self.simulators.stop()

    def check(self) -> list[str]:
        """Run the invariant checker; drift is logged and shown, never repaired silently."""
        with self.reader() as conn:
            problems = check_invariants(conn)
        for problem in problems:
            log.error("invariant violated: %s", problem)
        if not problems:
            log.info("invariants hold")
        self._problems = problems
        return problems

    def _check_periodically(self) -> None:
        """Every few minutes: the invariants, and history pruned (bounded disk, training too)."""
        while not self._stopped.wait(CHECK_INTERVAL_S):
            self.check()
            try:
                self.writer.call(prune_history)
            except Exception as exc:  # a failed prune is retried next time; never fatal
                log.warning("pruning history: %s", exc)

    def _show_on_panel(self) -> None:
        while not self._stopped.wait(PANEL_INTERVAL_S):
            try:
                self.hardware.show(self.panel_status())
            except Exception as exc:  # the lights must never take anything else down
                log.warning("front panel: %s", exc)

    def reader(self) -> "closing[sqlite3.Connection]":
        return closing(open_connection(self.config.database_path, readonly=True))

    def devices(self) -> dict[str, str]:
        return self.hardware.states()

    def shift(self) -> dict[str, Any]:
        shift = self.fiscal.shift if self.fiscal else {}
        return {"open": bool(shift.get("open")), "number": shift.get("number")}

    def panel_status(self) -> dict[str, Any]:
        """What the front panel's LEDs show, read every second: the link, the backlog, the
        devices, the books -- not the status page's counts over every order and receipt."""
        with self.reader() as conn:
            backlog = sync_summary(conn)["outbox_backlog"]
        return {
            "mqtt": {"state": self._link_state()["state"]},
            "outbox": {"backlog": backlog},
            "devices": self.devices(),
            "invariants": {"ok": not self._problems},
        }

    def _link_state(self) -> dict[str, str]:
        if self.training:
            return {"state": "not_configured", "detail": "training mode: no cloud link"}
        return self.link.snapshot() if self.link else {"state": "not_connected", "detail": ""}

    def cloud_status(self, online: bool) -> dict[str, Any]:
        """The body of the retained `gateway.status` (also the last will, with online false)."""
        device = self.fiscal.snapshot() if self.fiscal else None
        with self.reader() as conn:
            sync = sync_summary(conn)
            failed = failed_receipts(conn)
            drive = current_health(device, conn) if self.fiscal else None
        alarms = sync.pop("alarms") + [f"invariant: {p}" for p in self._problems]
        if failed:
            alarms.append(f"fiscal: {failed} receipt(s) refused by the register, staff must look")
        # The drive's own alarms (the OFD queue, its end of life), in words the owner can act on.
        alarms += [f"fiscal {a['kind']}: {a['detail_en']}" for a in (drive or {}).get("alarms", [])]
        held_back = self.link.held_back if self.link else None
        if held_back:
            alarms.append(f"outbox: {held_back}")
        printer = self.hardware.printer.snapshot() if self.hardware.printer else {}
        if printer.get("unknown"):
            alarms.append(f"printer: {printer['unknown']} job(s) may not have printed")
        return {
            "online": online,
            "boot": self.boot,
            "version": __version__,
            **sync,
            "devices": self.devices(),
            "shift": self.shift(),
            "alarms": alarms,
        }

    def status(self) -> dict[str, Any]:
        device = self.fiscal.snapshot() if self.fiscal else {"state": "not_configured"}
        with self.reader() as conn:
            counts = summary(conn)
            sync = sync_summary(conn)
            fiscal = fiscal_summary(conn)
            # The OFD queue and the drive's end of life: the worker's last reading, or the one
            # the database kept (the register away, or not read since the start).
            fiscal["health"] = current_health(device, conn) if self.fiscal else None
        link = self._link_state()
        return {
            "ok": not self._problems,
            "training": self.training,
            "store_id": self.config.store_id,
            "version": __version__,
            "database": str(self.config.database_path),
            **counts,
            "outbox": {"head_seq": sync["out_seq"], "backlog": sync["outbox_backlog"]},
            "invariants": {"ok": not self._problems, "problems": list(self._problems)},
            "mqtt": {
                "url": self.config.mqtt.url,
                "state": link["state"],
                "detail": link["detail"],
                "since": link.get("since"),
                "held_back": link.get("held_back"),
                "in_seq": sync["in_seq"],
                "acked_seq": sync["acked_seq"],
                "alarms": sync["alarms"],
            },
            "devices": self.devices(),
            "fiscal": {
                **fiscal,
                "device": device,
            },
            "printer": self.hardware.printer.snapshot()
            if self.hardware.printer
            else {"state": "not_configured"},
            "scanner": self.station.snapshot(),
        }

    def status_line(self) -> str:
        """systemd's STATUS= while running: a few figures, cheap enough for every watchdog ping."""
        with self.reader() as conn:
            open_orders = open_order_count(conn)
            backlog = sync_summary(conn)["outbox_backlog"]
        devices = [
            f"{name} {state}"
            for name, state in self.devices().items()
            if state not in ("ok", "not_configured")
        ]
        if self.training:
            words = ["training mode", f"{open_orders} open order(s)", "no cloud link"]
        else:
            link = self.link.state if self.link else "not started"
            words = ["ready", f"{open_orders} open order(s)", f"outbox backlog {backlog}"]
            words.append(f"cloud {link}")
        return ", ".join(words + devices)

    # --- what the web API uses ----------------------------------------------------------------
    def run(self, command, *args, **kwargs):
        """A service command in one committed transaction (the single writer)."""
        return self.writer.call(command, *args, **kwargs)

    def read(self, query, *args, **kwargs):
        """A read-side query on its own read-only connection."""
        with self.reader() as conn:
            return query(conn, *args, **kwargs)

    def lookup(self, code) -> dict | None:
        """A scan with no document open: what is this item, how many are there."""
        return self.read(lookup_code, code.code, code.gtin)

    @property
    def receipts_enabled(self) -> bool:
        """With a register configured, shipping an order queues its sell receipt."""
        return self.fiscal is not None

    @property
    def printing_enabled(self) -> bool:
        return self.hardware.printer is not None

    def register(self, op: str, **kwargs) -> dict:
        """Shift, X report, cash in/out: done by the fiscal worker, which owns the port."""
        if self.fiscal is None:
            raise FiscalUnavailable("no fiscal register is configured ([fiscal] port)")
        return self.fiscal.request(op, **kwargs)

    @cached_property
    def marking(self) -> MarkingChecks:
        """The marking check before a sale, by the fiscal worker (the offline rule without)."""
        timeout = self.config.fiscal.marking_timeout if self.config.fiscal else 0.0
        return MarkingChecks(self.fiscal, timeout)

    def web_app(self):
        return create_app(self.status, actions=self, secure=self.config.web.tls)
