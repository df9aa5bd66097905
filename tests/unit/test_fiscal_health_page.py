"""The fiscal drive's health on the devices page (the register box) and on «Сводка»: the OFD
queue, the drive's end of life and the alarms first, in Russian or English, with a tone and a
word (never colour alone)."""

from dataclasses import replace

from gateway.domain.fiscal_health import WARN_ARCHIVE_90, DriveHealth, describe
from gateway.web.app import page_view
from gateway.web.frame import frame, language, templates
from gateway.web.pages_summary import fiscal_view
from gateway.web.summary_words import TEXTS

STUCK = DriveHealth(
    fn="7380440700000001",
    unsent=4,
    first_unsent_fd=12,
    first_unsent_at="2026-03-01T10:00",
    transport_up=False,
    warnings=0,
    expires="2026-03-21",
    checked_at="2026-03-08T11:30",
)


def status(health: dict | None) -> dict:
    return {
        "ok": True,
        "store_id": "shop-001",
        "fiscal": {
            "receipts": {"queued": 0},
            "shift": {"number": None},
            "health": health,
            "device": {"state": "ok", "detail": "", "health": health},
        },
        "devices": {"fiscal": "ok"},
    }


def devices_page(data: dict, lang: str = "ru") -> str:
    lang = language(lang)
    view = page_view(data, lang) | {"frame": frame(data, lang, "/devices")}
    return templates().get_template("status.html").render(view)


def test_the_register_box_shows_the_queue_the_drive_and_the_alarms_first():
    page = devices_page(status({**describe(STUCK), "supported": True, "error": None}))
    assert "Неотправленных в ОФД: 4, старейший от 01.03 (7 дн.)" in page
    assert "ФН до 21.03.2026 (осталось 13 дн.)" in page
    assert "Проверено 08.03 11:30 по часам кассы" in page
    queue = page.index('data-alarm="ofd_queue"')
    expiry = page.index('data-alarm="fn_expiry"')
    assert queue < expiry < page.index("Неотправленных в ОФД")  # the urgent one first
    assert '<span class="badge bad">Срочно</span> <strong>Чеки не уходят в ОФД 7 дней' in page
    assert '<span class="badge wait">Внимание</span> <strong>Срок ФН истекает 21.03.2026' in page


def test_the_register_box_in_english():
    health = {**describe(replace(STUCK, warnings=WARN_ARCHIVE_90)), "supported": True}
    page = devices_page(status(health), "en")
    assert "Not sent to the OFD: 4, the oldest from 01/03 (7 d)" in page
    assert "Fiscal drive valid until 21/03/2026 (13 d left)" in page
    assert "Receipts have not reached the OFD for 7 days" in page
    assert "archive is 90 % full" in page
    assert "Чеки не уходят" not in page


def test_a_quiet_drive_an_unsupported_model_and_a_failed_reading():
    quiet = replace(STUCK, unsent=0, first_unsent_at=None, expires="2027-12-01")
    page = devices_page(status({**describe(quiet), "supported": True}))
    assert "Все чеки переданы в ОФД" in page and "ФН до 01.12.2027<" in page
    assert "fiscal-alarms" not in page
    page = devices_page(status({"supported": False}))
    assert "Эта касса не сообщает состояние ФН" in page
    failed = {**describe(quiet), "supported": True, "error": "no answer"}
    assert "Не удалось прочитать состояние ФН: no answer" in devices_page(status(failed))
    assert "fiscal-drive" not in devices_page(status(None))  # never read yet


def test_the_summary_line_for_the_register():
    t = TEXTS["ru"]
    alarms = fiscal_view({**describe(STUCK), "supported": True}, t, en=False)
    assert (alarms["tone"], alarms["word"]) == ("bad", "требует внимания (2)")
    assert [a["kind"] for a in alarms["alarms"]] == ["ofd_queue", "fn_expiry"]
    soon = fiscal_view({**describe(replace(STUCK, unsent=0)), "supported": True}, t, en=False)
    assert (soon["tone"], soon["word"]) == ("wait", "требует внимания (1)")
    fine = replace(STUCK, unsent=0, expires="2027-12-01")
    assert fiscal_view({**describe(fine), "supported": True}, t, en=False)["tone"] == "ok"
    assert fiscal_view(None, t, en=False) is None
