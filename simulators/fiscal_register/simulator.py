"""FiscalRegisterSimulator: the register on a pseudo-terminal, served by one background thread."""

import copy
import os
import pty
import select
import threading
import time
import tty
from collections.abc import Callable

from . import commands_marking
from .drive import FiscalDrive
from .faults import FaultQueue
from .link import DeviceLink
from .printer import Printer
from .register import Register

POLL_SECONDS = 0.02


class FiscalRegisterSimulator:
    def __init__(
        self,
        archive_path: str | os.PathLike | None = None,
        clock: Callable[[], float] | None = None,
        *,
        print_to: str | os.PathLike | None = None,
        byte_timeout: float = 0.05,
        answer_delays: dict[int, float] | None = None,
        extended_answers: bool = False,
        unsupported_commands: frozenset[int] | set[int] = frozenset(),
    ):
        """`unsupported_commands`: codes this model answers 37h (an older firmware: e.g. 0x8D,
        0xFF3A, 0x1E)."""
        self._lock = threading.RLock()
        self._base_clock = clock or time.time
        self._clock_offset = 0.0
        self.faults = FaultQueue()
        self.printer = Printer(print_to)
        self.drive = FiscalDrive(archive_path)
        self.drive.ensure_expiry(self.now())
        self.register = Register(
            self.drive,
            self.printer,
            self.faults,
            self.now,
            extended_answers,
            frozenset(unsupported_commands),
        )
        self.link = DeviceLink(
            self.register.execute,
            self.register.busy_answer,
            self.faults,
            self._write,
            self._power_lost,
            byte_timeout,
            answer_delays,
        )
        self._master: int | None = None
        self._slave: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.slave_path: str | None = None

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)  # no echo, no line editing: a byte wire
        tty.setraw(self._master)
        self.slave_path = os.ttyname(self._slave)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="fiscal-register", daemon=True)
        self._thread.start()
        return self.slave_path

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def __enter__(self) -> "FiscalRegisterSimulator":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            deadline = self.link.next_deadline()
            wait = POLL_SECONDS
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            readable, _, _ = select.select([self._master], [], [], wait)
            data = b""
            if readable:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    time.sleep(POLL_SECONDS)
            with self._lock:
                if data:
                    self.link.feed(data, time.monotonic())
                self.link.tick(time.monotonic())

    def _write(self, data: bytes) -> None:
        if self._master is not None:
            os.write(self._master, data)

    def _power_lost(self) -> None:
        self.link.reset()
        self.register.power_lost()

    # test and operator API -----------------------------------------------------------------
    def now(self) -> float:
        return self._base_clock() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        with self._lock:
            self._clock_offset += seconds

    def inject(self, fault_name: str, **params) -> None:
        with self._lock:
            self.faults.inject(fault_name, **params)

    def set_marking_answer(self, answer: str, code: str | None = None) -> None:
        """How Честный ЗНАК answers the check of `code` (every code when None): "valid",
        "sold" (already sold), "refused" (not in circulation / bad crypto tail), "no_answer"."""
        with self._lock:
            commands_marking.set_answer(self.register, answer, code)

    # the fiscal drive and the OFD ----------------------------------------------------------
    def set_ofd_online(self, online: bool) -> None:
        """Whether the register reaches the OFD. Back online, the queue is sent at once."""
        with self._lock:
            self.drive.ofd_online = online
            if online:
                self.drive.send_to_ofd()
                self.drive.save()

    def set_fn_expiry(self, date: str) -> None:
        """The drive's end of life, 'YYYY-MM-DD' (FF03h; warning flags b0/b1 of FF01h)."""
        time.strptime(date, "%Y-%m-%d")  # a bad date is refused here, not at FF03h
        with self._lock:
            self.drive.memory["fn_expires"] = date
            self.drive.save()

    def set_archive_capacity(self, documents: int) -> None:
        """How many documents the drive holds: FF01h warns (b2) at 90 % of it."""
        with self._lock:
            self.drive.memory["archive_capacity"] = documents
            self.drive.save()

    def replace_fn(self, serial: str) -> None:
        """A new fiscal drive: FD and shift numbers start at 1 again, its archive is empty; the
        old archive stays in `all_documents`. Needs a closed shift and no open receipt."""
        if len(serial) != 16 or not serial.isdigit():
            raise ValueError(f"an FN serial is 16 digits, not {serial!r}")
        with self._lock:
            if self.drive.shift["open"] or self.register.receipt is not None:
                raise RuntimeError("close the shift before replacing the fiscal drive")
            self.drive.replace(serial, self.now())
            self.register.document_tlv, self.register.reading = {}, b""

    @property
    def fn_serial(self) -> str:
        with self._lock:
            return self.drive.serial

    @property
    def ofd_queue(self) -> list[int]:
        """FDs of the current drive not yet sent to the OFD, oldest first."""
        with self._lock:
            return list(self.drive.memory["ofd_queue"])

    @property
    def all_documents(self) -> list[dict]:
        """Every drive's archive, the replaced drives' first (each document says its `fn`)."""
        with self._lock:
            return copy.deepcopy(self.drive.all_documents())

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def power_cycle(self) -> None:
        """Power off and on: the answer buffer and an open receipt are lost; the drive is kept."""
        with self._lock:
            self._power_lost()

    def load_paper(self) -> None:
        with self._lock:
            self.printer.paper = True

    def remove_paper(self) -> None:
        with self._lock:
            self.printer.paper = False

    @property
    def archive(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self.drive.documents)

    @property
    def executed(self) -> dict[int, int]:
        """How many times each command code was executed."""
        with self._lock:
            return dict(self.register.executed)

    @property
    def document_count(self) -> int:
        """Documents in the fiscal drive (cheap: no copy)."""
        with self._lock:
            return len(self.drive.documents)

    @property
    def paper_present(self) -> bool:
        with self._lock:
            return self.printer.paper

    @property
    def receipts(self) -> list[dict]:
        """The current drive's receipts (not the correction receipts: `corrections`)."""
        return [doc for doc in self.archive if doc["type"] == "receipt"]

    @property
    def corrections(self) -> list[dict]:
        return [doc for doc in self.archive if doc["type"] == "correction"]

    @property
    def printed(self) -> list[str]:
        with self._lock:
            return list(self.printer.printed)

    @property
    def mode(self) -> int:
        with self._lock:
            return self.register.mode()

    @property
    def sub_mode(self) -> int:
        with self._lock:
            return self.register.sub_mode()

    @property
    def cash_in_drawer(self) -> int:
        with self._lock:
            return self.drive.memory["cash_in_drawer"]
