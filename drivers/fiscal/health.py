"""The fiscal drive's health: the OFD queue (FF39h), the warning flags (FF01h), the drive's end
of life (FF03h). FISCAL.md 1.7 "Other FN queries" and "Web shop receipts".

The FN refuses every new document (error 15h) once its oldest unsent document has waited 30
days, so the queue's age is what the gateway watches; a model without FF03h reports no expiry.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from drivers.fiscal import answers
from drivers.fiscal.errors import CommandNotSupported
from drivers.fiscal.register import FnHealth

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM

log = logging.getLogger(__name__)

TRANSPORT_UP = 0x01  # FF39h status bit 0

# FF01h warning flags [PHP Response/FNGetStatus.php, FISCAL.md 1.7].
WARN_REPLACE_URGENTLY = 0x01  # the drive ends within 3 days
WARN_RESOURCE_30_DAYS = 0x02  # ... within 30 days
WARN_MEMORY_90 = 0x04  # the archive is 90 % full
WARN_OFD_TIMEOUT = 0x08  # the OFD has not answered in time


def read_health(register: ShtrihM) -> FnHealth:
    fn = register.fn_status()
    exchange = answers.exchange_status(register.call(0xFF39))
    try:
        expires: str | None = answers.expiry_date(register.call(0xFF03))
    except CommandNotSupported:
        log.info("fiscal: FF03h not supported, the drive's expiry is unknown")
        expires = None
    return FnHealth(
        fn=fn.fn,
        unsent=exchange.unsent,
        first_unsent_fd=exchange.first_unsent_fd,
        first_unsent_at=exchange.first_unsent_at,
        transport_up=bool(exchange.status & TRANSPORT_UP),
        warnings=fn.warnings,
        expires=expires,
        checked_at=fn.ts,
    )
