"""`storegw fiscal ...`: talk to a Shtrih-M fiscal register directly (status, X report, shifts);
`storegw fiscal correction` queues a correction receipt through the gateway (see its --help).

Every command prints one JSON document on stdout. ``--port`` is a device path (/dev/ttyACM0),
a pty path (the simulator's /dev/pts/N) or a pyserial URL (rfc2217://host:port, socket://...).

Errors are one line on stderr, ``storegw: error: <the driver's message>``, and an exit status:

- 1: the register refused the command (shift already open, shift over 24 h, paper out, ...)
- 2: a bad argument (an INN that is not 12 digits, a password out of range, a bad URL)
- 3: no link: the port cannot be opened, or the register does not answer
- 4: the answer was lost: the command may have executed; look at ``storegw fiscal status``
  before doing it again
"""

# Imports only ``drivers.fiscal`` (outside the gateway's layers), except the correction commands
# (``gateway.correction_cli``, imported where they are registered); registered by ``gateway.cli``.

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from drivers.fiscal import Cashier, ShtrihM
from drivers.fiscal.errors import AnswerLost, FiscalError, LinkError, RequestRejected
from drivers.fiscal.frames import FrameError
from gateway.domain.errors import InvalidInput
from gateway.domain.staff import check_inn

EXIT_REGISTER_ERROR = 1
EXIT_BAD_ARGUMENT = 2
EXIT_NO_LINK = 3
EXIT_ANSWER_LOST = 4

# FISCAL.md 1.6: the low nibble of the mode byte, and the sub-mode.
MODES = {
    0: "printer in working mode",
    1: "data output",
    2: "shift open",
    3: "shift open, over 24 hours: close it",
    4: "shift closed",
    5: "blocked: wrong tax inspector password",
    6: "waiting for date confirmation",
    7: "decimal point change allowed",
    8: "document open",
    9: "technological reset allowed",
    10: "test run",
    11: "printing a full fiscal report",
    12: "slip document",
    13: "slip document",
    14: "slip document",
}
DOCUMENT_KINDS = {0: "sale", 1: "buy", 2: "sale return", 3: "buy return", 4: "non-fiscal"}
SUBMODES = {
    0: "paper present, idle",
    1: "paper out",
    2: "paper out while printing",
    3: "waiting for continue print (B0h) after paper out",
    4: "printing a full report",
    5: "printing",
}
FN_LIFE_PHASE_BITS = {
    0: "configured",
    1: "fiscal mode open",
    2: "fiscal mode closed",
    3: "data transfer to OFD finished",
}
FN_CURRENT_DOCUMENT = {
    0x00: "none",
    0x01: "registration report",
    0x02: "open-shift report",
    0x04: "cash receipt",
    0x08: "close-shift report",
    0x10: "close-FN report",
    0x11: "strict reporting form",
    0x12: "re-registration report",
    0x13: "re-registration report",
    0x14: "correction receipt",
    0x15: "strict reporting form correction",
    0x17: "settlement state report",
}
FN_WARNING_BITS = {
    0: "urgent FN replacement (3 days)",
    1: "FN resource exhausted in 30 days",
    2: "FN memory 90 % full",
    3: "OFD answer timeout exceeded",
}
DOCUMENT_TYPES = {
    1: "registration",
    2: "open shift",
    3: "cash receipt",
    4: "strict reporting form",
    5: "close shift",
    6: "close FN",
    11: "re-registration",
    21: "settlement state report",
    31: "correction receipt",
}
RECEIPT_OPERATIONS = {1: "sale", 2: "sale return", 3: "buy", 4: "buy return"}


class _Failure(Exception):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def add_fiscal_parser(commands: argparse._SubParsersAction, parents: list | None = None) -> None:
    """Register `storegw fiscal ...` under the top-level sub-parsers of `gateway.cli`."""
    parents = parents or []
    device = argparse.ArgumentParser(add_help=False)
    device.add_argument(
        "--port",
        required=True,
        metavar="URL",
        help="device path, pty path or pyserial URL (e.g. /dev/ttyACM0, rfc2217://host:port)",
    )
    device.add_argument(
        "--password", type=int, default=30, metavar="N", help="operator password (default: 30)"
    )
    device.add_argument(
        "--baud", type=int, default=115200, metavar="N", help="baud rate (default: 115200)"
    )
    cashier = argparse.ArgumentParser(add_help=False)
    cashier.add_argument(
        "--cashier", required=True, metavar="NAME", help="cashier's name, tag 1021"
    )
    cashier.add_argument("--inn", metavar="INN", help="cashier's 12-digit INN, tag 1203")

    fiscal = commands.add_parser(
        "fiscal",
        parents=parents,
        help="the fiscal register: status, X report, shifts; correction receipts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = fiscal.add_subparsers(dest="fiscal_command", required=True, metavar="COMMAND")
    for name, handler, extra, text in (
        ("status", _status, [], "register and fiscal drive status"),
        ("x-report", _x_report, [], "print an X report (shift totals, no closing)"),
        ("open-shift", _open_shift, [cashier], "open the shift"),
        ("close-shift", _close_shift, [cashier], "close the shift (Z report)"),
    ):
        command = sub.add_parser(name, parents=[*parents, device, *extra], help=text)
        command.set_defaults(handler=_runner(handler), uses_no_database=True)  # the port only
    # Correction receipts go through the gateway's queue, not to the port: the running gateway
    # owns the register. They need the database (and its layers), so they live apart.
    from gateway.correction_cli import add_correction_parsers  # noqa: PLC0415

    add_correction_parsers(sub)


def _runner(action: Callable[[ShtrihM, argparse.Namespace], dict]) -> Callable[..., int]:
    def run(args: argparse.Namespace, config: Any = None) -> int:
        try:
            print(json.dumps(_talk(action, args), ensure_ascii=False, indent=2))
        except _Failure as exc:
            print(f"storegw: error: {exc}", file=sys.stderr)
            return exc.exit_code
        return 0

    return run


def _talk(action: Callable[[ShtrihM, argparse.Namespace], dict], args: argparse.Namespace) -> dict:
    if not 0 <= args.password <= 0xFFFFFFFF:
        raise _Failure(f"--password {args.password} is out of range", EXIT_BAD_ARGUMENT)
    if args.baud <= 0:
        raise _Failure(f"--baud {args.baud} must be positive", EXIT_BAD_ARGUMENT)
    if getattr(args, "inn", None) is not None:
        try:
            check_inn(args.inn)  # 12 digits and their check digits, as «Сотрудники» checks
        except InvalidInput as exc:
            raise _Failure(f"--inn {args.inn!r}: {exc.detail}", EXIT_BAD_ARGUMENT) from None
    if getattr(args, "cashier", None) is not None and not args.cashier.strip():
        raise _Failure("--cashier must not be empty", EXIT_BAD_ARGUMENT)
    register = ShtrihM(args.port, password=args.password, baudrate=args.baud)
    try:
        return action(register, args)
    except AnswerLost as exc:
        raise _Failure(
            f"{exc} (the command may have executed: check `storegw fiscal status`)",
            EXIT_ANSWER_LOST,
        ) from exc
    except LinkError as exc:
        raise _Failure(f"{exc} (port {args.port})", EXIT_NO_LINK) from exc
    except RequestRejected as exc:
        code = EXIT_BAD_ARGUMENT if exc.code is None else EXIT_REGISTER_ERROR
        raise _Failure(str(exc), code) from exc
    except FiscalError as exc:
        raise _Failure(str(exc), EXIT_REGISTER_ERROR) from exc
    except FrameError as exc:  # a garbled or too short answer: not a Shtrih-M register?
        raise _Failure(f"bad answer from {args.port}: {exc}", EXIT_NO_LINK) from exc
    except ValueError as exc:  # pyserial: an unknown URL scheme or a bad baud rate
        raise _Failure(f"port {args.port}: {exc}", EXIT_BAD_ARGUMENT) from exc
    except OSError as exc:  # serial.SerialException is an OSError: no such port, no permission
        raise _Failure(f"cannot open port {args.port}: {_os_message(exc)}", EXIT_NO_LINK) from exc
    finally:
        with contextlib.suppress(OSError):
            register.close()


def _os_message(exc: OSError) -> str:
    # pyserial wraps the OSError of open() in a SerialException repeating the path: unwrap it.
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    if exc.strerror:
        return exc.strerror
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


# --- commands ------------------------------------------------------------------------------


def _status(register: ShtrihM, args: argparse.Namespace) -> dict:
    status = register.status()
    fn = register.fn_status()
    mode_text = MODES.get(status.mode, "unknown mode")
    if status.mode == 8:
        mode_text += f": {DOCUMENT_KINDS.get(status.mode_status, 'unknown kind')}"
    result: dict[str, Any] = {
        "port": args.port,
        "mode": status.mode,
        "mode_status": status.mode_status,
        "mode_text": mode_text,
        "submode": status.submode,
        "submode_text": SUBMODES.get(status.submode, "unknown sub-mode"),
        "operator": status.operator,
        "flags": status.flags,
        "paper_present": status.paper_present,
        "cover_open": status.cover_open,
        "shift_open": status.shift_open,
        "shift_expired": status.shift_expired,
        "receipt_open": status.receipt_open,
        "waiting_continue_print": status.waiting_continue_print,
        "printing": status.printing,
        "operations_in_receipt": status.operations_in_receipt,
        "fn": {
            "number": fn.fn,
            "last_fd": fn.last_fd,
            "shift_open": fn.shift_open,
            "life_phase": fn.life_phase,
            "life_phase_text": _bits(fn.life_phase, FN_LIFE_PHASE_BITS),
            "current_document": fn.current_document,
            "current_document_text": FN_CURRENT_DOCUMENT.get(fn.current_document, "unknown"),
            "document_data_received": bool(fn.document_data),
            "warnings": fn.warnings,
            "warnings_text": _bits(fn.warnings, FN_WARNING_BITS),
            "ts": fn.ts,
        },
    }
    result["shift"] = _shift(register)
    result["last_document"] = _document(register.find_document(fn.last_fd)) if fn.last_fd else None
    return result


def _x_report(register: ShtrihM, args: argparse.Namespace) -> dict:
    register.x_report()
    return {"port": args.port, "report": "X", "printed": True, "shift": _shift(register)}


def _open_shift(register: ShtrihM, args: argparse.Namespace) -> dict:
    try:
        result = register.open_shift(Cashier(args.cashier, args.inn))
    except LinkError:
        raise
    except FiscalError as exc:
        raise _Failure(f"{exc}{_shift_hint(register)}", EXIT_REGISTER_ERROR) from exc
    return {"port": args.port, "opened": True, "cashier": args.cashier, **asdict(result)}


def _close_shift(register: ShtrihM, args: argparse.Namespace) -> dict:
    result = register.close_shift(Cashier(args.cashier, args.inn))
    return {"port": args.port, "closed": True, "cashier": args.cashier, **asdict(result)}


def _shift_hint(register: ShtrihM) -> str:
    """Registers answer "wrong FN state" to a second open: say why, if the status tells."""
    try:
        status = register.status()
    except FiscalError:
        return ""
    if status.shift_expired:
        return " (the shift is open and over 24 hours: close it first)"
    if status.shift_open:
        return " (the shift is already open)"
    return ""


def _shift(register: ShtrihM) -> dict:
    """FF40h: the current shift's number and the next receipt number in it."""
    shift = register.shift_state()
    return {"open": shift.shift_open, "number": shift.shift, "receipt_number": shift.receipt_number}


def _document(document) -> dict:
    data = asdict(document)
    data["doc_type_text"] = DOCUMENT_TYPES.get(document.doc_type, "unknown")
    if document.operation is not None:
        data["operation_text"] = RECEIPT_OPERATIONS.get(document.operation, "unknown")
    return data


def _bits(value: int, names: dict[int, str]) -> list[str]:
    return [name for bit, name in names.items() if value & (1 << bit)]
