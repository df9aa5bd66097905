"""The receipt printer seen from the gateway: settings, payload → document, the print worker."""

from gateway.adapters.printer.settings import PrinterSettings, open_device
from gateway.adapters.printer.worker import PrinterWorker

__all__ = ["PrinterSettings", "PrinterWorker", "open_device"]
