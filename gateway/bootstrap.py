"""One place that builds the running gateway from its configuration. Importing this module
starts nothing; `Gateway.start()` does."""

import logging
import sqlite3
import threading
from contextlib import closing
from typing import Any

from gateway import __version__
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.queries import summary
from gateway.adapters.sqlite.writer import Writer
from gateway.config import Config
from gateway.web.app import create_app

log = logging.getLogger("storegw")
CHECK_INTERVAL_S = 300.0


class Gateway:
    def __init__(self, config: Config):
        self.config = config
        self.writer = Writer(config.database_path)
        self._problems: list[str] = []
        self._stopped = threading.Event()

    def start(self) -> "Gateway":
        self.writer.start()
        log.info("database %s open (WAL, synchronous=FULL)", self.config.database_path)
        self.check()
        log.info(
            "cloud sync over MQTT is not part of this build yet; %s is not contacted",
            self.config.mqtt.url,
        )
        for device, section in self.config.devices.items():
            if section is None:
                log.info("device %s: not configured", device)
        threading.Thread(
            target=self._check_periodically, name="storegw-checker", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self.writer.stop()

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
        while not self._stopped.wait(CHECK_INTERVAL_S):
            self.check()

    def reader(self) -> "closing[sqlite3.Connection]":
        return closing(open_connection(self.config.database_path, readonly=True))

    def status(self) -> dict[str, Any]:
        with self.reader() as conn:
            counts = summary(conn)
        return {
            "ok": not self._problems,
            "store_id": self.config.store_id,
            "version": __version__,
            "database": str(self.config.database_path),
            **counts,
            "invariants": {"ok": not self._problems, "problems": list(self._problems)},
            "mqtt": {
                "url": self.config.mqtt.url,
                "state": "not_connected",
                "detail": "cloud sync is not part of this build yet",
            },
            "devices": {
                name: "not_configured" if section is None else "offline"
                for name, section in self.config.devices.items()
            },
        }

    def web_app(self):
        return create_app(self.status)
