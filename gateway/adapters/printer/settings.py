"""[printer] settings from a plain config mapping, and the python-escpos connection they name.

    url      tcp://HOST[:PORT]            a network printer's raw port (9100 by default)
             usb://VID:PID                hex ids, e.g. usb://0416:5011 (needs pyusb)
             serial:///dev/ttyUSB0[?baudrate=19200]
             file:///dev/usb/lp0          the kernel's printer device (write only: no status)
    paper    "80mm" (48 columns) or "58mm" (32 columns)
    timeout  seconds for a connect, a write or a status answer
    poll     seconds between status checks while idle
    retry_max  the longest wait between attempts while the printer is offline
    profile  a python-escpos printer profile name (code pages, barcodes), optional
    name     shown on the test page, optional
    status   false for a printer that never answers status requests: printed blind

Values may be strings (STOREGW_PRINTER_* environment variables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from escpos.escpos import Escpos

from drivers.printer import PAPER_58MM, PAPER_80MM, Paper

PAPERS = {"80mm": PAPER_80MM, "58mm": PAPER_58MM}
SCHEMES = ("tcp", "usb", "serial", "file")
RAW_PORT = 9100


@dataclass(frozen=True)
class PrinterSettings:
    url: str
    paper: str = "80mm"
    timeout: float = 3.0  # escpos's Network default is 60 s: far too long to learn it is off
    poll: float = 5.0
    retry_max: float = 30.0
    profile: str | None = None
    name: str = ""
    status: bool = True  # false: a printer that never answers status requests (DLE EOT)

    def __post_init__(self) -> None:
        _check_url(self.url)
        if self.paper not in PAPERS:
            raise ValueError(f"printer.paper must be one of {sorted(PAPERS)}, got {self.paper!r}")
        for key in ("timeout", "poll", "retry_max"):
            if getattr(self, key) <= 0:
                raise ValueError(f"printer.{key} must be above 0")

    @property
    def paper_size(self) -> Paper:
        return PAPERS[self.paper]

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> PrinterSettings:
        """From the [printer] table; an unknown key is a typo and an error."""
        kinds = {"url": str, "paper": str, "timeout": float, "poll": float, "retry_max": float}
        kinds |= {"profile": str, "name": str, "status": _boolean}
        unknown = sorted(set(config) - set(kinds))
        if unknown:
            raise ValueError(f"unknown printer keys {unknown}; known: {sorted(kinds)}")
        if not config.get("url"):
            raise ValueError("printer.url is required, e.g. tcp://192.168.1.50:9100")
        values = {}
        for key, raw in config.items():
            try:
                values[key] = kinds[key](raw.strip() if isinstance(raw, str) else raw)
            except (TypeError, ValueError):
                raise ValueError(f"printer.{key}: {raw!r} is not a {kinds[key].__name__}") from None
        return cls(**values)


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false", "1", "0", "yes", "no"):
        return raw.lower() in ("true", "1", "yes")
    raise ValueError(raw)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"printer.url {url!r}: the scheme must be one of {', '.join(SCHEMES)}")
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"printer.url {url!r}: no host")
        _ = parts.port  # raises ValueError for a port that is not a number
    elif parts.scheme == "usb":
        _usb_ids(parts.netloc or parts.path)
    elif not parts.path:
        raise ValueError(f"printer.url {url!r}: no device path")


def _usb_ids(text: str) -> tuple[int, int]:
    try:
        vendor, product = (int(part, 16) for part in text.strip("/").split(":"))
    except ValueError:
        raise ValueError(f"usb printer ids must be VID:PID in hex, got {text!r}") from None
    return vendor, product


def open_device(settings: PrinterSettings) -> Escpos:
    """The escpos connection for ``settings.url``. Nothing is opened yet: escpos connects on
    first use, and ``drivers.printer.Printer`` reconnects after a failure."""
    from escpos import printer  # the connection classes pull in optional libraries

    parts = urlsplit(settings.url)
    options = {"profile": settings.profile} if settings.profile else {}
    if parts.scheme == "tcp":
        port = parts.port or RAW_PORT
        return printer.Network(parts.hostname, port, timeout=settings.timeout, **options)
    if parts.scheme == "usb":
        vendor, product = _usb_ids(parts.netloc or parts.path)
        timeout_ms = int(settings.timeout * 1000)  # escpos's 0 would block for ever
        return printer.Usb(vendor, product, timeout=timeout_ms, **options)
    if parts.scheme == "serial":
        query = parse_qs(parts.query)
        baudrate = int(query.get("baudrate", ["9600"])[0])
        return printer.Serial(parts.path, baudrate, timeout=settings.timeout, **options)
    return printer.File(parts.path, **options)
