"""`/healthz` for machines (public, over HTTP) and `/devices` the status page for people: behind
the sign-in (`/` is the order board), so its content is checked by rendering it as the route does
(`page_view`, the frame of a signed-in page, the template); the signed-in route itself is
exercised in test_fiscal_api."""

import copy
import re

import pytest
from fastapi.testclient import TestClient

from gateway.web import create_app
from gateway.web.app import page_view
from gateway.web.frame import frame, language, status_bar, templates

HEALTHY = {
    "ok": True,
    "store_id": "shop-001",
    "version": "0.1.0",
    "database": "var/gateway.db",
    "catalog": {"products": 3, "skus": 7},
    "orders": {
        "reserved": 2,
        "short": 1,
        "confirmed": 0,
        "partially_shipped": 0,
        "shipped": 5,
        "cancelled": 1,
    },
    "needs_attention": 0,
    "outbox": {"head_seq": 120, "backlog": 120},
    "invariants": {"ok": True, "problems": []},
    "mqtt": {
        "url": "mqtt://127.0.0.1:1883",
        "state": "not_connected",
        "detail": "cloud sync is not part of this build yet",
    },
    "devices": {
        "fiscal": "not_configured",
        "printer": "not_configured",
        "scanner": "not_configured",
        "gpio": "not_configured",
    },
}


def status_with(**changes) -> dict:
    status = copy.deepcopy(HEALTHY)
    status.update(changes)
    return status


def client_for(status: dict) -> TestClient:
    return TestClient(create_app(lambda: status))


def status_page(status: dict, lang: str = "ru") -> str:
    """The page `/devices` shows a signed-in person (the route: page_view, the frame, the
    template)."""
    lang = language(lang)
    view = page_view(status, lang) | {"frame": frame(status, lang, "/devices")}
    return templates().get_template("status.html").render(view)


def test_healthz_is_200_with_the_status_when_ok():
    response = client_for(HEALTHY).get("/healthz")

    assert response.status_code == 200
    assert response.json() == HEALTHY
    assert response.headers["cache-control"] == "no-store"


def test_healthz_is_503_when_not_ok():
    status = status_with(ok=False, invariants={"ok": False, "problems": ["reserved > on_hand"]})
    response = client_for(status).get("/healthz")

    assert response.status_code == 503
    assert response.json() == status


def test_healthz_reads_the_status_on_every_request():
    states = iter([HEALTHY, status_with(ok=False)])
    client = TestClient(create_app(lambda: next(states)))

    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 503


def test_the_status_page_is_behind_the_sign_in_and_healthz_is_not():
    client = client_for(HEALTHY)
    signed_out = client.get("/devices?lang=en", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/signin?next=/devices")
    assert client.get("/healthz").status_code == 200


def test_status_page_is_russian_by_default():
    page = status_page(HEALTHY)

    assert '<html lang="ru">' in page
    for text in [
        "Шлюз магазина shop-001",
        "всё в порядке",
        "0.1.0",
        "var/gateway.db",
        "Товаров",
        "Модификаций",
        "в резерве",
        "не хватает",
        "отгружен",
        "отменён",
        "Требуют внимания",
        "Последнее сообщение №",
        "ждут отправки",
        "mqtt://127.0.0.1:1883",
        "не подключено",
        "cloud sync is not part of this build yet",
        "Фискальный регистратор",
        "Принтер чеков",
        "Сканер штрихкодов",
        "не настроено",
    ]:
        assert text in page, text
    # No framework, nothing from the internet: the scripts are the gateway's own few lines.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/devices.js" defer>',  # the page's refresh and device tests
        '<script src="/static/app.js" defer>',
        '<script src="/static/signin.js" defer>',
        '<script src="/static/nav.js" defer>',
        '<script type="application/json" id="device-test-texts">',  # words, not code
    ]


def test_status_page_in_english():
    page = status_page(HEALTHY, "en")

    assert '<html lang="en">' in page
    for text in [
        "Store gateway shop-001",
        "all good",
        "Products",
        "reserved",
        "short",
        "partly shipped",
        "Need attention",
        "waiting to be sent",
        "not connected",
        "Receipt printer",
        "not configured",
        'href="?lang=ru"',
    ]:
        assert text in page, text
    assert "в резерве" not in page


def test_unknown_language_falls_back_to_russian():
    assert '<html lang="ru">' in status_page(HEALTHY, "xx")


@pytest.mark.parametrize(
    ("state", "tone", "word"),
    [
        ("ok", "ok", "работает"),
        ("connecting", "wait", "подключается"),
        ("offline", "bad", "нет связи"),
        ("paper_out", "bad", "нет бумаги"),
        ("not_configured", "off", "не настроено"),
        ("jammed", "bad", "jammed"),  # an unknown state is shown as it is, as a problem
    ],
)
def test_each_device_state_has_a_colour_and_a_word(state, tone, word):
    page = status_page(status_with(devices={"printer": state}))
    assert f'<span class="badge {tone}">{word}</span>' in page


def test_problems_are_listed_and_escaped():
    status = status_with(
        ok=False,
        store_id="<b>shop</b>",
        invariants={
            "ok": False,
            "problems": ["sku TS-01: reserved 3 > on_hand 2", "<script>alert('x')</script>"],
        },
    )
    page = status_page(status)

    assert "есть проблемы" in page
    assert '<span class="badge bad">нарушения</span>' in page
    assert "<li>sku TS-01: reserved 3 &gt; on_hand 2</li>" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "<b>shop</b>" not in page and "&lt;b&gt;shop&lt;/b&gt;" in page


def test_orders_needing_attention_are_highlighted():
    page = status_page(status_with(needs_attention=2))
    assert 'Требуют внимания: <span class="badge wait">2</span>' in page


def test_empty_status_still_renders():
    page = status_page({"ok": False})
    assert "Заказов пока нет" in page


def test_the_bar_is_asked_again_behind_the_sign_in():
    """static/nav.js keeps an open page's bar fresh from /api/bar; a stranger gets nothing."""
    response = client_for(HEALTHY).get("/api/bar", headers={"X-Storegw-Background": "1"})
    assert response.status_code == 401


def test_the_bar_says_the_devices_as_the_page_draws_them():
    status = status_with(
        devices={"fiscal": "ok", "printer": "offline", "scanner": "not_configured"},
        printer={"state": "offline", "queued": 2},
    )
    assert status_bar(status, "ru") == [
        {"name": "Облако", "short": "Облако", "tone": "wait", "word": "не подключено · 120"},
        {"name": "Фискальный регистратор", "short": "Касса", "tone": "ok", "word": "работает"},
        {"name": "Принтер чеков", "short": "Принтер", "tone": "bad",
         "word": "нет связи · ждут печати: 2"},
    ]  # fmt: skip
    assert status_bar(status, "en")[2]["word"] == "offline · 2 waiting to print"
    assert frame(status, "ru", "/orders/W-1")["bar"] == status_bar(status, "ru")


def test_every_page_but_the_devices_page_asks_for_the_bar_again():
    """«Устройства и связь» reloads itself every 10 s: asking for the bar too would double it."""
    assert frame(HEALTHY, "ru", "/orders")["bar_every"] > 0
    assert frame(HEALTHY, "ru", "/devices")["bar_every"] == 0
    assert 'id="bar" data-every="0"' in status_page(HEALTHY)
