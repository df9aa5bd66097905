"""Who is signed in: staff sessions and API tokens, checked on every request (issue 9).

The check is in memory (BENCH ui_session_check_p99_us): a hash of the cookie's token, a dict
look-up, two clocks. The cache follows the database: sign-ins, sign-outs and changes to staff
move the `staff_version` counter, and `PRAGMA data_version` says cheaply when anyone committed
anything, so `storegw staff disable` in a terminal ends a session at once.

PINs are checked one at a time (a lock around lockout check, scrypt and the record of the
result): parallel guesses cannot slip past the lockout, and the Pi never runs 50 scrypts at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.outbox import read_counter
from gateway.adapters.sqlite.staff_repo import STAFF_VERSION
from gateway.config import WebConfig
from gateway.domain.lockout import Lockout
from gateway.domain.staff import MANAGER, Staff, check_pin
from gateway.domain.timestamps import format_stamp, parse_stamp
from gateway.services import staff as service
from gateway.services.pins import hash_pin, token_hash, verify_pin

from .lock_words import locked_detail

log = logging.getLogger(__name__)
KEEP_EXPIRED_S = 2 * 24 * 3600


@dataclass
class Session:
    id: str  # SHA-256 of the cookie's token
    staff: Staff
    csrf: str
    expires_at: float  # wall clock (end of the shop's day)
    last_active: float  # monotonic: the last touch the tablet reported


class SignInRefused(Exception):
    """A PIN or setup code was not accepted; `reason`: wrong_pin, locked, unknown_staff,
    not_manager, bad_code, setup_done. `wait` is the seconds of a lock."""

    def __init__(self, reason: str, detail: str, wait: float = 0.0):
        super().__init__(detail)
        self.reason, self.detail, self.wait = reason, detail, wait


class Auth:
    def __init__(self, writer, path, web: WebConfig, *, wall=time.time, clock=time.monotonic):
        self.writer = writer
        self.web = web
        self.wall, self.clock = wall, clock
        self.lockout = Lockout()
        self.setup_code: str | None = None
        self._path = path
        self._conn = None
        self._lock = threading.Lock()  # the cache and the read connection
        self._pin_lock = threading.Lock()  # one PIN check at a time
        self._versions: tuple[int, int] | None = None
        self._sessions: dict[str, Session] = {}
        self._people: dict[int, tuple[Staff, str]] = {}  # active persons: (staff, PIN hash)
        self._tokens: dict[str, Staff] = {}  # active API tokens by their hash

    def start(self) -> Auth:
        self._conn = open_connection(self._path, readonly=True)
        self._refresh()
        if not self.managers():
            self.setup_code = f"{secrets.randbelow(10**8):08d}"
            log.warning(
                "no manager yet: run `storegw staff add NAME --role manager`, or open /setup"
                " on a tablet and enter the one-time code %s",
                self.setup_code,
            )
        return self

    def stop(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- the per-request check -------------------------------------------------------------
    def session(self, token: str | None, idle: float | None) -> tuple[Session | None, str]:
        """The live session of a cookie, or None and why: signed_out, expired, locked.
        `idle`: seconds since the tablet was last touched, as its page reports it (None: a
        page load or a background refresh, which proves nothing about the hands on the
        tablet). A report moves the last touch only forward, never past the report."""
        if not token:
            return None, "signed_out"
        self._refresh()
        session = self._sessions.get(_digest(token))
        if session is None:
            return None, "signed_out"
        if self.wall() >= session.expires_at:
            self._end(session, "expired")
            return None, "expired"
        now = self.clock()
        if idle is not None:
            session.last_active = max(session.last_active, now - max(idle, 0.0))
        limit = self.web.idle_lock_minutes * 60
        if limit and now - session.last_active > limit:
            self._end(session, "idle")
            return None, "locked"
        return session, ""

    def idle(self, session: Session) -> float:
        """Seconds since the last touch the gateway knows of: where a page just loaded starts
        its idle clock (a page load, an automatic refresh, is nobody's touch)."""
        return max(0.0, self.clock() - session.last_active)

    def token_staff(self, token: str) -> Staff | None:
        self._refresh()
        return self._tokens.get(token_hash(token))

    # --- signing in and out ----------------------------------------------------------------
    def people(self) -> list[dict]:
        self._refresh()
        people = sorted(self._people.values(), key=lambda entry: entry[0].name.lower())
        return [{"id": s.id, "name": s.name, "role": s.role} for s, _ in people]

    def managers(self) -> int:
        return sum(1 for s, _ in self._people.values() if s.role == MANAGER)

    def setup_open(self) -> bool:
        """The setup screen works until the first manager exists, however made."""
        self._refresh()
        if self.setup_code is not None and self.managers():
            self.setup_code = None
        return self.setup_code is not None

    def sign_in(self, staff_id: object, pin: object, client: str) -> tuple[str, Session]:
        staff = self.check_pin(staff_id, pin, client)
        return self._new_session(staff, client)

    def check_pin(
        self,
        staff_id: object,
        pin: object,
        client: str,
        *,
        manager: bool = False,
        asked_by: Staff | None = None,
        action: str = "",
    ) -> Staff:
        """The person whose PIN this is, or `SignInRefused` (audited); `manager`: for an
        override, asked by `asked_by` for `action` (the audit names both)."""
        self._refresh()
        known = staff_id if isinstance(staff_id, int) and staff_id in self._people else None
        why = f"; manager's approval for {action}" if asked_by is not None else ""
        with self._pin_lock:
            wait = self.lockout.wait(staff_id, client, self.clock())
            if wait > 0:
                log.warning("PIN refused without a check: locked (%s from %s)", staff_id, client)
                if self.lockout.first_refusal(staff_id, client):
                    detail = f"refused unchecked while locked ({math.ceil(wait)} s left){why}"
                    self._audit(known, client, detail, asked_by)
                raise SignInRefused("locked", locked_detail(wait), wait)
            entry = self._people.get(staff_id) if isinstance(staff_id, int) else None
            valid = isinstance(pin, str)
            if valid:
                try:
                    check_pin(pin)
                except Exception:
                    valid = False
            if entry is None or not valid or not verify_pin(pin, entry[1]):
                self._mistake(known, client, "wrong PIN", why=why, asked_by=asked_by)
            staff = entry[0]
            if manager and staff.role != MANAGER:
                self._audit(known, client, f"not a manager{why}", asked_by)
                raise SignInRefused(
                    "not_manager", f"{staff.name} is not a manager / не управляющий"
                )
            self.lockout.succeeded(staff_id, client)
            return staff

    def _mistake(
        self,
        staff_id: int | None,
        client: str,
        what: str,
        reason: str = "wrong_pin",
        why: str = "",
        asked_by: Staff | None = None,
    ):
        lock = self.lockout.failed(staff_id, client, self.clock())
        detail = f"{what}; locked for {lock:.0f} s" if lock else what
        log.warning("sign-in refused: %s (account %s, from %s)", detail, staff_id, client)
        self._audit(staff_id, client, detail + why, asked_by)
        if lock:
            raise SignInRefused("locked", locked_detail(lock), lock)
        if reason == "bad_code":
            raise SignInRefused(
                reason,
                "wrong one-time code: see the gateway's log"
                " / неверный одноразовый код: возьмите его из журнала шлюза",
            )
        raise SignInRefused("wrong_pin", "wrong PIN / неверный PIN")

    def _audit(self, staff_id: int | None, client: str, detail: str, asked_by: Staff | None):
        """A refused PIN in «Журнал»: whose PIN (`staff_id`), from where, and, for a manager's
        approval, whose action it was to allow (`asked_by`)."""
        self.writer.call(
            service.pin_refused, staff_id, client=client, detail=detail, asked_by=asked_by
        )

    def setup(self, code: object, name: object, pin: object, client: str):
        """The first manager, made on the setup screen with the code from the log."""
        pin = check_pin(pin)
        with self._pin_lock:
            wait = self.lockout.wait("setup", client, self.clock())
            if wait > 0:
                raise SignInRefused("locked", locked_detail(wait), wait)
            if not self.setup_open():
                raise SignInRefused("setup_done", "a manager exists: sign in / войдите по PIN")
            if not isinstance(code, str) or not hmac.compare_digest(
                code.strip().encode(), self.setup_code.encode()
            ):
                self._mistake(None, client, "wrong setup code", reason="bad_code")
            made = self.writer.call(service.add_first_manager, name, hash_pin(pin))
            self.setup_code = None
        self._refresh()
        return self._new_session(Staff(made["id"], made["name"], MANAGER), client)

    def _new_session(self, staff: Staff, client: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(
            _digest(token), staff, secrets.token_urlsafe(24), self._day_end(), self.clock()
        )
        expires = _iso(session.expires_at)
        self.writer.call(service.signed_in, staff, session.id, session.csrf, expires, client=client)
        with self._lock:
            self._sessions[session.id] = session
        log.info("%s signed in from %s", staff.name, client)
        return token, session

    def end(self, session: Session, why: str, client: str | None = None) -> None:
        """Sign out, «Сменить кассира» (lock), idle, expired."""
        self._end(session, why, client, wait=True)

    def _end(self, session: Session, why: str, client: str | None = None, wait=False) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)
        future = self.writer.submit(service.signed_out, session.id, why, client=client)
        if wait:
            future.result()

    def _day_end(self) -> float:
        now = datetime.fromtimestamp(self.wall()).astimezone()
        hour, minute = self.web.day_end
        end = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if end <= now:
            end += timedelta(days=1)
        return end.timestamp()

    # --- the cache -------------------------------------------------------------------------
    def _refresh(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if self._versions is not None and self._versions[0] == data_version:
                return
            staff_version = read_counter(self._conn, STAFF_VERSION)
            if self._versions is None or self._versions[1] != staff_version:
                self._load()
            self._versions = (data_version, staff_version)

    def _load(self) -> None:
        people, tokens = {}, {}
        for row in self._conn.execute(
            "SELECT id, kind, name, role, inn, secret_hash FROM staff WHERE active = 1"
        ):
            staff = Staff(row["id"], row["name"], row["role"], row["inn"])
            if row["kind"] == "person":
                people[row["id"]] = (staff, row["secret_hash"])
            else:
                tokens[row["secret_hash"]] = staff
        live = {}
        # Expired a little while ago: still known, so the tablet hears "the day is over".
        since = _iso(self.wall() - KEEP_EXPIRED_S)
        for row in self._conn.execute(
            "SELECT id, staff_id, csrf, expires_at FROM staff_session"
            " WHERE ended_at IS NULL AND expires_at > ?",
            (since,),
        ):
            if row["staff_id"] not in people:
                continue  # disabled: its sessions are dead whatever the row says
            known = self._sessions.get(row["id"])
            live[row["id"]] = Session(
                row["id"],
                people[row["staff_id"]][0],
                row["csrf"],
                _epoch(row["expires_at"]),
                known.last_active if known else self.clock(),
            )
        self._people, self._tokens, self._sessions = people, tokens, live


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(epoch: float) -> str:
    return format_stamp(datetime.fromtimestamp(epoch, UTC))


def _epoch(text: str) -> float:
    return parse_stamp(text).timestamp()
