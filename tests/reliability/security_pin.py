"""A PIN guessing run over HTTP against the running gateway, judged by the harness's own model
of the lockout rules (gateway/domain/lockout.py: per account 3 free mistakes, per address 10,
then 30 s doubling up to an hour), kept on this machine's monotonic clock, the one the gateway
measures its locks with. A lock certainly holds from the request that started it until that
request's start plus its length, so a right PIN answered inside that window must be refused.
The guesses arrive far faster than a lock expires: no waiting. Right-PIN probes are mixed in,
and a share of the guesses at the manager's PIN come as a cashier's request with a manager's
override (`X-Storegw-Override`), which checks the same PIN. It starts with parallel guesses on
one account. Afterwards the audit table (read directly) must hold one `pin_refused` row per PIN
checked."""

from __future__ import annotations

import random
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field

from gateway.adapters.sqlite.connection import open_connection
from gateway.domain.lockout import ACCOUNT_FREE, ADDRESS_FREE, FIRST_LOCK_S, MAX_LOCK_S
from tests.reliability.security_shop import Shop
from tests.signin import CASHIER_PIN, MANAGER_PIN

BURST_THREADS, BURST_EACH = 8, 4  # parallel guesses at the start, while nothing is locked
PROBE_EVERY = 20  # one right-PIN try by the manager among this many guesses
OVERRIDE_SHARE = 0.3  # of the guesses at the manager's PIN, made as a cashier's override
ADDRESS = "127.0.0.1"
UNKNOWN_ID = 9999  # no such person: its mistakes count for the address (account None)


@dataclass
class Lock:
    mistakes: int = 0
    since: float = 0.0  # the start of the request that started the current lock
    until: float = 0.0  # `since` + its length: certainly locked before this

    def mistake(self, free: int, started: float) -> None:
        self.mistakes += 1
        if self.mistakes >= free:
            seconds = min(FIRST_LOCK_S * 2 ** (self.mistakes - free), MAX_LOCK_S)
            self.since, self.until = started, started + seconds


@dataclass
class PinOutcome:
    attempts: int = 0  # wrong PINs sent
    override_attempts: int = 0  # of which as a manager's override on a cashier's session
    burst_attempts: int = 0  # of which sent in parallel on one unlocked account
    burst_checked: int = 0  # of those, PINs the gateway checked (audit rows): at most 3
    probes: int = 0  # right PINs sent
    lockouts: int = 0  # locks the model saw start
    wrong_accepted: list[str] = field(default_factory=list)
    probes_while_locked: int = 0
    right_accepted_while_locked: list[str] = field(default_factory=list)
    checked_while_locked: list[str] = field(default_factory=list)  # a 401: the PIN was tried
    ambiguous: int = 0  # answers near a lock's end, settled by the audit
    pins_checked: int = 0  # the harness's count of PINs the gateway had to check and refuse
    pins_audited: int = 0  # pin_refused rows in the database afterwards
    lockouts_audited: int = 0


class Guesser:
    def __init__(self, shop: Shop, seed: int):
        self.shop = shop
        self.rng = random.Random(seed)
        self.accounts: dict[int | None, Lock] = {}
        self.address = Lock()
        self.outcome = PinOutcome()
        self.targets = [shop.manager.id, shop.cashier.id, shop.spare_cashier.id, UNKNOWN_ID]
        self.known_pins = {"1111", "2222", "3333", "5555", "1234"}  # every PIN in the shop

    def run(self, attempts: int) -> PinOutcome:
        self.cashier = self.shop.signed_in(self.shop.cashier, CASHIER_PIN)  # before any lock
        self.client = self.shop.client()
        try:
            self.burst()
            while self.outcome.attempts < attempts:
                if self.outcome.attempts % PROBE_EVERY == PROBE_EVERY - 1:
                    self.probe()
                self.guess(self.rng.choice(self.targets))
        finally:
            self.client.close()
            self.cashier.close()
        self.audit()
        return self.outcome

    def burst(self) -> None:
        """Guesses on one account from parallel connections: the gateway checks PINs one at
        a time, so no more than the free mistakes may be checked before the lock."""
        manager = self.shop.manager.id
        pins = [[self.wrong_pin() for _ in range(BURST_EACH)] for _ in range(BURST_THREADS)]
        codes: list[int] = []

        def guess_all(mine: list[str]) -> None:
            with self.shop.client() as client:
                for pin in mine:
                    answer = client.post("/api/signin", json={"staff_id": manager, "pin": pin})
                    codes.append(answer.status_code)

        started = time.monotonic()
        threads = [threading.Thread(target=guess_all, args=(mine,)) for mine in pins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        checked = self.audited()[0]  # the gateway's own record, read from its database
        self.outcome.attempts += len(codes)
        self.outcome.burst_attempts = len(codes)
        self.outcome.burst_checked = checked
        self.outcome.pins_checked += checked
        self.outcome.wrong_accepted += [f"burst: {code}" for code in codes if code == 200]
        account, address = self._locks(manager)
        for _ in range(checked):  # the lock began during the burst: after `started`
            account.mistake(ACCOUNT_FREE, started)
            address.mistake(ADDRESS_FREE, started)
        self.outcome.lockouts += int(checked >= ACCOUNT_FREE)

    def _locks(self, staff_id: int) -> tuple[Lock, Lock]:
        """The model's locks on this account and on our address (an unknown id is account None)."""
        account = None if staff_id == UNKNOWN_ID else staff_id
        return self.accounts.setdefault(account, Lock()), self.address

    def _send(self, staff_id: int, pin: str, override: bool) -> tuple[str, float, float]:
        """One PIN: on the sign-in screen, or as a manager's override of a cashier's request
        (`X-Storegw-Override`, the same check). The answer: accepted, checked (a wrong PIN
        the gateway tried), locked, or other."""
        started = time.monotonic()
        if override:
            header = {"X-Storegw-Override": f"{staff_id}:{pin}"}
            answer = self.cashier.get("/api/me", headers=header)
        else:
            answer = self.client.post("/api/signin", json={"staff_id": staff_id, "pin": pin})
            self.client.cookies.clear()
        ended = time.monotonic()
        code = answer.status_code
        error = answer.json().get("error") if code >= 400 else None
        if code == 200:
            kind = "accepted"
        elif (code, error) in ((401, "wrong_pin"), (403, "wrong_pin")):
            kind = "checked"
        elif code in (429, 403) and error == "locked":
            kind = "locked"
        else:
            kind = "other"
        return kind, started, ended

    def guess(self, staff_id: int) -> None:
        pin = self.wrong_pin()
        override = staff_id == self.shop.manager.id and self.rng.random() < OVERRIDE_SHARE
        account, address = self._locks(staff_id)
        kind, started, ended = self._send(staff_id, pin, override)
        self.outcome.attempts += 1
        self.outcome.override_attempts += int(override)
        certainly = ended < max(account.until, address.until)
        possibly = started < max(account.until, address.until) + (ended - started) + 0.5
        way = "override" if override else "sign-in"
        where = f"#{self.outcome.attempts} {way} staff {staff_id} pin {pin}: {kind}"
        if kind in ("accepted", "other"):
            self.outcome.wrong_accepted.append(where)  # "other": not even refused for the PIN
            return
        if kind == "checked" and certainly:
            self.outcome.checked_while_locked.append(where)
        counted = kind == "checked" or (kind == "locked" and not possibly)
        if kind == "locked" and possibly and not certainly:
            # Near a lock's end the answer cannot tell a lock that held from one this PIN
            # began (its `wait` is rounded): the audit says whether the PIN was checked.
            counted = self.audited()[0] > self.outcome.pins_checked
            self.outcome.ambiguous += 1
        if counted:
            self.outcome.pins_checked += 1
            before = (account.until, address.until)
            account.mistake(ACCOUNT_FREE, started)
            address.mistake(ADDRESS_FREE, started)
            if (account.until, address.until) != before:
                self.outcome.lockouts += 1

    def probe(self) -> None:
        manager = self.shop.manager.id
        override = self.outcome.probes % 2 == 1
        account, address = self._locks(manager)
        kind, started, ended = self._send(manager, MANAGER_PIN, override)
        self.outcome.probes += 1
        certainly = ended < max(account.until, address.until)
        self.outcome.probes_while_locked += int(certainly)
        if kind == "accepted":
            if certainly:
                way = "override" if override else "sign-in"
                self.outcome.right_accepted_while_locked.append(
                    f"probe {self.outcome.probes} ({way})"
                )
            account.mistakes = address.mistakes = 0  # a right PIN clears both counts
            account.until = address.until = 0.0

    def wrong_pin(self) -> str:
        while True:
            pin = f"{self.rng.randrange(10_000):04d}"
            if pin not in self.known_pins:
                return pin

    def audited(self) -> tuple[int, int]:
        """PINs checked and refused, and lockouts begun, as the audit table records them."""
        with closing(open_connection(self.shop.db_path, readonly=True)) as conn:
            rows = conn.execute(
                "SELECT detail FROM audit WHERE kind = 'pin_refused' AND detail LIKE 'wrong PIN%'"
            ).fetchall()
        return len(rows), sum("locked for" in row[0] for row in rows)

    def audit(self) -> None:
        self.outcome.pins_audited, self.outcome.lockouts_audited = self.audited()
