"""The durable print queue (issue 5): pick slips, receiving reports, shelf labels, test pages.

A job is queued in the transaction that asks for it, as plain data; the printer worker
(gateway/adapters/printer) lays it out and sends it, recording each step with the functions at
the end. The job's life:

    queued ──print_started──> printing ──print_done──> done ──reprint──> (a new queued copy)
      ^                          │  └──print_requeued (the send broke off: retried)──> queued
      └──reprint (staff)── unknown <──print_interrupted (found `printing` after a restart)
      └──reprint (staff)── failed  <──print_failed (the layout cannot print the data)

`unknown` exists because ESC/POS cannot tell whether a job came out: a job the gateway was
sending when it stopped is shown to staff, who reprint it or confirm it; it is never resent blind.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.domain.staff import PRINT, Staff
from gateway.domain.validation import (
    MAX_MONEY,
    require_dict,
    require_id,
    require_int,
    require_list,
    require_str,
)

from .idempotency import run_once
from .permissions import require

PICK_SLIP, RECEIVING_REPORT, SHELF_LABEL, TEST_PAGE = (
    "pick_slip",
    "receiving_report",
    "shelf_label",
    "test_page",
)
KINDS = (PICK_SLIP, RECEIVING_REPORT, SHELF_LABEL, TEST_PAGE)

QUEUED = "queued"  # durable, nothing sent yet
PRINTING = "printing"  # committed before the first byte; the worker finishes it or it was cut off
DONE = "done"  # the printer took every byte
UNKNOWN = "unknown"  # cut off mid-send by a restart: staff look at the printer and decide
FAILED = "failed"  # the layout cannot print this data, or the send kept breaking off
STATES = (QUEUED, PRINTING, DONE, UNKNOWN, FAILED)

MAX_LINES = 500
MAX_TEXT = 200
MAX_EXTRA_LINES = 20
INTERRUPTED = (
    "the gateway stopped while sending it: check whether it came out, then reprint or confirm /"
    " печать прервалась — проверьте, вышел ли документ"
)


@dataclass(frozen=True)
class PrintJob:
    id: int
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int = 0
    ref: str | None = None
    reprint_of: int | None = None
    error: str | None = None


# --- use cases -----------------------------------------------------------------------------------


def queue_print(uow, kind: str, payload: Any, *, by: Staff, idem_key: str | None = None) -> int:
    """Queue a document; returns the job id. Bad data is refused here, with a message, rather
    than failing at the printer later."""

    def queue() -> dict:
        require(uow, by, PRINT, detail=kind)
        body, ref = parse_payload(kind, payload, by=by.name, now=uow.now)
        return {"print_job_id": uow.prints.add(kind, body, ref=ref, by=by)}

    return run_once(uow, idem_key, "print", queue)["print_job_id"]


def reprint_last(uow, *, by: Staff, idem_key: str | None = None) -> dict:
    """The reprint button: the last job that came out (or may have) is printed again."""

    def reprint() -> dict:
        job = uow.prints.last_printed()
        if job is None:
            raise NotFound("nothing has been printed yet / ещё ничего не печаталось")
        return reprint_job(uow, job.id, by=by)

    return run_once(uow, idem_key, "reprint", reprint)


def reprint_job(uow, job_id: int, *, by: Staff, idem_key: str | None = None) -> dict:
    """A done job is printed again as a new job (`reprint_of` says which); an unknown or failed
    one goes back to the queue as itself, since it may never have come out. A retried request
    (same key) gets the first answer back: one reprint per tap."""
    return run_once(uow, idem_key, "reprint", lambda: _reprint(uow, job_id, by))


def _reprint(uow, job_id: int, by: Staff) -> dict:
    require(uow, by, PRINT, detail=f"job {job_id}")
    job = _job(uow, job_id)
    if job.state in (QUEUED, PRINTING):
        raise InvalidTransition(f"print job {job_id} has not printed yet ({job.state})")
    if job.state == DONE:
        copy = uow.prints.add(job.kind, job.payload, ref=job.ref, by=by, reprint_of=job.id)
        return {"print_job_id": copy, "reprint_of": job.id, "kind": job.kind, "state": QUEUED}
    uow.prints.set_state(job_id, QUEUED, reset_attempts=True)
    return {"print_job_id": job_id, "reprint_of": None, "kind": job.kind, "state": QUEUED}


def confirm_printed(uow, job_id: int, *, by: Staff) -> dict:
    """Staff saw that an `unknown` job did come out whole."""
    require(uow, by, PRINT, detail=f"job {job_id}")
    job = _job(uow, job_id)
    if job.state != UNKNOWN:
        raise InvalidTransition(f"print job {job_id} is {job.state}, not unknown")
    uow.prints.set_state(job_id, DONE, error=f"confirmed printed by {by.name}")
    return {"print_job_id": job_id, "state": DONE}


def _job(uow, job_id: int) -> PrintJob:
    job = uow.prints.job(job_id)
    if job is None:
        raise NotFound(f"print job {job_id} not found")
    return job


# --- the printer worker's durable steps -------------------------------------------------------


def print_started(uow, job_id: int) -> None:
    """Committed BEFORE the first byte goes to the printer."""
    _require(uow, job_id, QUEUED)
    uow.prints.set_printing(job_id)


def print_done(uow, job_id: int) -> None:
    if _require(uow, job_id, PRINTING, DONE).state == PRINTING:
        uow.prints.set_state(job_id, DONE)


def print_requeued(uow, job_id: int, why: str) -> None:
    """The send broke off with an error: at most a torn piece came out, so it is sent again."""
    _require(uow, job_id, PRINTING)
    uow.prints.set_state(job_id, QUEUED, error=why)


def print_interrupted(uow, job_id: int) -> None:
    _require(uow, job_id, PRINTING)
    uow.prints.set_state(job_id, UNKNOWN, error=INTERRUPTED)


def print_failed(uow, job_id: int, why: str) -> None:
    _require(uow, job_id, QUEUED, PRINTING)
    uow.prints.set_state(job_id, FAILED, error=why)


def _require(uow, job_id: int, *states: str) -> PrintJob:
    job = _job(uow, job_id)
    if job.state not in states:
        wanted = " or ".join(states)
        raise InvalidTransition(f"print job {job_id} is {job.state}, expected {wanted}")
    return job


# --- payloads: plain data, checked, in the shape of the printer's documents ---------------------


def parse_payload(kind: str, payload: Any, *, by: str, now: str) -> tuple[dict, str | None]:
    """The payload as it will be stored, and the job's `ref`."""
    parsers = {
        PICK_SLIP: _pick_slip,
        RECEIVING_REPORT: _receiving_report,
        SHELF_LABEL: _shelf_label,
        TEST_PAGE: _test_page,
    }
    if kind not in parsers:
        raise InvalidInput(f"unknown print kind {kind!r}; known: {', '.join(KINDS)}")
    return parsers[kind](require_dict(payload, kind), by, now)


def _pick_slip(data: dict, by: str, now: str) -> tuple[dict, str]:
    _only(data, PICK_SLIP, "order_number", "customer", "lines", "total_kopecks", "phone", "comment")
    number = require_id(data.get("order_number"), "order_number")
    if not number.isascii() or not number.isprintable():
        raise InvalidInput("order_number must be printable ASCII (it is printed as a barcode)")
    total = data.get("total_kopecks")
    body = {
        "order_number": number,
        "customer": _text(data, "customer"),
        "lines": _lines(data, "lines", minimum=1),
        "total_kopecks": None
        if total is None
        else require_int(total, "total_kopecks", minimum=0, maximum=MAX_MONEY),
        "phone": _text(data, "phone"),
        "comment": _text(data, "comment"),
    }
    return body, number


def _receiving_report(data: dict, by: str, now: str) -> tuple[dict, str]:
    _only(
        data,
        RECEIVING_REPORT,
        *("document_id", "lines", "posted_by", "posted_at", "unresolved", "supplier"),
    )
    document_id = require_id(data.get("document_id"), "document_id")
    posted_at = require_str(data.get("posted_at", now), "posted_at")
    try:
        datetime.fromisoformat(posted_at)
    except ValueError:
        raise InvalidInput(f"posted_at must be an ISO date and time, got {posted_at!r}") from None
    unresolved = []
    for n, raw in enumerate(require_list(data.get("unresolved", []), "unresolved"), 1):
        item = require_dict(raw, f"unresolved {n}")
        code = require_str(item.get("code"), f"unresolved {n}.code", max_len=MAX_TEXT)
        count = require_int(item.get("count"), f"unresolved {n}.count", minimum=1)
        unresolved.append({"code": code, "count": count})
    body = {
        "document_id": document_id,
        "lines": _lines(data, "lines", minimum=0),
        "posted_by": _text(data, "posted_by") or by,
        "posted_at": posted_at,
        "unresolved": unresolved,
        "supplier": _text(data, "supplier"),
    }
    return body, document_id


def _shelf_label(data: dict, by: str, now: str) -> tuple[dict, str | None]:
    _only(data, SHELF_LABEL, "name", "price_kopecks", "ean13", "sku", "characteristics")
    ean13 = data.get("ean13")
    if ean13 is not None and not valid_ean13(ean13):
        raise InvalidInput(f"ean13 must be 13 digits with a right check digit, got {ean13!r}")
    characteristics = require_dict(data.get("characteristics", {}), "characteristics")
    for name, value in characteristics.items():
        require_str(value, f"characteristics.{name}", max_len=MAX_TEXT)
    body = {
        "name": require_str(data.get("name"), "name", max_len=MAX_TEXT),
        "price_kopecks": require_int(
            data.get("price_kopecks"), "price_kopecks", minimum=0, maximum=MAX_MONEY
        ),
        "ean13": ean13,
        "sku": _text(data, "sku"),
        "characteristics": dict(characteristics),
    }
    return body, body["sku"] or None


def _test_page(data: dict, by: str, now: str) -> tuple[dict, None]:
    _only(data, TEST_PAGE, "printer_name", "extra_lines")
    extra = require_list(data.get("extra_lines", []), "extra_lines")
    if len(extra) > MAX_EXTRA_LINES:
        raise InvalidInput(f"a test page takes at most {MAX_EXTRA_LINES} extra lines")
    body = {
        "printer_name": _text(data, "printer_name"),
        "extra_lines": [require_str(line, "extra_lines", max_len=MAX_TEXT) for line in extra],
    }
    return body, None


def _lines(data: dict, key: str, *, minimum: int) -> list[dict]:
    raw_lines = require_list(data.get(key), key)
    if not minimum <= len(raw_lines) <= MAX_LINES:
        raise InvalidInput(f"{key}: {minimum} to {MAX_LINES} lines, got {len(raw_lines)}")
    lines = []
    for n, raw in enumerate(raw_lines, 1):
        line = require_dict(raw, f"line {n}")
        lines.append(
            {
                "sku": require_id(line.get("sku"), f"line {n}.sku"),
                "name": require_str(line.get("name"), f"line {n}.name", max_len=MAX_TEXT),
                "quantity": require_int(line.get("quantity"), f"line {n}.quantity", minimum=1),
            }
        )
    return lines


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return "" if value is None else require_str(value, key, max_len=MAX_TEXT, allow_empty=True)


def _only(data: dict, kind: str, *known: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InvalidInput(f"{kind}: unknown keys {unknown}; known: {sorted(known)}")


def valid_ean13(code: Any) -> bool:
    if not isinstance(code, str) or len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])
