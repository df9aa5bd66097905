"""The staff screens (UI.md): each is a server-rendered page in the shared frame (navigation,
status bar, staff name, message line). A page module lists its pages as `Page`s; the page's own
script calls the JSON API (`api.py`, `api_goods.py`) and says what happened in the message line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from .frame import frame, language
from .signin import who

NO_CACHE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title_ru: str
    title_en: str
    # Extra template values from the gateway's status (and the language); optional.
    context: Callable[[dict[str, Any], str], dict[str, Any]] | None = None


def page_modules() -> list:
    from . import pages_goods, pages_orders, pages_register, pages_staff, pages_stock  # noqa: PLC0415 (each module owns its screens)

    return [pages_orders, pages_register, pages_goods, pages_staff, pages_stock]


def add_pages(app: FastAPI, status: Callable[[], dict], env: Environment, auth) -> None:
    for module in page_modules():
        for page in module.PAGES:
            _route(app, page, status, env, auth)


def _route(app: FastAPI, page: Page, status: Callable[[], dict], env: Environment, auth) -> None:
    def show(request: Request, lang: str = "ru") -> HTMLResponse:
        lang = language(lang)
        data = status()
        values = {
            "lang": lang,
            "title": page.title_en if lang == "en" else page.title_ru,
            "frame": frame(data, lang, page.path, who(request, auth, lang)),
            **(page.context(data, lang) if page.context else {}),
        }
        return HTMLResponse(env.get_template(page.template).render(values), headers=NO_CACHE)

    app.get(page.path, response_class=HTMLResponse, name=page.template)(show)
