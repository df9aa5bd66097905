"""``Printer``: one python-escpos connection, one job per call, errors as ``PrinterError``s.

Any escpos printer object works: ``Network(host, 9100, timeout=3)``, ``Usb``, ``Serial``, ``File``,
``Dummy``. Give ``Network`` a short timeout: its default of 60 s would also be the wait for a
status answer from a printer that is switched off.
"""

from __future__ import annotations

import logging

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from drivers.printer.documents import PAPER_80MM, Document, Paper
from drivers.printer.errors import PaperOut, PrinterOffline
from drivers.printer.layouts import render
from drivers.printer.status import PrinterStatus, query_status

log = logging.getLogger(__name__)


class Printer:
    def __init__(self, device: Escpos, paper: Paper = PAPER_80MM, *, check_status: bool = True):
        """``check_status``: ask the printer before each job, so a job is not sent into a printer
        without paper (and a dead TCP connection is found and reopened before it eats a job)."""
        self.device = device
        self.paper = paper
        self.check_status = check_status

    def render(self, document: Document) -> bytes:
        return render(document, self.paper, self.device.profile)

    def print(self, document: Document) -> None:
        """Print ``document`` as one job. Raises ``PaperOut`` or ``PrinterOffline`` (nothing was
        sent), ``ValueError``/``TypeError`` for a document that cannot be laid out."""
        self.send(self.render(document))

    def send(self, job: bytes) -> None:
        """Send an already rendered job (e.g. one kept in a durable queue) in one write."""
        if self.check_status:
            self._require_ready()
        try:
            self.device._raw(job)  # the escpos way to write raw bytes; every printer class has it
        except (OSError, EscposError) as error:
            self._drop_connection()
            raise PrinterOffline(f"sending the job failed: {error}") from error

    def status(self) -> PrinterStatus:
        """``ok``, ``paper_out``, ``offline`` or ``unknown`` (a connection that cannot read).

        A failed query is retried once on a fresh connection: a network printer that was switched
        off and on again leaves a dead socket behind that only the first query finds.
        """
        status = query_status(self.device)
        if status is PrinterStatus.OFFLINE:
            self._drop_connection()
            status = query_status(self.device)
            if status is PrinterStatus.OFFLINE:
                self._drop_connection()
        return status

    def close(self) -> None:
        self._drop_connection()

    def _require_ready(self) -> None:
        status = self.status()
        if status is PrinterStatus.PAPER_OUT:
            raise PaperOut()
        if status is PrinterStatus.OFFLINE:
            raise PrinterOffline(f"no status answer from {self._describe()}")

    def _drop_connection(self) -> None:
        """Close so the next use reopens (escpos printers open lazily on first use)."""
        try:
            self.device.close()
        except (OSError, EscposError) as error:
            log.info("closing printer connection: %s", error)
        # After a failed open escpos keeps ``None`` and would never try again; ``False`` means
        # "not opened yet", so the next use connects afresh.
        self.device.device = False

    def _describe(self) -> str:
        host = getattr(self.device, "host", None)
        port = getattr(self.device, "port", None)
        return f"{host}:{port}" if host else type(self.device).__name__
