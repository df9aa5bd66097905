"""The staff web UI (FastAPI, server-rendered Jinja2); `create_app(status)` builds it."""

from gateway.web.app import create_app

__all__ = ["create_app"]
