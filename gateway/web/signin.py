"""Signing in on a shared tablet: the sign-in screen (a name, then the PIN on big digit
buttons), the first-run setup screen, and their JSON calls. The same PIN pad locks any page
(«Сменить кассира», idle) and asks a manager's PIN for an override (static/signin.js).

Public: GET /signin, /setup, /api/signin (the names on the screen) and POST /api/signin,
/api/setup. Everything else here needs the session it ends or shows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment

from gateway.adapters.auth import Session, SignInRefused
from gateway.domain.errors import DomainError
from gateway.domain.staff import MANAGER, ROLE_WORDS, Staff

from .auth import COOKIE, client, signed_in
from .frame import language

NO_CACHE = {"Cache-Control": "no-store"}
SIGNIN_TEXTS = {
    "ru": {
        "title": "Вход",
        "who": "Кто вы?",
        "pin": "Введите PIN",
        "erase": "Стереть",
        "back": "Другой сотрудник",
        "enter": "Войти",
        "no_staff": "Сотрудников пока нет. Управляющий добавит их на экране «Сотрудники».",
        "other_lang": "English",
    },
    "en": {
        "title": "Sign in",
        "who": "Who are you?",
        "pin": "Enter your PIN",
        "erase": "Clear",
        "back": "Someone else",
        "enter": "Sign in",
        "no_staff": "No staff yet. A manager adds them on the «Staff» screen.",
        "other_lang": "Русский",
    },
}
SETUP_TEXTS = {
    "ru": {
        "title": "Первый запуск",
        "intro": "В магазине ещё нет управляющего. Создайте его одним из двух способов.",
        "terminal": "На самом шлюзе (по SSH или с клавиатуры) выполните:",
        "here": "Или здесь, с одноразовым кодом из журнала шлюза (journalctl -u storegw):",
        "code": "Одноразовый код",
        "name": "Имя управляющего",
        "pin": "PIN (4–8 цифр)",
        "pin2": "PIN ещё раз",
        "create": "Создать и войти",
        "mismatch": "PIN не совпадает. Введите его ещё раз.",
        "other_lang": "English",
    },
    "en": {
        "title": "First run",
        "intro": "The shop has no manager yet. Create one in either of two ways.",
        "terminal": "On the gateway itself (over SSH or at its keyboard) run:",
        "here": "Or here, with the one-time code from the gateway's log (journalctl -u storegw):",
        "code": "One-time code",
        "name": "Manager's name",
        "pin": "PIN (4–8 digits)",
        "pin2": "PIN again",
        "create": "Create and sign in",
        "mismatch": "The PINs differ. Enter it again.",
        "other_lang": "Русский",
    },
}
JsonBody = Annotated[dict[str, Any], Body()]


def add_signin(app: FastAPI, auth, env: Environment, *, secure: bool) -> None:
    def needs_setup() -> bool:
        return auth is None or auth.setup_open()

    @app.get("/signin", response_class=HTMLResponse)
    def signin_page(lang: str = "ru", next: str = "/") -> HTMLResponse:
        if needs_setup():
            return RedirectResponse(f"/setup?lang={language(lang)}", 303)
        lang = language(lang)
        view = {
            "lang": lang,
            "t": SIGNIN_TEXTS[lang],
            "people": people(auth, lang),
            "next": next if next.startswith("/") and not next.startswith("//") else "/",
            "other_lang": "en" if lang == "ru" else "ru",
        }
        return HTMLResponse(env.get_template("signin.html").render(view), headers=NO_CACHE)

    @app.get("/setup", response_class=HTMLResponse)
    def setup_page(lang: str = "ru") -> HTMLResponse:
        if not needs_setup():
            return RedirectResponse(f"/signin?lang={language(lang)}", 303)
        lang = language(lang)
        view = {"lang": lang, "t": SETUP_TEXTS[lang], "other_lang": "en" if lang == "ru" else "ru"}
        return HTMLResponse(env.get_template("setup.html").render(view), headers=NO_CACHE)

    @app.get("/api/signin")
    def who_may_sign_in(lang: str = "ru") -> list[dict]:
        return people(auth, language(lang)) if auth else []

    @app.post("/api/signin")
    def sign_in(request: Request, body: JsonBody) -> JSONResponse:
        if auth is None:
            return refused(SignInRefused("setup_done", "nobody can sign in here"))
        try:
            token, session = auth.sign_in(body.get("staff_id"), body.get("pin"), client(request))
        except SignInRefused as exc:
            return refused(exc)
        return started(token, session, auth, secure)

    @app.post("/api/setup")
    def setup(request: Request, body: JsonBody) -> JSONResponse:
        if auth is None:
            return refused(SignInRefused("setup_done", "nobody can sign in here"))
        try:
            token, session = auth.setup(
                body.get("code"), body.get("name"), body.get("pin"), client(request)
            )
        except SignInRefused as exc:
            return refused(exc)
        except DomainError as exc:
            return JSONResponse({"error": exc.reason, "detail": exc.detail}, 422)
        return started(token, session, auth, secure)

    @app.get("/api/me")
    def me(request: Request, staff: Annotated[Staff, Depends(signed_in)]) -> dict:
        """Who is signed in; pages call it now and then with their idle time. `idle`: the
        seconds since the last touch the gateway knows of (a page just loaded starts its idle
        clock there, not at zero: a reload is nobody's touch); not for an API token."""
        answer = {"id": staff.id, "name": staff.name, "role": staff.role}
        session = getattr(request.state, "session", None)
        if session is not None:
            answer["idle"] = round(auth.idle(session))
        return answer

    @app.post("/api/lock")
    def lock(request: Request) -> JSONResponse:
        """«Сменить кассира»: this session ends, the page stays for the next person."""
        return ended(request, auth, "lock")

    @app.post("/api/signout")
    def sign_out(request: Request) -> JSONResponse:
        return ended(request, auth, "sign_out")


def who(request: Request, auth, lang: str) -> dict[str, Any]:
    """The frame's signed-in values (web/frame.py): the person, the page's CSRF token, the
    idle lock, and the names on the lock screen and on the manager's-PIN dialog."""
    staff: Staff = request.state.staff
    session = request.state.session if hasattr(request.state, "session") else None
    everyone = people(auth, lang)
    return {
        "staff": {
            "name": staff.name,
            "role": staff.role,
            "role_word": ROLE_WORDS.get(staff.role, ("", ""))[1 if lang == "en" else 0],
        },
        "csrf": session.csrf if session else "",
        "idle_lock": auth.web.idle_lock_minutes,
        "people": everyone,
        "managers": [person for person in everyone if person["role"] == MANAGER],
    }


def people(auth, lang: str) -> list[dict]:
    en = lang == "en"
    return [
        {**person, "role_word": ROLE_WORDS[person["role"]][1 if en else 0]}
        for person in auth.people()
    ]


def started(token: str, session: Session, auth, secure: bool) -> JSONResponse:
    staff = session.staff
    answer = JSONResponse(
        {
            "staff": {"id": staff.id, "name": staff.name, "role": staff.role},
            "csrf": session.csrf,
            "idle_lock": auth.web.idle_lock_minutes,
        },
        headers=NO_CACHE,
    )
    answer.set_cookie(
        COOKIE,
        token,
        max_age=max(60, int(session.expires_at - auth.wall())),
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return answer


def refused(exc: SignInRefused) -> JSONResponse:
    status = 429 if exc.reason == "locked" else 409 if exc.reason == "setup_done" else 401
    headers = {"Retry-After": str(int(exc.wait) + 1)} if exc.wait else {}
    body = {"error": exc.reason, "detail": exc.detail, "wait": round(exc.wait)}
    return JSONResponse(body, status, headers=headers | NO_CACHE)


def ended(request: Request, auth, why: str) -> JSONResponse:
    session = request.state.session if hasattr(request.state, "session") else None
    if session is not None:
        auth.end(session, why, client(request))
    answer = JSONResponse({"ended": why}, headers=NO_CACHE)
    answer.delete_cookie(COOKIE, path="/")
    return answer
