"""Decoding the data part of Shtrih-M answers (after the command code and the error byte).

Layouts from FISCAL.md 1.7; each function takes ``Answer.data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.fiscal.frames import BadAnswer, read_fn_datetime, read_uint_le
from drivers.fiscal.register import FiscalDocument, FnStatus, RegisterStatus, ShiftState

DOC_TYPE_RECEIPT = 3
DOC_TYPE_CORRECTION = 31  # чек коррекции: FF0A gives the same op type + total as a receipt
_RECEIPTS = (DOC_TYPE_RECEIPT, DOC_TYPE_CORRECTION)
_SHIFT_REPORTS = (2, 5)  # open shift, close shift


def short_status(data: bytes) -> RegisterStatus:
    """10h: operator | flags(2) | mode | submode | opsLo | battery | power | FM | EJ | opsHi ..."""
    if len(data) < 11:
        raise BadAnswer(f"10h answer too short ({len(data)} data bytes)")
    mode_byte = data[3]
    return RegisterStatus(
        operator=data[0],
        flags=read_uint_le(data, 1, 2),
        mode=mode_byte & 0x0F,
        mode_status=mode_byte >> 4,
        submode=data[4],
        operations_in_receipt=data[5] | (data[10] << 8),
    )


def fn_status(data: bytes) -> FnStatus:
    """FF01: phase | curDoc | docData | shiftState | warnings | DATE_TIME(5) | FN(16) | FD(4)."""
    if len(data) < 30:
        raise BadAnswer(f"FF01 answer too short ({len(data)} data bytes)")
    return FnStatus(
        life_phase=data[0],
        current_document=data[1],
        document_data=data[2],
        shift_open=bool(data[3]),
        warnings=data[4],
        ts=read_fn_datetime(data, 5),
        fn=data[10:26].decode("ascii", errors="replace").strip("\x00 "),
        last_fd=read_uint_le(data, 26, 4),
    )


def found_document(fd: int, data: bytes) -> FiscalDocument:
    """FF0A: docType | ticket | DATE_TIME | FD(4) | FP(4) | (receipt or correction: op(1) total
    m5 | shift report: shift(2))."""
    if len(data) < 2:
        raise BadAnswer("FF0A answer too short")
    doc_type, ticket = data[0], bool(data[1])
    if len(data) < 15:  # other document types: we only need type and number
        return FiscalDocument(fd=fd, doc_type=doc_type, ofd_ticket_received=ticket)
    common = {
        "doc_type": doc_type,
        "ofd_ticket_received": ticket,
        "ts": read_fn_datetime(data, 2),
        "fd": read_uint_le(data, 7, 4),
        "fp": read_uint_le(data, 11, 4),
    }
    if doc_type in _RECEIPTS:
        return FiscalDocument(
            **common, operation=read_uint_le(data, 15, 1), total=read_uint_le(data, 16, 5)
        )
    if doc_type in _SHIFT_REPORTS and len(data) >= 17:
        return FiscalDocument(**common, shift=read_uint_le(data, 15, 2))
    return FiscalDocument(**common)


@dataclass(frozen=True)
class CloseAnswer:
    change: int
    fd: int
    fp: int
    ts: str | None


def close_receipt(data: bytes) -> CloseAnswer:
    """FF45: change m5 | FD(4) | FP(4) [| DATE_TIME(5) when the table setting asks for it]."""
    if len(data) < 13:
        raise BadAnswer(f"FF45 answer too short ({len(data)} data bytes)")
    ts = read_fn_datetime(data, 13) if len(data) >= 18 else None
    return CloseAnswer(
        change=read_uint_le(data, 0, 5),
        fd=read_uint_le(data, 5, 4),
        fp=read_uint_le(data, 9, 4),
        ts=ts,
    )


def shift_parameters(data: bytes) -> ShiftState:
    """FF40: shiftState | shift(2) | receipt(2)."""
    if len(data) < 5:
        raise BadAnswer("FF40 answer too short")
    return ShiftState(bool(data[0]), read_uint_le(data, 1, 2), read_uint_le(data, 3, 2))


@dataclass(frozen=True)
class ExchangeStatus:
    """FF39h, the FN's exchange with the OFD."""

    status: int  # b0 transport up, b1 message for the OFD, b2 waiting for its receipt ...
    read_state: int
    unsent: int  # documents for the OFD
    first_unsent_fd: int | None
    first_unsent_at: str | None  # 'YYYY-MM-DDThh:mm'


def exchange_status(data: bytes) -> ExchangeStatus:
    """FF39: status(1) | read state(1) | messages for the OFD(2) | first FD(4) | DATE_TIME(5)
    [JPOS ``command/FSReadCommStatus.java``]. With an empty queue the FD and date are zeros."""
    if len(data) < 13:
        raise BadAnswer(f"FF39 answer too short ({len(data)} data bytes)")
    unsent = read_uint_le(data, 2, 2)
    return ExchangeStatus(
        status=data[0],
        read_state=data[1],
        unsent=unsent,
        first_unsent_fd=read_uint_le(data, 4, 4) if unsent else None,
        first_unsent_at=read_fn_datetime(data, 8) if unsent else None,
    )


def expiry_date(data: bytes) -> str:
    """FF03: YY MM DD [| re-registrations left(1) | done(1)] [JPOS ``FSReadExpDate.java``]."""
    if len(data) < 3:
        raise BadAnswer(f"FF03 answer too short ({len(data)} data bytes)")
    yy, mm, dd = data[:3]
    return f"20{yy:02d}-{mm:02d}-{dd:02d}"
