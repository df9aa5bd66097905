"""The doctor's device checks. With the gateway stopped each configured device is asked
directly: the fiscal register through the driver (its status, then the drive's health), the
printer by a TCP connect or its device node, the scanner by its device node. With the gateway
running its own view is shown (doctor_gateway) and the drive's last reading comes from the
database. Every probe is bounded by the register's link timeouts or `Probes.timeout`."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from drivers.fiscal import ShtrihM
from drivers.fiscal.errors import CommandNotSupported, FiscalError, LinkError
from drivers.fiscal.link import LinkSettings
from gateway.adapters.fiscal.health_watch import read_now
from gateway.adapters.printer.settings import RAW_PORT, PrinterSettings
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.fiscal_health_repo import fiscal_health
from gateway.config import Config, FiscalConfig
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes
from gateway.doctor_gateway import Running, gateway_finding, look, reported_findings

UDEV_HINT = "check the cable and the power, and `ls -l /dev/storegw-*` (the udev rules)"
SEVERE = {("ofd_queue", 25), ("fn_expiry", 3)}  # days from a blocked or dead drive


def findings(config: Config, probes: Probes, running: Running | None = None) -> list[Finding]:
    running = running if running is not None else look(config, probes)
    found = [gateway_finding(running)]
    health = None
    if running.running:
        found += reported_findings(config, running)
        health = _recorded_health(config)
    else:
        if config.fiscal is not None:
            register, health = fiscal_register(config.fiscal)
            found.append(register)
        if config.device_configured("printer"):
            found.append(printer_finding(config.devices["printer"], probes))
        if config.device_configured("scanner"):
            found.append(scanner_finding(config.devices["scanner"]))
        if config.fiscal is not None and health is None:
            health = _recorded_health(config)
    if config.fiscal is not None:
        found.append(drive_finding(health))
    return found


def fiscal_register(fiscal: FiscalConfig) -> tuple[Finding, dict[str, Any] | None]:
    """Ask the register itself: its status, then its drive's health (None if it cannot say)."""
    name, port = "fiscal register", fiscal.port
    if port.startswith("/") and not Path(port).exists():
        return Finding(ERROR, name, f"{port} does not exist", UDEV_HINT), None
    settings = LinkSettings(
        control_timeout=fiscal.control_timeout,
        byte_timeout=fiscal.byte_timeout,
        timeout_scale=fiscal.timeout_scale,
    )
    register = ShtrihM(port, password=fiscal.password, baudrate=fiscal.baudrate, settings=settings)
    try:
        status = register.status()
        fn = register.fn_status().fn
        try:
            health = read_now(register)
        except (CommandNotSupported, NotImplementedError):
            health = {"supported": False}
    except LinkError as exc:
        return Finding(
            ERROR,
            name,
            f"nothing answers on {port} ({exc})",
            f"is the register switched on? {UDEV_HINT}; fiscal.baudrate is {fiscal.baudrate}",
        ), None
    except FiscalError as exc:
        return Finding(
            ERROR, name, f"answers on {port} but refuses: {exc}", _password(fiscal)
        ), None
    except OSError as exc:  # pyserial: cannot open the port (missing, busy, permission)
        return Finding(ERROR, name, f"{port} cannot be opened: {exc}", open_advice(port, exc)), None
    finally:
        with contextlib.suppress(Exception):
            register.close()
    shift = "shift open" if status.shift_open else "shift closed"
    paper = "" if status.paper_present else ", no paper"
    level, todo = (OK, "") if status.paper_present else (WARNING, "load paper")
    return Finding(level, name, f"answers on {port}: FN {fn}, {shift}{paper}", todo), health


def drive_finding(health: dict[str, Any] | None) -> Finding:
    name = "fiscal drive"
    if health is None:
        return Finding(SKIP, name, "not checked: no reading of the drive yet")
    if not health.get("supported", True):
        return Finding(SKIP, name, "not checked: this register does not report its drive")
    if health.get("read_at"):
        when = f"last read by the gateway at {health['read_at'][:16]}Z"
    else:
        when = "read just now"
    queue = f"{health.get('unsent', 0)} document(s) waiting for the OFD"
    expires = health.get("expires")
    found = f"FN {health.get('fn')}, {queue}" + (f", expires {expires}" if expires else "")
    found += f" ({when})"
    alarms = health.get("alarms") or []
    if not alarms:
        return Finding(OK, name, found)
    severe = any((a["kind"], a["level"]) in SEVERE for a in alarms)
    todo = "; ".join(a.get("detail_en") or a.get("detail", "") for a in alarms)
    return Finding(ERROR if severe else WARNING, name, found, todo)


def printer_finding(section: dict, probes: Probes) -> Finding:
    name = "printer"
    try:
        settings = PrinterSettings.from_mapping(section)
    except ValueError as exc:
        return Finding(ERROR, name, str(exc), "correct [printer] in the configuration")
    parts = urlsplit(settings.url)
    if parts.scheme == "tcp":
        address = (parts.hostname or "", parts.port or RAW_PORT)
        try:
            with socket.create_connection(address, timeout=min(settings.timeout, probes.timeout)):
                pass
        except OSError as exc:
            return Finding(
                ERROR,
                name,
                f"nothing answers at {address[0]}:{address[1]} ({exc.strerror or exc})",
                "is the printer on and on the network? its IP may have changed (print its"
                " self-test page by holding FEED at power-on)",
            )
        return Finding(OK, name, f"answers at {address[0]}:{address[1]}")
    if parts.scheme == "usb":
        return _usb_printer(parts.netloc or parts.path)
    return _device_node(name, parts.path, os.W_OK)


def scanner_finding(section: dict) -> Finding:
    path = section.get("port") or section.get("hid")
    if not path:
        return Finding(ERROR, "scanner", "[scanner] names no port or hid", "add port = ...")
    return _device_node("scanner", str(path), os.R_OK)


def _device_node(name: str, path: str, mode: int) -> Finding:
    if not Path(path).exists():
        return Finding(ERROR, name, f"{path} does not exist", UDEV_HINT)
    if not os.access(path, mode):
        return Finding(
            ERROR, name, f"{path} exists but this user may not use it", _permission(path)
        )
    return Finding(OK, name, f"{path} present")


def _usb_printer(ids: str) -> Finding:
    vendor, _, product = ids.strip("/").lower().partition(":")
    devices = Path("/sys/bus/usb/devices")
    if not devices.is_dir():
        return Finding(SKIP, "printer", f"not checked: no {devices} here")
    for device in devices.iterdir():
        with contextlib.suppress(OSError):
            found = (device / "idVendor").read_text().strip(), (device / "idProduct").read_text()
            if found[0] == vendor and found[1].strip() == product:
                return Finding(OK, "printer", f"USB {vendor}:{product} plugged in")
    return Finding(ERROR, "printer", f"USB {vendor}:{product} is not plugged in", UDEV_HINT)


def _recorded_health(config: Config) -> dict[str, Any] | None:
    path = config.database_path
    if not path.exists():
        return None
    try:
        with contextlib.closing(open_connection(path, readonly=True)) as conn:
            return fiscal_health(conn)
    except sqlite3.Error:
        return None  # the database lines above say what is wrong with it


def open_errno(exc: OSError) -> int | None:
    """pyserial often keeps the errno only in its message: "[Errno 111] ..." or "(25, '...')"."""
    if isinstance(exc.errno, int):
        return exc.errno
    found = re.search(r"\[Errno (\d+)\]|\((\d+), '", str(exc))
    return int(found[1] or found[2]) if found else None


NOT_SERIAL = (errno.ENOTTY, errno.EISDIR, errno.EINVAL, errno.ENXIO, errno.ENODEV)
NO_LISTENER = (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT)


def open_advice(port: str, exc: OSError) -> str:
    """What to do about a port that cannot be opened, by why: only a refused permission is a
    matter of groups."""
    number = open_errno(exc)
    if number in (errno.EACCES, errno.EPERM):
        return _permission(port)
    if number in NOT_SERIAL:
        return (
            f"{port} is not a serial port: set fiscal.port to the register's device"
            " (/dev/storegw-fiscal from the udev rules, or /dev/ttyACM0) or its pyserial URL"
        )
    if number in NO_LISTENER:
        return (
            f"nothing listens at {port}: is the register (or the network bridge in front of it)"
            " switched on and reachable, and are fiscal.port's host and port right?"
        )
    if number == errno.ENOENT:
        return UDEV_HINT
    if number == errno.EBUSY or "lock" in str(exc).lower():
        return "another program holds the port: stop it (the gateway: sudo systemctl stop storegw)"
    return f"check fiscal.port ({port}), the cable and the power; {UDEV_HINT}"


def _permission(path: str) -> str:
    return (
        f"the gateway's user needs access to {path}: it must be in the group owning it"
        " (dialout for serial ports, lp for printers, input for keyboard scanners)"
    )


def _password(fiscal: FiscalConfig) -> str:
    return f"check fiscal.password (now {fiscal.password}; the default system password is 30)"
