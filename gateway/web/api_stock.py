"""The JSON API of «Остатки»: find goods by name, article, sku or barcode; one sku's card with its
movement history; a manager's stock correction with a reason; the sku's low-stock threshold.

Reads go to a read connection (`stock_queries.py`); the two writes run a service through the
single writer, which checks the person's role (a cashier gets `needs_manager`, and the page
asks for a manager's PIN)."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.adapters.sqlite.stock_queries import search_stock, sku_card
from gateway.domain.errors import NotFound
from gateway.services.stock import correct_stock, set_min_stock

from .api import Actions, JsonBody, Who


def default_min(actions: Actions) -> int:
    """The configured threshold of skus without their own (`[stock] default_min`)."""
    config = getattr(actions, "config", None)
    return config.desk.default_min_stock if config is not None else 0


def add_stock_api(app: FastAPI, actions: Actions) -> None:
    @app.get("/api/stock")
    def search(q: str = "", limit: int = 50) -> dict:
        return actions.read(search_stock, q, limit, default_min=default_min(actions))

    @app.get("/api/stock/{sku}")
    def card(sku: str, history: int = 50) -> dict:
        found = actions.read(sku_card, sku, default_min=default_min(actions), history=history)
        if found is None:
            raise NotFound(f"неизвестный товар {sku} / unknown sku {sku}")
        return found

    @app.post("/api/stock/{sku}/correct")
    def correct(sku: str, body: JsonBody, by: Who) -> dict:
        return actions.run(
            correct_stock,
            sku,
            on_hand=body.get("on_hand"),
            delta=body.get("delta"),
            reason=str(body.get("reason") or ""),
            note=body.get("note") or "",
            by=by,
            idem_key=body.get("idem_key"),
        )

    @app.post("/api/stock/{sku}/min")
    def threshold(sku: str, body: JsonBody, by: Who) -> dict:
        return actions.run(set_min_stock, sku, body.get("min_stock"), by=by)
