"""Printer health from the real-time status requests (DLE EOT 4 paper, DLE EOT 1 printer).

A printer that stops on paper end also reports itself offline, so paper is asked first: the staff
then read «нет бумаги», not a vaguer «не отвечает».
"""

from __future__ import annotations

import logging
from enum import StrEnum

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

log = logging.getLogger(__name__)

PAPER_OUT = 0  # what escpos ``paper_status()`` answers: 0 none, 1 near end, 2 adequate
PAPER_NEAR_END = 1


class PrinterStatus(StrEnum):
    OK = "ok"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"  # the connection cannot read (File, Dummy): printing may still work


def query_status(device: Escpos) -> PrinterStatus:
    """One status round trip. Connection errors and silence mean offline."""
    if type(device)._read is Escpos._read:  # File, Dummy: don't send questions nobody can answer
        return PrinterStatus.UNKNOWN
    try:
        paper = device.paper_status()
        online = device.is_online()
    except NotImplementedError:  # a connection class that cannot read after all
        return PrinterStatus.UNKNOWN
    except (OSError, EscposError) as error:  # refused, reset, timed out, no such device
        log.info("printer status: no answer (%s)", error)
        return PrinterStatus.OFFLINE
    if paper == PAPER_OUT:
        return PrinterStatus.PAPER_OUT
    if not online:  # includes an empty answer: the peer closed the connection
        return PrinterStatus.OFFLINE
    if paper == PAPER_NEAR_END:
        log.info("printer status: paper near end")
    return PrinterStatus.OK
