"""The shop's scanner as the gateway uses it: every scan (from the physical scanner or typed on a
tablet) goes to the document a member of staff chose on the screen -- a receiving or a stocktake
-- or, with none chosen, just looks the item up. Each scan gets a good or a bad beep and a line
in a short history the screens show («Футболка (красный, M): 3 шт.», «Неизвестный код ...»).

The station never writes SQL itself: the handlers it is given run the services through the
writer. Scans are handled one at a time in the reader's thread, in the order they were made.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from drivers.scanner import BarcodeError, ParsedCode, Scan, scan_from_text
from gateway.domain.errors import DomainError
from gateway.domain.staff import Staff

log = logging.getLogger(__name__)

HISTORY = 30
TARGET_KINDS = ("receiving", "stocktake")

Handler = Callable[[str, ParsedCode, Staff], dict]  # (document id, code, who) -> result


class Feedback(Protocol):
    def good_scan(self) -> None: ...

    def bad_scan(self) -> None: ...


class ScanStation:
    def __init__(
        self,
        handlers: dict[str, Handler],
        lookup: Callable[[ParsedCode], dict | None],
        feedback: Feedback | None = None,
    ):
        self.handlers = handlers  # "receiving" / "stocktake" -> handler
        self.lookup = lookup
        self.feedback = feedback
        self.target: dict[str, Any] | None = None
        self._holder: Staff | None = None  # who pointed the scanner: the scanner's scans are theirs
        self.history: deque[dict] = deque(maxlen=HISTORY)
        self._lock = threading.Lock()  # one scan at a time, whoever delivers it

    def set_target(
        self,
        kind: str | None,
        doc_id: str | None = None,
        by: Staff | None = None,
        replace: bool = False,
    ) -> dict:
        """Staff (`by`) opened a receiving or a stocktake on a screen: scans go there until changed,
        and the scanner's own scans are recorded as theirs.
        A document holding the scanner keeps it unless `replace` (the «Сканировать сюда»
        button); releasing (`kind` None) with a `doc_id` lets go only if that document has it."""
        with self._lock:
            current = self.target
            if kind is None:
                if doc_id is None or current is None or current["id"] == doc_id:
                    self.target = None
                return {"target": self.target}
            if kind not in TARGET_KINDS or not doc_id:
                raise DomainError(f"scans can go to a receiving or a stocktake, not {kind!r}")
            if by is None:
                raise ValueError("pointing the scanner needs the person doing it")
            if current is not None and current["id"] != doc_id and not replace:
                raise DomainError(
                    f"the scanner is pointed at {current['kind']} {current['id']}: take it with"
                    f" «Сканировать сюда» / сканер направлен в документ {current['id']}",
                    reason="scanner_busy",
                )
            self.target = {"kind": kind, "id": doc_id, **by.event}
            self._holder = by
            return {"target": self.target}

    def finished(self, doc_id: str) -> None:
        """The document was posted, applied or dropped: later scans just look items up."""
        self.set_target(None, doc_id)

    def scan_text(self, text: str, by: Staff | None = None) -> dict:
        """A code typed on a tablet (or a camera's result) goes the same way as a real scan."""
        return self.handle(scan_from_text(text.strip()), by=by)

    def handle(self, scan: Scan, by: Staff | None = None) -> dict:
        with self._lock:
            try:
                entry = self._handle(scan, by)
            except Exception as exc:  # the database, a bug: the scan must not vanish silently
                log.exception("scan %r not recorded: %s", scan.text, exc)
                entry = {
                    "text": scan.text,
                    "ok": False,
                    "message": "Скан не записан — повторите / not recorded: scan again",
                    "reason": "error",
                }
            entry["at"] = time.time()
            self.history.appendleft(entry)
            self._beep(entry["ok"])
        return entry

    def _beep(self, good: bool) -> None:
        if self.feedback is None:
            return
        try:
            (self.feedback.good_scan if good else self.feedback.bad_scan)()
        except Exception as exc:  # a buzzer fault never loses a scan already recorded
            log.warning("buzzer: %s", exc)

    def _handle(self, scan: Scan, by: Staff | None) -> dict:
        entry: dict[str, Any] = {"text": scan.text, "ok": False}
        if scan.error is not None:
            return entry | _refusal(scan.error)
        code = scan.code
        entry["code"] = code.code
        target = self.target
        if target is None:
            found = self.lookup(code)
            if found is None:
                return entry | {"message": f"Неизвестный код {code.code} / Unknown code"}
            return entry | {"ok": True, "found": found}
        try:
            result = self.handlers[target["kind"]](target["id"], code, by or self._holder)
        except DomainError as exc:
            return entry | {"message": exc.detail, "reason": exc.reason}
        # An unknown code is kept on the document (a manager links it later), a repeat or an
        # ambiguous code is not counted: the person scanning must look at the screen (bad beep).
        counted = result.get("accepted", False) and result.get("outcome") == "counted"
        return entry | {"ok": counted, "target": dict(target), "result": result}

    def snapshot(self) -> dict:
        return {"target": self.target, "last": list(self.history)[:10]}


def _refusal(error: BarcodeError) -> dict:
    return {"message": str(error), "reason": error.reason}
