"""Every device the configuration names, each on its own thread so none waits for another: the
fiscal register (its worker), the receipt printer (its worker and durable queue), the barcode
scanner (a reader feeding the scan station) and the GPIO front panel. A device without a section
is `not_configured`; a device that fails is reported, never fatal to the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from drivers.scanner import HidScannerReader, ParsedCode, SerialScannerReader
from drivers.scanner.codes import MarkingCode
from gateway.adapters.fiscal.worker import FiscalWorker
from gateway.adapters.gpio import GpioController
from gateway.adapters.printer.worker import PrinterWorker
from gateway.adapters.scanner.station import ScanStation
from gateway.config import Config, ConfigError
from gateway.config_devices import SCANNER_SUFFIXES
from gateway.domain.staff import FRONT_PANEL, Staff
from gateway.services.printing import reprint_last
from gateway.services.receiving import scan_into_receiving
from gateway.services.stocktake import scan_into_stocktake

log = logging.getLogger(__name__)


class Devices:
    def __init__(self, config: Config, writer, lookup: Callable[[ParsedCode], dict | None]):
        self.config = config
        self.writer = writer
        section = config.devices
        self.fiscal = FiscalWorker(config.fiscal, writer) if config.fiscal else None
        try:
            self.printer = PrinterWorker(section["printer"], writer) if section["printer"] else None
        except ValueError as exc:
            raise ConfigError(f"configuration: {exc}") from None
        self.gpio, self.gpio_state = _front_panel(section["gpio"])
        self.station = ScanStation(
            {"receiving": self._scan_receiving, "stocktake": self._scan_stocktake},
            lookup,
            feedback=self.gpio,
        )
        self.scanner = _scanner_reader(section["scanner"], self.station.handle)
        if self.gpio is not None and self.printer is not None:  # nothing to reprint on
            self.gpio.on_button = self._reprint_last

    def start(self) -> Devices:
        for worker in (self.fiscal, self.printer):
            if worker is not None:
                worker.start()
                self.writer.on_commit(worker.wake)
        if self.scanner is not None:
            self.scanner.start()
        return self

    def stop(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
        for worker in (self.fiscal, self.printer):
            if worker is not None:
                worker.stop()
        if self.gpio is not None:
            self.gpio.close()

    def states(self) -> dict[str, str]:
        return {
            "fiscal": self.fiscal.state if self.fiscal else "not_configured",
            "printer": self.printer.state if self.printer else "not_configured",
            "scanner": self.scanner.status if self.scanner else "not_configured",
            "gpio": self.gpio_state,
        }

    def show(self, status: dict[str, Any]) -> None:
        if self.gpio is not None:
            self.gpio.show(status)

    # --- where scans go --------------------------------------------------------------------
    def _scan_receiving(self, doc_id: str, code: ParsedCode, by: Staff) -> dict:
        return self.writer.call(scan_into_receiving, doc_id, code.code, **_scan_args(code, by))

    def _scan_stocktake(self, take_id: str, code: ParsedCode, by: Staff) -> dict:
        return self.writer.call(scan_into_stocktake, take_id, code.code, **_scan_args(code, by))

    def _reprint_last(self) -> dict:
        return self.writer.call(reprint_last, by=FRONT_PANEL)


def _front_panel(section: dict | None) -> tuple[GpioController | None, str]:
    """The LEDs are a convenience: pins that cannot be driven (not a Pi, a pin in use) are
    reported as `error` and the gateway runs on; a wrong pin table stops it like any config."""
    if section is None:
        return None, "not_configured"
    try:
        return GpioController(section), "ok"
    except ValueError as exc:
        raise ConfigError(f"configuration: [gpio] {exc}") from None
    except Exception as exc:  # gpiozero: no pin factory here, pin busy, ...
        log.error("front panel (GPIO) unavailable: %s", exc)
        return None, "error"


def _scan_args(code: ParsedCode, by: Staff) -> dict:
    """A Честный ЗНАК code is one physical unit: the services count it once, by its GTIN."""
    return {"by": by, "gtin": code.gtin, "marking": isinstance(code, MarkingCode)}


def _scanner_reader(section: dict | None, on_scan):
    """[scanner] port = "/dev/scanner" (USB serial mode) or hid = "/dev/input/by-id/...-kbd";
    the table was checked when the configuration loaded (gateway/config_devices.py)."""
    if section is None:
        return None
    if "hid" in section:
        return HidScannerReader(str(section["hid"]), on_scan)
    suffix = str(section.get("suffix", "crlf")).lower()
    return SerialScannerReader(
        str(section["port"]),
        on_scan,
        baudrate=int(section.get("baudrate", 9600)),
        terminators=SCANNER_SUFFIXES[suffix],
    )
