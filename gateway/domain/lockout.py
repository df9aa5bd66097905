"""Wrong PINs slow a guesser down: per account and per client address, a few free mistakes,
then a lock that doubles with every further mistake (30 s, 1 min, 2 min, ... up to an hour).
While locked, a PIN is not even checked -- the right one is refused too -- so a guessing run
learns nothing and costs no scrypt time. A right PIN clears both counts.

Time comes from the caller (a monotonic clock), so tests need no sleeping."""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT_FREE = 3  # mistakes on one account before it locks
ADDRESS_FREE = 10  # mistakes from one tablet (any accounts) before it locks
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 3600.0
MAX_TRACKED = 10_000  # addresses remembered at most (the oldest are forgotten first)


@dataclass
class _Count:
    mistakes: int = 0
    locked_until: float = 0.0


class Lockout:
    def __init__(self) -> None:
        self._accounts: dict[object, _Count] = {}
        self._addresses: dict[str, _Count] = {}
        self._told: dict[tuple[object, str], float] = {}  # the lock each pair's refusal was audited

    def first_refusal(self, account: object, address: str) -> bool:
        """True once per lock for a PIN refused unchecked while locked: the audit gets one row
        per lock, not one per try of a guessing run (each row is a write to the SD card)."""
        until = self._locked_until(account, address)
        if self._told.get((account, address)) == until:
            return False
        self._told[(account, address)] = until
        if len(self._told) > MAX_TRACKED:
            del self._told[next(iter(self._told))]
        return True

    def wait(self, account: object, address: str, now: float) -> float:
        """Seconds until a PIN for `account` from `address` is checked again (0: now)."""
        return max(0.0, self._locked_until(account, address) - now)

    def _locked_until(self, account: object, address: str) -> float:
        counts = (self._accounts.get(account), self._addresses.get(address))
        return max([0.0, *(c.locked_until for c in counts if c is not None)])

    def failed(self, account: object, address: str, now: float) -> float:
        """A wrong PIN: returns the seconds of the lock it starts (0: none yet)."""
        lock = 0.0
        for table, key, free in (
            (self._accounts, account, ACCOUNT_FREE),
            (self._addresses, address, ADDRESS_FREE),
        ):
            count = table.pop(key, None) or _Count()
            table[key] = count  # most recently failed last: the first to keep
            count.mistakes += 1
            if count.mistakes >= free:
                seconds = min(FIRST_LOCK_S * 2 ** (count.mistakes - free), MAX_LOCK_S)
                count.locked_until = now + seconds
                lock = max(lock, seconds)
            if len(table) > MAX_TRACKED:
                del table[next(iter(table))]
        return lock

    def succeeded(self, account: object, address: str) -> None:
        self._accounts.pop(account, None)
        self._addresses.pop(address, None)
