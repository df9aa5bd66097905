"""[printer], [scanner] and [gpio]: free tables the device layer reads, checked when the
configuration loads with the device layer's own checks (the printer's settings, the GPIO pin
table), so that `storegw run`, `storegw doctor` and every other command refuse the same table with
the same words, and a misspelt key gets a "did you mean" like a declared section's.

The device drivers are imported only for a section that is there: a command on a box without a
printer never loads python-escpos."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from gateway.config_sources import hint

SCANNER_KEYS = ("port", "hid", "baudrate", "suffix")
# What ends a code on the scanner's serial line, by the name the configuration gives it.
SCANNER_SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t"}


class DeviceProblem(ValueError):
    """What is wrong with a device table; `key` is the key to blame ("" for the whole table)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def check_device_table(name: str, table: Mapping[str, Any]) -> None:
    """Raises DeviceProblem for a table the device layer would refuse at start."""
    {"printer": _printer, "scanner": _scanner, "gpio": _gpio}[name](table)


def _unknown(table: Mapping[str, Any], known: tuple[str, ...], prefix: str = "") -> None:
    for key in table:
        if key not in known:
            raise DeviceProblem(prefix + key, f"unknown key{hint(key, known)}")


def _printer(table: Mapping[str, Any]) -> None:
    from gateway.adapters.printer.settings import PrinterSettings  # noqa: PLC0415

    _unknown(table, tuple(field.name for field in fields(PrinterSettings)))
    try:
        PrinterSettings.from_mapping(table)
    except ValueError as exc:
        raise DeviceProblem("", str(exc)) from None


def _scanner(table: Mapping[str, Any]) -> None:
    """The rules of the scanner's reader (gateway/adapters/devices.py), in its words."""
    _unknown(table, SCANNER_KEYS)
    if ("port" in table) == ("hid" in table):
        raise DeviceProblem(
            "",
            "needs exactly one of port (serial mode) or hid (keyboard mode); known keys:"
            f" {', '.join(sorted(SCANNER_KEYS))}",
        )
    if "hid" in table:
        return
    if str(table.get("suffix", "crlf")).lower() not in SCANNER_SUFFIXES:
        raise DeviceProblem("suffix", f"is one of {', '.join(SCANNER_SUFFIXES)}")
    try:
        int(table.get("baudrate", 9600))
    except (TypeError, ValueError):
        raise DeviceProblem("baudrate", "must be a number") from None


def _gpio(table: Mapping[str, Any]) -> None:
    """Pins under `pins = {...}`, or the pin names as the table's own keys (from variables:
    STOREGW_GPIO_LED_ONLINE=5)."""
    from drivers.gpio.pins import GpioPins  # noqa: PLC0415
    from gateway.adapters.gpio import pin_numbers  # noqa: PLC0415 - the panel's own reading

    names = tuple(field.name for field in fields(GpioPins))
    pins = table.get("pins")
    if "pins" in table and not isinstance(pins, Mapping):
        raise DeviceProblem("pins", "must be a table of pin numbers, e.g. {led_online = 17}")
    if isinstance(pins, Mapping):
        _unknown(table, ("pins",))
        _unknown(pins, names, "pins.")
    else:
        _unknown(table, (*names, "pins"))
    try:
        GpioPins.from_mapping(pin_numbers(table))
    except ValueError as exc:
        raise DeviceProblem("", str(exc)) from None
