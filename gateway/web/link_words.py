"""The cloud link's detail line (`mqtt.detail` of the status: what gateway/adapters/mqtt/link.py
and mqtt/client.py `connect_failure` say, in English, for the log and an installer) in the words
of the page, for «Устройства и связь».

Keyed by the link's own phrases; the technical tail (a reason code, an exception's text) stays
out of the Russian sentence -- the page keeps the original in a tooltip for whoever sets the box
up. A phrase not known here is not shown raw on a Russian screen: it is introduced as details
for the specialist."""

from __future__ import annotations

import re

# (the link's phrase as a pattern, Russian, English): whole-text matches, tried in order.
LINK_DETAILS: tuple[tuple[str, str, str], ...] = (
    ("new session", "новый сеанс связи", "new session"),
    ("session resumed", "сеанс связи продолжен", "session resumed"),
    (
        r"broker refused the connection: .*",
        "сервер облака отказал в подключении: проверьте настройки связи [mqtt] (адрес, логин,"
        " пароль)",
        "the broker refused the connection: check the [mqtt] settings (address, login, password)",
    ),
    (
        r"the database did not answer \(.*\); retrying",
        "база данных шлюза не ответила — повторяем попытку",
        "the gateway's database did not answer — retrying",
    ),
    (
        r"the broker refused our subscription: .*",
        "сервер облака не дал подписаться на сообщения: заказы и каталог из облака не приходят",
        "the broker refused our subscription: orders and the catalog from the cloud do not arrive",
    ),
    (
        r"disconnected: .*",
        "связь прервалась — подключаемся снова",
        "disconnected — connecting again",
    ),
    (
        r"cloud messages wait: the database refused them \(.*\)",
        "сообщения из облака ждут: база данных шлюза их не приняла",
        "cloud messages wait: the gateway's database refused them",
    ),
    (
        r"broker refuses to take messages: .*",
        "сервер облака не принимает сообщения шлюза: они ждут отправки",
        "the broker refuses to take messages: they wait to be sent",
    ),
    (
        r"the broker's TLS certificate does not verify .*",
        "сертификат сервера облака не прошёл проверку: проверьте [mqtt] ca и имя сервера в"
        " [mqtt] url. Магазин работает, повторяем попытку",
        "the broker's TLS certificate does not verify: check [mqtt] ca and the host name in"
        " [mqtt] url. The shop works on, retrying",
    ),
    (
        r"TLS with the broker failed .*",
        "не удалось установить защищённое соединение с сервером облака. Магазин работает,"
        " повторяем попытку",
        "TLS with the broker failed. The shop works on, retrying",
    ),
    (
        r"cannot reach the broker.*",
        "сервер облака недоступен. Магазин работает, повторяем попытку",
        "cannot reach the broker. The shop works on, retrying",
    ),
)
UNKNOWN = ("подробности для специалиста: {detail}", "{detail}")
_COMPILED = tuple((re.compile(pattern, re.S), ru, en) for pattern, ru, en in LINK_DETAILS)


def link_detail(detail: str, en: bool) -> dict[str, str]:
    """{"text": the line to show, "original": the link's own words (a tooltip; "" when the text
    is the original)}; an empty detail gives an empty text."""
    detail = (detail or "").strip()
    if not detail:
        return {"text": "", "original": ""}
    for pattern, ru, english in _COMPILED:
        if pattern.fullmatch(detail):
            text = english if en else ru
            return {"text": text, "original": "" if text == detail else detail}
    text = UNKNOWN[1 if en else 0].format(detail=detail)
    return {"text": text, "original": ""}
