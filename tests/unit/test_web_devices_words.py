"""«Устройства и связь» in staff words (QA: a register offline showed «всё в порядке» and the
driver's raw two-language text; no test buttons; the bar said the printer worked while a slip
waited). The page is rendered as the route does (page_view, the frame, the template)."""

import copy
import re

from gateway.web.app import page_view
from gateway.web.frame import frame, templates
from tests.unit.test_web_status import HEALTHY

RAW_FISCAL = "Нет связи с ККТ / No link to the fiscal register; no answer to ENQ after 10 tries"


def status(**changes) -> dict:
    data = copy.deepcopy(HEALTHY)
    data.update(changes)
    return data


def register_offline() -> dict:
    return status(
        devices={"fiscal": "offline", "printer": "ok", "scanner": "ok", "gpio": "not_configured"},
        fiscal={"device": {"state": "offline", "detail": RAW_FISCAL}, "receipts": {"queued": 2}},
        printer={"state": "ok", "detail": "", "queued": 0, "unknown": 0, "failed": 0},
    )


def render(data: dict, lang: str = "ru") -> str:
    view = page_view(data, lang) | {"frame": frame(data, lang, "/devices")}
    return templates().get_template("status.html").render(view)


def main_lines(page: str) -> str:
    """The page without the specialist's line and tooltips: what staff read."""
    page = re.sub(r'<p class="muted device-specialist">.*?</p>', "", page, flags=re.S)
    return re.sub(r' title="[^"]*"', "", page)


def test_the_headline_is_not_green_while_the_register_is_offline():
    page = render(register_offline())
    assert "всё в порядке" not in page
    assert '<span class="badge bad">есть проблемы</span>' in page
    assert "Фискальный регистратор: нет связи" in page


def test_the_headline_is_green_when_all_is_well():
    assert '<span class="badge ok">всё в порядке</span>' in render(HEALTHY)


def test_the_register_offline_says_what_to_do_in_russian_and_keeps_the_driver_text_aside():
    page = render(register_offline())
    assert "Касса не отвечает. Проверьте, что она включена и кабель" in page
    assert "Чеков ждут кассу: 2" in page
    staff_sees = main_lines(page)
    assert "No link" not in staff_sees and "ENQ" not in staff_sees
    # For the specialist: a small line, with the driver's words.
    assert "Для специалиста: Нет связи с ККТ / No link to the fiscal register" in page


def test_in_english_the_advice_is_english():
    page = render(register_offline(), "en")
    assert "The register does not answer. Check that it is switched on" in page
    assert "Касса не отвечает" not in page
    assert "needs attention" in page


def test_each_device_state_says_what_to_do():
    cases = {
        ("printer", "paper_out"): "вставьте новый рулон и закройте крышку",
        ("printer", "offline"): "Принтер не отвечает. Проверьте, что он включён",
        ("fiscal", "cover_open"): "Открыта крышка кассы: закройте её.",
        ("fiscal", "paper_out"): "В кассе кончилась чековая лента",
        ("scanner", "offline"): "Сканер не подключён: проверьте его кабель",
    }
    for (device, state), advice in cases.items():
        page = render(status(devices={device: state}))
        assert advice in page, (device, state)


def test_the_closed_shift_says_to_open_it():
    data = status(
        devices={"fiscal": "ok"},
        fiscal={"device": {"state": "ok", "detail": "receipts wait for the shift to be opened"
                           " / откройте смену"}},
    )  # fmt: skip
    assert "Смена закрыта: чеки ждут, пока вы не откроете смену" in render(data)


def test_each_configured_device_has_a_test_button():
    page = render(register_offline())
    assert '<button type="button" class="device-test" data-test="fiscal">' in page
    assert "Проверить кассу (X-отчёт)" in page
    assert "Напечатать тестовую страницу" in page
    assert "Проверить сканер" in page
    # A device that is not configured has nothing to test.
    assert 'data-test="fiscal"' not in render(HEALTHY)


def test_a_printer_not_working_says_the_slips_wait_and_the_bar_too():
    data = status(
        devices={"fiscal": "not_configured", "printer": "offline", "scanner": "not_configured"},
        printer={"state": "offline", "detail": "the printer does not answer its status request"
                 " / принтер не отвечает", "queued": 1, "unknown": 0, "failed": 0},
    )  # fmt: skip
    page = render(data)
    assert "Ждут печати: 1" in page
    bar = frame(data, "ru", "/orders")["bar"]
    printer = next(item for item in bar if item["short"] == "Принтер")
    assert printer == printer | {"tone": "bad", "word": "нет связи · ждут печати: 1"}


def test_a_working_printer_has_no_waiting_words_in_the_bar():
    data = status(devices={"printer": "ok"}, printer={"state": "ok", "queued": 3})
    bar = frame(data, "ru", "/orders")["bar"]
    assert [item["word"] for item in bar if item["short"] == "Принтер"] == ["работает"]
