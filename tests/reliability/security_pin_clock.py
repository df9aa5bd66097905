"""The other half of the lockout promise, "until the lock ends": a lock must hold to its last
millisecond and then end. Waiting real minutes is not an option, so this part runs the gateway
in-process and drives the monotonic clock its `Auth` takes (`Gateway.auth.clock`, the seam the
web security tests use): guesses until a lock starts, right PINs inside it (refused), just
before its end (refused) and just after (accepted), with locks doubling in between."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.lockout import ACCOUNT_FREE, FIRST_LOCK_S, MAX_LOCK_S
from gateway.domain.staff import CASHIER
from tests.loopback import free_port
from tests.signin import CASHIER_PIN, add_person

EPSILON = 0.001


class Clock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class ClockOutcome:
    attempts: int = 0
    lockouts: int = 0
    longest_lock: float = 0.0
    probes_inside: int = 0
    accepted_inside: list[str] = field(default_factory=list)
    probes_after: int = 0
    refused_after_end: list[str] = field(default_factory=list)
    wrong_accepted: int = 0


def run_cycles(workdir: Path, cycles: int, seed: int) -> ClockOutcome:
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "gateway.toml"
    config.write_text(
        f'[store]\nid = "shop-pin"\n[mqtt]\nurl = "mqtt://127.0.0.1:{free_port()}"\n'
        f'[database]\npath = "{workdir / "gateway.db"}"\n',
        encoding="utf-8",
    )
    gateway = Gateway(load_config(config, env={})).start()
    try:
        person = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
        clock = Clock(1000.0)
        gateway.auth.clock = clock
        with TestClient(gateway.web_app()) as client:
            return Cycles(client, person.id, clock, random.Random(seed)).run(cycles)
    finally:
        gateway.stop()


class Cycles:
    def __init__(self, client: TestClient, staff_id: int, clock: Clock, rng: random.Random):
        self.client, self.staff_id, self.clock, self.rng = client, staff_id, clock, rng
        self.outcome = ClockOutcome()

    def sign_in(self, pin: str) -> int:
        answer = self.client.post("/api/signin", json={"staff_id": self.staff_id, "pin": pin})
        self.client.cookies.clear()
        return answer.status_code

    def run(self, cycles: int) -> ClockOutcome:
        for cycle in range(cycles):
            self.one_cycle(cycle, doublings=self.rng.randrange(4))
        return self.outcome

    def one_cycle(self, cycle: int, doublings: int) -> None:
        """Counts are clear: ACCOUNT_FREE wrong PINs lock; each wrong PIN right after a lock
        ends locks again for twice as long; then the right PIN once the last lock is over."""
        mistakes = 0
        for extra in range(doublings + 1):
            guesses = ACCOUNT_FREE if extra == 0 else 1
            for _ in range(guesses):
                self.outcome.attempts += 1
                code = self.sign_in(f"{self.rng.randrange(3000, 10_000):04d}")
                self.outcome.wrong_accepted += int(code == 200)
                mistakes += 1
            started = self.clock.now
            length = min(FIRST_LOCK_S * 2 ** (mistakes - ACCOUNT_FREE), MAX_LOCK_S)
            self.outcome.lockouts += 1
            self.outcome.longest_lock = max(self.outcome.longest_lock, length)
            for moment in (self.rng.uniform(0, length), length - EPSILON):
                self.clock.now = started + moment
                self.outcome.probes_inside += 1
                if self.sign_in(CASHIER_PIN) == 200:
                    self.outcome.accepted_inside.append(f"cycle {cycle}: {moment:.3f}/{length}")
            self.clock.now = started + length + EPSILON
        self.outcome.probes_after += 1
        if self.sign_in(CASHIER_PIN) != 200:
            self.outcome.refused_after_end.append(f"cycle {cycle}: after {mistakes} mistakes")
        self.clock.now += 1.0
