"""«Устройства и связь», «Проверьте документы»: paper whose printing was cut off (`unknown`: the
gateway cannot know whether it came out) or failed is listed under the printer in staff words
(what, when, who asked), each with «Напечатать ещё раз» and, for a cut-off one, «Вышел». After
either the entry goes and the message line says what happened; a reprint prints once, even
tapped twice or retried after its answer was lost (the idempotency key is kept until answered)."""

import time

from gateway.services.documents import print_pick_slip, print_shelf_label
from gateway.services.orders import create_order
from gateway.services.printing import TEST_PAGE, print_failed, print_started, queue_print
from tests import builders

WAIT = 10


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state(shop, job_id: int) -> str:
    return shop.gateway.run(lambda uow: uow.prints.job(job_id).state)


def job_count(shop) -> int:
    return shop.gateway.read(
        lambda conn: conn.execute("SELECT count(*) FROM print_job").fetchone()
    )[0]


def cut_off(shop, queue) -> int:
    """A job the gateway was sending when it stopped: queued and marked `printing` in one
    transaction (the worker never sees it queued), then found by the worker: `unknown`."""

    def both(uow) -> int:
        job_id = queue(uow)
        print_started(uow, job_id)
        return job_id

    job_id = shop.gateway.run(both)
    wait_for(lambda: state(shop, job_id) == "unknown", f"job {job_id} unknown")
    return job_id


def failed(shop, why: str) -> int:
    def both(uow) -> int:
        job_id = queue_print(uow, TEST_PAGE, {}, by=shop.cashier)
        print_failed(uow, job_id, why)
        return job_id

    return shop.gateway.run(both)


def three_to_check(shop) -> dict[str, int]:
    shop.gateway.run(create_order, builders.order("W-3001", ("MUG", 1), number="3001"))
    jobs = {
        "slip": cut_off(shop, lambda uow: print_pick_slip(uow, "W-3001", by=shop.cashier)),
        "label": cut_off(shop, lambda uow: print_shelf_label(uow, "MUG", by=shop.manager)),
        "test": failed(shop, "sending broke off 3 times; last: connection reset"),
    }
    printer = lambda: shop.gateway.status()["printer"]  # noqa: E731
    wait_for(lambda: (printer()["unknown"], printer()["failed"]) == (2, 1), "the worker's counts")
    return jobs


def entry(page, job_id: int):
    return page.locator(f"#paper-check li[data-job='{job_id}']")


def test_cut_off_paper_is_listed_and_answered_on_the_devices_page(page, live_shop):
    jobs = three_to_check(live_shop)
    live_shop.sign_in(page, path="/devices")
    printer_row = page.locator("tr[data-device='printer']")
    assert "Возможно, не вышли документы: 2 — они в списке «Проверьте документы» ниже" in (
        printer_row.inner_text()
    )
    assert "Не напечатались документы: 1" in printer_row.inner_text()
    check = page.locator("#paper-check")
    assert "Проверьте документы" in check.inner_text()
    slip, label, test = (entry(page, jobs[name]) for name in ("slip", "label", "test"))
    assert "Сборочный лист заказа 3001" in slip.inner_text()
    assert "печать прервалась" in slip.inner_text() and "Анна" in slip.inner_text()
    assert "сегодня в " in slip.inner_text()
    assert "Ценник: Кружка" in label.inner_text() and "Ольга" in label.inner_text()
    assert "Тестовая страница" in test.inner_text() and "ошибка печати" in test.inner_text()
    assert slip.locator("[data-confirm]").inner_text() == "Вышел"
    assert test.locator("[data-confirm]").count() == 0  # failed: it did not come out
    live_shop.screenshot(page, "devices-paper-to-check")

    # «Вышел»: the label did come out. Nothing prints; the job is done.
    label.locator("[data-confirm]").click()
    message = page.locator("#message")
    message.filter(has_text="Отмечено, что документ вышел: Ценник: Кружка.").wait_for()
    assert label.count() == 0 and state(live_shop, jobs["label"]) == "done"

    # «Напечатать ещё раз», tapped twice: the slip prints once, as itself (no new job).
    before = job_count(live_shop)
    slip.locator("[data-reprint]").dblclick()
    message.filter(has_text="Напечатано ещё раз: Сборочный лист заказа 3001.").wait_for()
    assert slip.count() == 0 and state(live_shop, jobs["slip"]) == "done"
    time.sleep(0.5)
    assert len(live_shop.printer.documents) == 1
    assert live_shop.printer.documents[0].text.splitlines()[0] == "Сборочный лист"
    assert job_count(live_shop) == before

    # The failed test page, printed again: the last entry, so the list and its lines go.
    test.locator("[data-reprint]").click()
    message.filter(has_text="Напечатано ещё раз: Тестовая страница.").wait_for()
    assert state(live_shop, jobs["test"]) == "done" and len(live_shop.printer.documents) == 2
    assert check.count() == 0 and page.locator(".device-to-check").count() == 0
    live_shop.screenshot(page, "devices-paper-answered")
    page.reload()  # the page of now agrees
    assert page.locator("#paper-check").count() == 0
    assert "не вышли" not in page.locator("tr[data-device='printer']").inner_text()


def test_a_reprint_whose_answer_was_lost_prints_once_when_tapped_again(page, live_shop):
    job_id = cut_off(live_shop, lambda uow: queue_print(uow, TEST_PAGE, {}, by=live_shop.cashier))
    live_shop.sign_in(page, path="/devices")
    sent: list[str] = []

    def lose_the_answer(route):
        sent.append(route.request.post_data_json["idem_key"])
        route.fetch()  # the gateway gets it and prints ...
        route.abort()  # ... but the tablet never hears back

    page.route(f"**/api/print/{job_id}/reprint", lose_the_answer)
    entry(page, job_id).locator("[data-reprint]").click()
    page.locator("#message").filter(has_text="Шлюз не отвечает").wait_for()
    live_shop.printer.wait_for_documents(1, timeout=WAIT)
    assert entry(page, job_id).count() == 1  # still listed: no answer yet
    page.unroute(f"**/api/print/{job_id}/reprint")
    page.route(
        f"**/api/print/{job_id}/reprint",
        lambda route: (sent.append(route.request.post_data_json["idem_key"]), route.continue_()),
    )
    entry(page, job_id).locator("[data-reprint]").click()
    page.locator("#message").filter(has_text="Напечатано ещё раз: Тестовая страница.").wait_for()
    assert len(sent) == 2 and sent[0] == sent[1]  # the same key: the same reprint
    time.sleep(0.5)
    assert len(live_shop.printer.documents) == 1 and state(live_shop, job_id) == "done"
    stored = page.evaluate(f"sessionStorage.getItem('storegw.reprint.{job_id}')")
    assert stored is None  # answered: the key is let go


def test_the_list_in_english_and_a_paper_answered_elsewhere(page, live_shop):
    job_id = cut_off(live_shop, lambda uow: print_shelf_label(uow, "TS-M", by=live_shop.cashier))
    wait_for(lambda: live_shop.gateway.status()["printer"]["unknown"] == 1, "the worker's count")
    live_shop.sign_in(page, path="/devices?lang=en")
    row = page.locator("tr[data-device='printer']").inner_text()
    assert "Documents that may not have come out: 1 — they are in the list" in row
    item = entry(page, job_id)
    assert "Shelf label: Футболка базовая" in item.inner_text()
    assert "printing was cut off" in item.inner_text() and "today at " in item.inner_text()
    assert item.locator("[data-reprint]").inner_text() == "Print again"
    assert item.locator("[data-confirm]").inner_text() == "It came out"
    live_shop.screenshot(page, "devices-paper-en")
    # Another tablet confirmed it meanwhile: this one says so and drops the entry.
    from gateway.services.printing import confirm_printed  # noqa: PLC0415

    live_shop.gateway.run(confirm_printed, job_id, by=live_shop.manager)
    item.locator("[data-confirm]").click()
    page.locator("#message").filter(has_text="Already answered").wait_for()
    assert item.count() == 0 and len(live_shop.printer.documents) == 0
