"""«Сводка» in words (pages_summary, summary.html): the site's money on its own line, apart from
the counter's card; the figure net of refunds, for the day and for each cashier, and which
receipts the average is of; another day named as itself («03.12», «Накануне», its year when not
this year), never «Сегодня»; no «День позже» past today, and a day that is not a date or is still
to come refused on the page in Russian (and by the API with a 4xx).

The figures are the gateway's own (`owner_summary` over receipts recorded as the fiscal worker
records them); the page is rendered from them as the route renders it."""

from contextlib import closing
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from gateway.adapters.sqlite.summary_queries import owner_summary
from gateway.domain.fiscal import SELL, SELL_REFUND, Payments
from gateway.domain.staff import MANAGER
from gateway.services import fiscal as service
from gateway.web.api_summary import health
from gateway.web.frame import frame, templates
from gateway.web.pages_summary import summary_context
from tests.integration.test_summary_prepaid import FN, at_counter, item, paid_online
from tests.signin import MANAGER_PIN, add_person, signed_in_client, start_gateway

DAY = date(2026, 3, 2)  # test_summary_prepaid's receipts are signed on this day
STATUS = {"ok": True, "store_id": "shop-001", "devices": {}}


def figures_of(shop, day: date = DAY) -> dict:
    with closing(shop.db.reader()) as conn:
        return {**owner_summary(conn, day), "health": health(STATUS)}


def render(figures: dict, today: date, lang: str = "ru") -> str:
    view = summary_context(figures, lang, today) | {
        "lang": lang,
        "title": "Сводка",
        "frame": frame(STATUS, lang, "/summary"),
    }
    return templates().get_template("summary.html").render(view)


def a_day_with_site_payments_and_a_refund(shop) -> None:
    shop.run(service.shift_opened, 1, fn=FN, by=None, fd=None, fp=None)
    sale = at_counter(shop, SELL, (item(30000),), Payments(card=30000), 1)  # the terminal
    at_counter(shop, SELL, (item(10000),), Payments(cash=10000), 2)
    paid_online(shop, 50000, 3)  # SBP on the site
    at_counter(shop, SELL_REFUND, (item(30000),), Payments(card=30000), 4, refund_of=sale)


def row(page: str, key: str) -> str:
    """The text of the figures row `key` of the day's block."""
    day = page[page.index('id="sales-today"') :]
    start = day.index(f'data-row="{key}"')
    return day[start : day.index("</tr>", start)]


def test_card_is_the_terminals_and_the_site_has_its_own_line_with_a_hint(shop):
    a_day_with_site_payments_and_a_refund(shop)
    page = render(figures_of(shop), today=DAY)
    assert "300,00 ₽" in row(page, "card") and "только на кассе" in row(page, "card")
    online = row(page, "online")
    assert "оплачено на сайте" in online and "500,00 ₽" in online
    assert "деньги сайта" in online and "СБП" in online  # says whose money it is
    assert "900,00 ₽" in row(page, "revenue")  # 100 cash + 300 card + 500 on the site
    english = render(figures_of(shop), today=DAY, lang="en")
    assert "paid on the site" in row(english, "online")


def test_the_net_figure_for_the_day_and_each_cashier_and_what_the_average_is(shop):
    a_day_with_site_payments_and_a_refund(shop)
    page = render(figures_of(shop), today=DAY)
    net = row(page, "net")
    assert "Итого за вычетом возвратов" in net and "600,00 ₽" in net  # 900 − 300 given back
    average = row(page, "average")
    assert "Средний чек продажи" in average and "300,00 ₽" in average  # 900 over 3 sales
    assert "без учёта возвратов" in average
    cashiers = page[page.index('id="cashiers-today"') :]
    assert '<th class="num">Итого</th>' in cashiers
    anna = cashiers[cashiers.index('data-cashier="Анна"') :]
    assert 'data-label="Итого">100,00 ₽<' in anna[: anna.index("</tr>")]  # 400 − 300


def test_another_day_is_named_as_itself_never_today(shop):
    page = render(figures_of(shop), today=DAY + timedelta(days=1))
    assert "Сводка за 02.03" in page
    blocks = page[page.index('id="sales-today"') : page.index('id="summary-orders"')]
    for today_word in ("Сегодня", "Вчера", "Эта неделя", "Прошлая неделя"):
        assert today_word not in blocks, today_word
    assert '<th class="num">02.03</th><th class="num">Накануне</th>' in page
    assert "За 02.03 чеков нет." in page
    assert 'id="day-later"' in page  # 03.03 is today: one day later is allowed
    assert "Сегодня" in render(figures_of(shop), today=DAY)  # today is still «Сегодня»
    english = render(figures_of(shop), today=DAY + timedelta(days=1), lang="en")
    blocks = english[english.index('id="sales-today"') : english.index('id="summary-orders"')]
    assert "Today" not in blocks and "Yesterday" not in blocks and "Day before" in blocks


def test_today_has_no_day_later_and_another_year_shows_its_year(shop):
    assert 'id="day-later"' not in render(figures_of(shop), today=DAY)
    page = render(figures_of(shop), today=date(2027, 1, 5))
    assert "Сводка за 02.03.2026" in page
    assert '<span class="when">02.03.2026</span>' in page  # the day's block, and its week
    assert "Сводка за 02.03<" in render(figures_of(shop), today=DAY)  # this year: no year


@pytest.fixture
def olga(tmp_path):
    """A gateway (no cloud reachable, no devices) and Ольга's signed-in client."""
    gateway = start_gateway(tmp_path, "shop-words")
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    with signed_in_client(gateway.web_app(), manager, MANAGER_PIN) as client:
        yield client
    gateway.stop()


def test_a_day_that_is_not_a_date_or_still_to_come_is_refused_in_words(olga: TestClient):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    garbage = olga.get("/summary?day=garbage")
    assert 400 <= garbage.status_code < 500
    assert "text/html" in garbage.headers["content-type"]
    assert "Не понимаю, за какой день показать сводку" in garbage.text
    assert "must be a date" not in garbage.text and '"detail"' not in garbage.text
    future = olga.get(f"/summary?day={tomorrow}")
    assert "Этот день ещё не наступил" in future.text and "Сводка за сегодня" in future.text
    assert "has not come yet" in olga.get(f"/summary?day={tomorrow}&lang=en").text
    for asked, reason in ((tomorrow, "day_in_future"), ("garbage", "day_not_a_date")):
        refused = olga.get(f"/api/summary?day={asked}")
        assert (refused.status_code, refused.json()["error"]) == (422, reason)
    assert "Cannot tell which day" in olga.get("/summary?day=garbage&lang=en").text
    today = olga.get("/summary")
    assert today.status_code == 200 and 'id="day-later"' not in today.text
