"""Words on the staff screens that said the wrong thing: the PIN lock's wait in Russian («1 мин.»
for a 30 s lock), and the cloud link's English detail («new session») under «✓ на связи» on the
Russian «Устройства и связь»."""

import re

import pytest

from gateway.adapters.lock_words import locked_detail, wait_en, wait_ru
from gateway.adapters.mqtt.client import connect_failure
from gateway.web.app import page_view
from gateway.web.frame import frame, templates
from gateway.web.link_words import link_detail


@pytest.mark.parametrize(
    ("seconds", "ru", "en"),
    [
        (30, "30 секунд", "30 seconds"),
        (29.2, "30 секунд", "30 seconds"),  # rounded up: waiting what it says is enough
        (1, "1 секунду", "1 second"),
        (0.3, "1 секунду", "1 second"),
        (2, "2 секунды", "2 seconds"),
        (21, "21 секунду", "21 seconds"),
        (44, "44 секунды", "44 seconds"),
        (59.5, "1 минуту", "1 minute"),
        (60, "1 минуту", "1 minute"),
        (90, "1 минуту 30 секунд", "1 minute 30 seconds"),
        (120, "2 минуты", "2 minutes"),
        (300, "5 минут", "5 minutes"),
        (11 * 60, "11 минут", "11 minutes"),
        (3600, "1 час", "1 hour"),
        (7322, "2 часа 2 минуты 2 секунды", "2 hours 2 minutes 2 seconds"),
    ],
)
def test_the_lock_says_how_long_in_both_languages_alike(seconds, ru, en):
    assert wait_ru(seconds) == ru
    assert wait_en(seconds) == en
    english, russian = locked_detail(seconds).split(" / ")
    assert english == f"too many wrong PINs: try again in {en}"
    assert russian == f"слишком много ошибок: попробуйте через {ru}"


# What link.py and client.connect_failure put into `detail`, made as they make it.
LINK_DETAILS = [
    "new session",
    "session resumed",
    "broker refused the connection: Not authorized",
    "the database did not answer (database is locked); retrying",
    "the broker refused our subscription: [UnspecifiedError]",
    "disconnected: Unspecified error",
    "cloud messages wait: the database refused them (disk I/O error)",
    "broker refuses to take messages: Quota exceeded",
    connect_failure(ConnectionRefusedError(111, "Connection refused")),
    connect_failure(None),
    "TLS with the broker failed (WRONG_VERSION_NUMBER); the shop works on, retrying",
    "the broker's TLS certificate does not verify (Hostname mismatch): check [mqtt] ca and the"
    " host name in [mqtt] url; the shop works on, retrying",
]


@pytest.mark.parametrize("detail", LINK_DETAILS)
def test_every_detail_of_the_cloud_link_has_russian_words(detail):
    shown = link_detail(detail, en=False)
    assert shown["text"] and not shown["text"].startswith("подробности")
    assert not any(word in shown["text"] for word in ("session", "broker", "database", "retry"))
    assert shown["original"] == detail  # the installer's words stay, as a tooltip
    english = link_detail(detail, en=True)["text"]
    assert english and not re.search("[а-яё]", english, re.I)  # no Russian on the English page


def test_an_unknown_detail_is_introduced_not_shown_raw_and_an_empty_one_is_nothing():
    assert link_detail("something new", en=False) == {
        "text": "подробности для специалиста: something new",
        "original": "",
    }
    assert link_detail("something new", en=True)["text"] == "something new"
    assert link_detail("", en=False) == {"text": "", "original": ""}


def devices_page(detail: str, lang: str) -> str:
    status = {
        "ok": True,
        "store_id": "shop-1",
        "mqtt": {"url": "mqtts://cloud.example:8883", "state": "connected", "detail": detail},
        "devices": {},
    }
    view = page_view(status, lang) | {"frame": frame(status, lang, "/devices")}
    return templates().get_template("status.html").render(view)


def test_the_russian_devices_page_shows_the_link_in_russian():
    page = devices_page("new session", "ru")
    assert "на связи" in page
    assert ">новый сеанс связи</p>" in page
    assert ">new session<" not in page  # only in the tooltip
    english = devices_page("session resumed", "en")
    assert ">session resumed</p>" in english
