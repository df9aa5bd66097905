"""Who may do what, PIN rules, the PIN hash and the lockout's growing delays (issue 9)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.config import ConfigError, load_config
from gateway.domain.errors import InvalidInput
from gateway.domain.lockout import ACCOUNT_FREE, ADDRESS_FREE, MAX_LOCK_S, Lockout
from gateway.domain.staff import (
    CASHIER_MAY,
    CLOUD,
    MANAGER_ONLY,
    REFUND,
    SELL,
    Forbidden,
    Staff,
    authorize,
    check_inn,
    check_name,
    check_pin,
)
from gateway.services.pins import hash_pin, new_token, token_hash, verify_pin

ANNA = Staff(1, "Анна", "cashier")
OLGA = Staff(2, "Ольга", "manager")
IRA = Staff(3, "Ира", "cashier")


@pytest.mark.parametrize("permission", sorted(MANAGER_ONLY))
def test_a_cashier_needs_a_manager_for_each_managers_action(permission):
    with pytest.raises(Forbidden) as refused:
        authorize(ANNA, permission)
    assert refused.value.reason == "needs_manager"
    assert authorize(ANNA.approved(OLGA), permission) is True  # allowed by the override
    assert authorize(OLGA, permission) is False  # a manager's own right
    assert authorize(CLOUD, permission) is False


@pytest.mark.parametrize("permission", sorted(CASHIER_MAY))
def test_a_cashier_does_the_counters_work_alone(permission):
    assert authorize(ANNA, permission) is False


def test_another_cashier_cannot_approve():
    with pytest.raises(Forbidden):
        authorize(ANNA.approved(IRA), REFUND)


def test_an_unknown_role_may_do_nothing():
    with pytest.raises(Forbidden):
        authorize(Staff(9, "x", "owner"), SELL)


def test_events_carry_the_name_and_the_id():
    assert OLGA.event == {"by": "Ольга", "staff_id": 2}


@pytest.mark.parametrize("pin", ["1234", "12345678", "0000"])
def test_pins_of_four_to_eight_digits(pin):
    assert check_pin(pin) == pin


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", None, 1234, "１２３４", " 1234"])
def test_other_pins_are_refused(pin):
    with pytest.raises(InvalidInput):
        check_pin(pin)


def test_names_and_inns():
    assert check_name("  Анна  ") == "Анна"
    for bad in ("", "   ", "x" * 41, "a\nb", None):
        with pytest.raises(InvalidInput):
            check_name(bad)
    assert check_inn("500100732259") == "500100732259"
    assert check_inn("") is None
    with pytest.raises(InvalidInput):
        check_inn("7707083893")  # a company's INN has 10 digits: a cashier's has 12


def test_the_pin_hash_is_salted_and_checked():
    first, second = hash_pin("1234", n=2**10), hash_pin("1234", n=2**10)
    assert first != second and "1234" not in first
    assert verify_pin("1234", first) and verify_pin("1234", second)
    assert not verify_pin("1235", first)
    assert not verify_pin("1234", "garbage")
    assert not verify_pin("1234", "md5$x$y$z$a$b")


def test_tokens_are_random_and_stored_as_a_hash():
    token = new_token()
    assert token.startswith("sgw_") and len(token) > 40 and new_token() != token
    assert token_hash(token) == token_hash(token) and token not in token_hash(token)


def test_an_account_locks_after_a_few_mistakes_and_the_lock_doubles():
    lockout = Lockout()
    for _ in range(ACCOUNT_FREE - 1):
        assert lockout.failed(1, "tablet", 0.0) == 0
    assert lockout.failed(1, "tablet", 0.0) == 30
    assert lockout.wait(1, "tablet", 10.0) == pytest.approx(20)
    assert lockout.wait(1, "another tablet", 10.0) == pytest.approx(20)  # the account is locked
    assert lockout.wait(2, "another tablet", 10.0) == 0
    assert lockout.failed(1, "tablet", 31.0) == 60
    lockout.succeeded(1, "tablet")
    assert lockout.wait(1, "tablet", 200.0) == 0


def test_a_tablet_guessing_many_accounts_locks_itself():
    lockout = Lockout()
    for n in range(ADDRESS_FREE - 1):
        lockout.failed(100 + n, "tablet", 0.0)
    assert lockout.wait(999, "tablet", 0.0) == 0
    assert lockout.failed(999, "tablet", 0.0) == 30
    assert lockout.wait(1000, "tablet", 0.0) == 30


@given(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=60))
def test_a_guesser_who_waits_out_each_lock_meets_longer_ones_up_to_an_hour(accounts):
    lockout, now, last = Lockout(), 0.0, {"a": 0.0, "b": 0.0}
    for account in accounts:
        now += lockout.wait(account, "t", now)
        assert lockout.wait(account, "t", now) == 0
        lock = lockout.failed(account, "t", now)
        assert 0 <= lock <= MAX_LOCK_S
        assert lock == 0 or lock >= last[account]  # never shorter while the guessing goes on
        last[account] = max(last[account], lock)


def test_web_config_keys():
    config = load_config(env={"STOREGW_WEB_IDLE_LOCK": "2.5", "STOREGW_WEB_DAY_END": "23:30"})
    assert config.web.idle_lock_minutes == 2.5 and config.web.day_end == (23, 30)
    assert not config.web.tls and config.web_url.startswith("http://")
    for env, key in (
        ({"STOREGW_WEB_IDLE_LOCK": "-1"}, "web.idle_lock"),
        ({"STOREGW_WEB_IDLE_LOCK": "soon"}, "web.idle_lock"),
        ({"STOREGW_WEB_DAY_END": "4"}, "web.day_end"),
        ({"STOREGW_WEB_TLS_CERT": "/nonexistent.crt"}, "web.tls_key"),
        ({"STOREGW_WEB_TLS_CERT": "/no.crt", "STOREGW_WEB_TLS_KEY": "/no.key"}, "web.tls_cert"),
    ):
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_config(env=env)
