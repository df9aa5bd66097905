"""The drive's exchange with the OFD and its health: FF39h exchange status, FF02h serial, FF03h
end of life, and the FF01h warning flags (FISCAL.md 1.7 "Other FN queries", "Web shop receipts").

The OFD model: every document joins the drive's queue; while the OFD is reachable
(`FiscalRegisterSimulator.set_ofd_online(True)`, the default) the queue is sent at once; offline,
it grows and ages with the simulator's clock, and once its oldest document has waited 30 days the
FN refuses new fiscal documents (15h, `Register.require_fn_accepts_documents`).

Warning flags (FF01h byte 4), the simulator's rules:
b0 the drive ends within 3 days; b1 within 30 days (b0 implies b1);
b2 its archive holds ≥ 90 % of its capacity (`set_archive_capacity`);
b3 the OFD has not answered for a while: a document has waited for it more than 24 hours.
"""

import time

from . import errors
from .codec import Fields, le
from .errors import CommandError

SYSADMIN = (30,)
DAY = 24 * 3600
WARN_REPLACE_URGENTLY, WARN_RESOURCE_30_DAYS, WARN_MEMORY_90, WARN_OFD_TIMEOUT = 1, 2, 4, 8
OFD_ANSWER_TIMEOUT = DAY
TRANSPORT_UP, MESSAGE_FOR_OFD = 0x01, 0x02  # FF39h status bits 0 and 1
REGISTRATIONS_LEFT, REGISTRATIONS_DONE = 11, 1  # FF03h tail: re-registration reports


def fn_date_time(when: float) -> bytes:
    """FN DATE_TIME: YY MM DD hh mm."""
    t = time.gmtime(when)
    return bytes([t.tm_year % 100, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min])


def warning_flags(reg) -> int:
    drive, now = reg.drive, reg.now()
    flags = 0
    left = drive.expires_at() - now
    if left <= 3 * DAY:
        flags |= WARN_REPLACE_URGENTLY
    if left <= 30 * DAY:
        flags |= WARN_RESOURCE_30_DAYS
    if len(drive.documents) * 10 >= drive.memory["archive_capacity"] * 9:
        flags |= WARN_MEMORY_90
    oldest = drive.oldest_unsent()
    if oldest is not None and now - oldest["time"] > OFD_ANSWER_TIMEOUT:
        flags |= WARN_OFD_TIMEOUT
    return flags


def exchange_status(reg, fields: Fields) -> bytes:
    """FF39h: status(1) | read state(1) | messages for the OFD(2) | first FD(4) | DATE_TIME(5)."""
    reg.check_password(fields, SYSADMIN)
    drive = reg.drive
    queue = drive.memory["ofd_queue"]
    status = (TRANSPORT_UP if drive.ofd_online else 0) | (MESSAGE_FOR_OFD if queue else 0)
    oldest = drive.oldest_unsent()
    first = le(oldest["fd"], 4) + fn_date_time(oldest["time"]) if oldest else bytes(9)
    return bytes([status, 0]) + le(len(queue), 2) + first


def fn_serial(reg, fields: Fields) -> bytes:
    """FF02h: the drive's serial number, 16 ASCII."""
    reg.check_password(fields, SYSADMIN)
    return reg.drive.serial.encode("ascii")


def fn_expiry(reg, fields: Fields) -> bytes:
    """FF03h: YY MM DD | re-registrations left | done [JPOS command/FSReadExpDate.java]."""
    reg.check_password(fields, SYSADMIN)
    expires = reg.drive.memory["fn_expires"]
    if expires is None:
        raise CommandError(errors.FN_NO_DATA, "expiry not set")
    year, month, day = (int(p) for p in expires.split("-"))
    return bytes([year % 100, month, day, REGISTRATIONS_LEFT, REGISTRATIONS_DONE])


HANDLERS = {0xFF39: exchange_status, 0xFF02: fn_serial, 0xFF03: fn_expiry}
