"""HTTP cases the bad-input campaign (tests/reliability/bad_input_http.py, schemathesis) found,
each a 500: numbers beyond SQLite's INTEGER range in a path or a page (OverflowError as they
were bound to a query; an id is now refused with 422, a page is the last one there can be),
and a NUL in a stock search (FTS5 read it as the end of the phrase)."""

import pytest

from tests.signin import desk_clients, start_gateway

HUGE = 10**30


@pytest.fixture
def manager(tmp_path):
    gateway = start_gateway(tmp_path, "shop-bad-input")
    try:
        yield desk_clients(gateway).manager
    finally:
        gateway.stop()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/receipts/{HUGE}/retry",
        f"/api/receipts/{HUGE}/refund",
        f"/api/receipts/{HUGE}/reprint",
        f"/api/staff/{HUGE}/disable",
        f"/api/staff/{HUGE}/pin",
        f"/api/print/{HUGE}/reprint",
        f"/api/print/{HUGE}/confirm",
    ],
)
def test_an_id_beyond_sqlite_integers_is_refused_not_a_server_error(manager, path):
    answer = manager.post(path, json={})
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("page", [HUGE, -HUGE])
def test_a_page_beyond_sqlite_integers_is_an_empty_page(manager, page):
    answer = manager.get(f"/api/orders?page={page}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["orders"] == []


@pytest.mark.parametrize("path", ["/api/stock", "/api/fiscal/corrections/goods"])
@pytest.mark.parametrize("q", ["ab\x00c", "abc\x00", "\x00\x00\x00"])
def test_a_search_with_nul_characters_finds_nothing_instead_of_failing(manager, path, q):
    """NUL ends a string in FTS5's query syntax: the search failed with OperationalError."""
    answer = manager.get(path, params={"q": q})
    assert answer.status_code == 200, answer.text
