"""«Проверьте документы» in words (web/devices_words.py paper_view): what each paper is, when and
who asked, the buttons it has; and the page rendered as the route does it."""

from datetime import UTC, datetime, timedelta

from gateway.web.app import page_view
from gateway.web.devices_words import asked_when, paper_view
from gateway.web.frame import frame, templates
from tests.unit.test_web_status import HEALTHY

NOW = datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def job(job_id: int, kind: str, state: str = "unknown", **fields) -> dict:
    return {
        "id": job_id,
        "kind": kind,
        "ref": None,
        "state": state,
        "error": None,
        "created_by": "Анна",
        "created_at": stamp(NOW),
        "name": "",
    } | fields


JOBS = [
    job(1, "pick_slip", ref="3001"),
    job(2, "receiving_report", ref="R-20261204-1", created_by=None),
    job(3, "shelf_label", ref="MUG", name="Кружка"),
    job(4, "test_page", "failed", error="sending broke off 3 times"),
    job(5, "pick_slip", "done", ref="9"),  # not to check: left out
]


def test_each_paper_in_staff_words_with_its_buttons():
    view = paper_view(JOBS, en=False, now=NOW)
    rows = {row["id"]: row for row in view["jobs"]}
    assert sorted(rows) == [1, 2, 3, 4]
    assert rows[1]["what"] == "Сборочный лист заказа 3001"
    assert rows[2]["what"] == "Отчёт о приёмке R-20261204-1"
    assert rows[3]["what"] == "Ценник: Кружка"
    assert rows[4]["what"] == "Тестовая страница"
    assert rows[1]["asked"].startswith("сегодня в ") and rows[1]["asked"].endswith(" · Анна")
    assert "·" not in rows[2]["asked"]  # nobody named: only when
    assert [rows[i]["confirm"] for i in (1, 4)] == [True, False]  # «Вышел» only when unknown
    assert (rows[1]["tone"], rows[4]["tone"]) == ("wait", "bad")
    assert rows[4]["specialist"] == "Для специалиста: sending broke off 3 times"
    assert (view["reprint"], view["confirm"]) == ("Напечатать ещё раз", "Вышел")


def test_english_and_older_days():
    view = paper_view([job(1, "shelf_label", ref="MUG")], en=True, now=NOW)
    assert view["jobs"][0]["what"] == "Shelf label: MUG"  # no name: the sku
    assert (view["reprint"], view["confirm"]) == ("Print again", "It came out")
    assert asked_when(stamp(NOW - timedelta(days=1)), False, NOW).startswith("вчера в ")
    assert " в " in asked_when(stamp(NOW - timedelta(days=5)), False, NOW)
    assert asked_when(stamp(NOW - timedelta(days=5)), True, NOW).count("/") == 1
    assert asked_when("", False) == "" and asked_when("nonsense", True) == ""


def test_nothing_to_check_shows_no_list_and_more_than_listed_says_so():
    assert paper_view([], en=False) is None
    assert paper_view([job(5, "pick_slip", "done")], en=False) is None
    assert "И ещё старых документов: 3" in paper_view([], en=False, older=3)["older"]


def test_the_page_lists_them_under_the_printer():
    data = HEALTHY | {
        "printer": {"state": "ok", "detail": "", "queued": 0, "unknown": 3, "failed": 1}
    }
    view = page_view(data, "ru", (JOBS, 0)) | {"frame": frame(data, "ru", "/devices")}
    page = templates().get_template("status.html").render(view)
    assert "экране заказа" not in page
    assert "Возможно, не вышли документы: 3 — они в списке «Проверьте документы» ниже" in page
    assert 'id="paper-check"' in page and page.count("data-reprint") == 4
    assert page.count("data-confirm") == 3
    assert page.index('data-device="printer"') < page.index('id="paper-check"')
    # the printer works, yet the page is not «всё в порядке» while paper waits to be checked
    assert view["headline"]["tone"] == "bad"
    assert "документы ждут проверки: 4" in view["headline"]["why"]
    plain = page_view(HEALTHY, "ru") | {"frame": frame(HEALTHY, "ru", "/devices")}
    assert plain["headline"]["tone"] == "ok"
    assert 'id="paper-check"' not in templates().get_template("status.html").render(plain)
