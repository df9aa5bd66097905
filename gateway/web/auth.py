"""The closed door: every request but the deliberately public ones needs a signed-in person
(session cookie) or an API token (`Authorization: Bearer ...`), checked here before routing --
so a new route is closed without anyone remembering, and a stranger's request is refused before
its body is read (never a 422 that tells the shape of a request).

A state-changing request on a session also needs the session's CSRF token (header
`X-CSRF-Token`, from the page's meta tag) and, when the browser names one, our own Origin.
The idle lock counts a person's touches only: a page reports how long ago it was last
touched (`X-Storegw-Idle`); a page load or a refresh marked `X-Storegw-Background` proves
nothing. A manager's override (`X-Storegw-Override: <staff id>:<PIN>`) lends a manager's
permission to this one request; the service records both names.

Handlers get the person with `Depends(signed_in)` -- never from the request body."""

from __future__ import annotations

import hmac
import json
from urllib.parse import quote, urlsplit

import anyio
from fastapi import Request
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from gateway.adapters.auth import SignInRefused
from gateway.domain.staff import Staff

COOKIE = "storegw_session"
# /metrics checks its own bearer token ([metrics] token), and exists only when configured.
PUBLIC_PATHS = frozenset({"/healthz", "/metrics", "/signin", "/setup", "/api/signin", "/api/setup"})
PUBLIC_PREFIXES = ("/static/",)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSALS = {
    "signed_out": "sign in first / войдите по PIN",
    "expired": "the working day is over: sign in again / рабочий день закончился, войдите снова",
    "locked": "the tablet was locked: sign in again / планшет заблокирован, войдите снова",
    "bad_token": "unknown or revoked API token / неизвестный или отозванный токен",
}


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class SignInRequired:
    """Pure ASGI middleware (cheap: no per-request task, unlike BaseHTTPMiddleware)."""

    def __init__(self, app, auth):
        self.app = app
        self.auth = auth  # gateway.adapters.auth.Auth, or None: nobody can sign in

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        method, path = scope["method"], scope["path"]
        state = scope.setdefault("state", {})
        if is_public(path):
            if method not in SAFE_METHODS and not same_origin(scope, headers):
                return await refuse(send, 403, "foreign_origin", "request from another site")
            return await self.app(scope, receive, send)
        staff, why = await self._who(scope, headers, state)
        if staff is None:
            if path.startswith("/api/") or method not in SAFE_METHODS:
                return await refuse(send, 401, why, REFUSALS[why])
            query = scope["query_string"].decode()
            target = quote(path + ("?" + query if query else ""))
            return await redirect(send, f"/signin?next={target}")
        session = state.get("session")
        if method not in SAFE_METHODS and session is not None:
            token = headers.get("x-csrf-token", "")
            if not hmac.compare_digest(token.encode(), session.csrf.encode()):
                return await refuse(send, 403, "csrf", "stale page: reload it / обновите страницу")
            if not same_origin(scope, headers):
                return await refuse(send, 403, "foreign_origin", "request from another site")
        override = headers.get("x-storegw-override")
        if override:
            action = f"{method} {path}"
            manager, why = await self._override(override, client(scope), staff, action)
            if manager is None:
                return await refuse(send, 403, why.reason, why.detail, wait=why.wait)
            staff = staff.approved(manager)
        state["staff"] = staff
        return await self.app(scope, receive, send)

    async def _who(self, scope, headers: Headers, state: dict) -> tuple[Staff | None, str]:
        if self.auth is None:
            return None, "signed_out"
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            staff = self.auth.token_staff(bearer[7:].strip())
            return (staff, "") if staff else (None, "bad_token")
        token = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        session, why = self.auth.session(token, _idle(headers))
        if session is None:
            return None, why
        state["session"] = session
        return session.staff, ""

    async def _override(self, value: str, address: str, asker: Staff, action: str):
        """The manager whose PIN this is, or None and the refusal (audited: whose action)."""
        text_id, _, pin = value.partition(":")
        staff_id = int(text_id) if text_id.isdigit() else None
        try:
            manager = await anyio.to_thread.run_sync(
                lambda: self.auth.check_pin(
                    staff_id, pin, address, manager=True, asked_by=asker, action=action
                )
            )
        except SignInRefused as exc:
            return None, exc
        return manager, None


def signed_in(request: Request) -> Staff:
    """The FastAPI dependency of every action: who is doing it (the middleware proved it)."""
    staff = request.state.staff if hasattr(request.state, "staff") else None
    if staff is None:  # a public route asked: a bug, refused rather than guessed
        raise PermissionError("no signed-in staff member on a public route")
    return staff


def client(scope) -> str:
    peer = scope.get("client")
    return peer[0] if peer else "unknown"


def same_origin(scope, headers: Headers) -> bool:
    """A browser names the page a request comes from; another site's page is refused. No
    Origin and no Referer (a script, curl): the CSRF token alone decides."""
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    parts = urlsplit(source)
    scheme = "https" if scope.get("scheme") == "https" else "http"
    return parts.scheme == scheme and parts.netloc == headers.get("host", "")


def _idle(headers: Headers) -> float | None:
    """How long ago a person last touched the tablet, as the page says (`X-Storegw-Idle`).
    A page's own automatic refresh says `X-Storegw-Background: 1`: whatever else it carries,
    it is nobody's touch and never keeps a session alive (the idle lock still applies)."""
    if headers.get("x-storegw-background"):
        return None
    value = headers.get("x-storegw-idle")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def refuse(send, status: int, reason: str, detail: str, **extra) -> None:
    body = json.dumps({"error": reason, "detail": detail, **extra}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def redirect(send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
