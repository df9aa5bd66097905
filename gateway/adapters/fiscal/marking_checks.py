"""The marking checks the sale screen, the sale API and the ship API ask the register for
(разрешительный режим). The fiscal worker's thread runs each (it owns the port), waiting at
most `[fiscal] marking_timeout`; no answer in time, a register offline or none configured is
the offline rule: allowed, and said to be unchecked.

The page checks a code when it is scanned; the sale or shipment checks it again on the server
(the page is not trusted), reusing that answer while it is fresh -- a few minutes for the
register's answer, less for "no answer", which the next look may well get. A code sold or
shipped is forgotten: its next check asks again."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from gateway.adapters.fiscal.staff import FiscalUnavailable
from gateway.domain import marking
from gateway.domain.marking import MarkingVerdict
from gateway.domain.staff import SELL, Staff, authorize

FRESH_ANSWER_S = 300.0  # the register's answer (ok, sold, refused) is reused this long
FRESH_NO_ANSWER_S = 30.0  # "no answer in time" is asked again sooner
MAX_KEPT = 2000  # codes remembered at most (the oldest go first)


class MarkingChecks:
    def __init__(self, fiscal, timeout: float, clock: Callable[[], float] = time.monotonic):
        """`fiscal`: the fiscal worker (None: no register configured)."""
        self._fiscal = fiscal
        self._timeout = timeout
        self._clock = clock
        self._kept: OrderedDict[tuple[str, bool], tuple[float, MarkingVerdict]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, code: str, *, by: Staff, refund: bool = False) -> MarkingVerdict:
        return self.check_all([code], by=by, refund=refund)[0]

    def check_all(
        self, codes: Iterable[str], *, by: Staff, refund: bool = False
    ) -> list[MarkingVerdict]:
        """Each code's verdict, in order. Once the register has not answered one in time the
        rest are not asked: each would wait as long again."""
        authorize(by, SELL)  # Forbidden before anything, a fresh answer included
        verdicts: list[MarkingVerdict] = []
        silent: str | None = None  # why the register did not answer, once it did not
        for code in codes:
            verdict = self._fresh(code, refund)
            if verdict is None:
                if silent is not None:
                    verdict = marking.not_checked(code, silent, refund=refund)
                else:
                    verdict = self._ask(code, by, refund)
                    if verdict.reason == marking.NOT_CHECKED:
                        silent = verdict.note
                self._keep(verdict)
            verdicts.append(verdict)
        return verdicts

    def forget(self, codes: Iterable[str]) -> None:
        """These codes were sold (or shipped): their answers are not valid any more."""
        with self._lock:
            for code in codes:
                for refund in (False, True):
                    self._kept.pop((code, refund), None)

    def _ask(self, code: str, by: Staff, refund: bool) -> MarkingVerdict:
        if self._fiscal is None:
            return marking.not_checked(code, "no fiscal register is configured", refund=refund)
        try:
            return self._fiscal.request(
                "check_marking", by=by, timeout=self._timeout, code=code, refund=refund
            )
        except FiscalUnavailable as exc:
            return marking.not_checked(code, str(exc), refund=refund)

    def _fresh(self, code: str, refund: bool) -> MarkingVerdict | None:
        with self._lock:
            kept = self._kept.get((code, refund))
        if kept is None:
            return None
        at, verdict = kept
        life = FRESH_NO_ANSWER_S if verdict.offline else FRESH_ANSWER_S
        return verdict if self._clock() - at < life else None

    def _keep(self, verdict: MarkingVerdict) -> None:
        with self._lock:
            key = (verdict.code, verdict.refund)
            self._kept.pop(key, None)
            self._kept[key] = (self._clock(), verdict)
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
