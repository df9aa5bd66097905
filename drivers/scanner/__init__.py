"""Barcode scanner input. Pure protocol code: never imports ``gateway`` or ``simulators``.

* ``parse_code(text)`` -> ``ParsedCode`` (``ProductCode``, ``TextCode``, ``Gs1Code``,
  ``MarkingCode``) or raises ``InvalidCode`` / ``MangledInput`` (``BarcodeError``).
* ``SerialScannerReader`` (USB-CDC, pyserial) and ``HidScannerReader`` (keyboard mode, evdev or
  raw input events) deliver ``Scan`` objects to a callback or a queue.
* ``KeyboardDecoder``: key codes -> text, layout-independent; pure, for tests.
* ``builders``: valid GTINs and marking codes, ``gs1_check_digit``.
"""

from drivers.scanner.barcodes import parse_code
from drivers.scanner.check_digit import gs1_check_digit, has_valid_check_digit, with_check_digit
from drivers.scanner.codes import (
    CodeKind,
    Gs1Code,
    MarkingCode,
    ParsedCode,
    ProductCode,
    TextCode,
)
from drivers.scanner.errors import BarcodeError, InvalidCode, MangledInput
from drivers.scanner.hid_reader import HidScannerReader
from drivers.scanner.keymap import KeyboardDecoder, KeyCombo, KeymapSettings
from drivers.scanner.scan import Scan, decode_scan_bytes, scan_from_text
from drivers.scanner.serial_reader import SerialScannerReader

__all__ = [
    "BarcodeError",
    "CodeKind",
    "Gs1Code",
    "HidScannerReader",
    "InvalidCode",
    "KeyCombo",
    "KeyboardDecoder",
    "KeymapSettings",
    "MangledInput",
    "MarkingCode",
    "ParsedCode",
    "ProductCode",
    "Scan",
    "SerialScannerReader",
    "TextCode",
    "decode_scan_bytes",
    "gs1_check_digit",
    "has_valid_check_digit",
    "parse_code",
    "scan_from_text",
    "with_check_digit",
]
