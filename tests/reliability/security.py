"""Security campaign (issue 13 part 5): the closed door counted at scale.

- every route of the running gateway (`storegw run`) without a session or token, four kinds
  of stranger: refused, except the deliberately public paths (web/auth.py PUBLIC_PATHS);
- CSRF: every state-changing route with a session but no token, a wrong token, a foreign
  Origin or Referer: refused;
- a PIN guessing run (10 000 wrong PINs, right-PIN probes mixed in) over HTTP: no wrong PIN
  accepted, no right PIN accepted while a lock certainly holds (security_pin.py); and on a
  driven clock, every lock ends when it should (security_pin_clock.py);
- a cashier, by session and by API token, on every manager action: refused, while a manager
  doing the same gets it accepted (security_web.py);
- the MQTT client against brokers whose certificate does not verify (security_tls.py);
- two shops on one broker with the shipped ACL (security_acl.py).
Observers: the HTTP answers the attacker gets, the audit table read directly, Mosquitto's log,
a watch client with the cloud's rights and the shops' databases."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from gateway.domain.lockout import ACCOUNT_FREE
from simulators.fiscal_register import FiscalRegisterSimulator
from tests.reliability.figures import Figures, scaled
from tests.reliability.security_acl import run_acl
from tests.reliability.security_pin import Guesser
from tests.reliability.security_pin_clock import run_cycles
from tests.reliability.security_shop import Shop, routes
from tests.reliability.security_tls import run_tls
from tests.reliability.security_web import WebOutcome, try_cashier, try_csrf, try_strangers

PIN_ATTEMPTS = 10_000
LOCK_CYCLES = 300


def run(workdir: Path, scale: float, seed: int) -> Figures:
    figures = Figures("security")
    with quiet_gateway_logs():
        web_and_pins(workdir, scale, seed, figures)
        pin_clock(workdir, scale, seed, figures)
        tls(workdir, figures)
        acl(workdir, figures)
    return figures


def web_and_pins(workdir: Path, scale: float, seed: int, figures: Figures) -> None:
    register = FiscalRegisterSimulator(archive_path=None)
    shop = Shop(workdir / "shop", register=register.start()).prepare()
    web = WebOutcome()
    try:
        found = routes(shop)
        shop.start()
        try_strangers(shop, found, web)
        try_csrf(shop, found, web)
        try_cashier(shop, web)
        # Last: the guessing run locks this address out of every account.
        pins = Guesser(shop, seed).run(scaled(PIN_ATTEMPTS, scale, minimum=200))
    finally:
        shop.stop()
        register.stop()
    figures.add("routes_checked", web.routes_checked)
    figures.add("odd_methods_checked", web.odd_methods_checked)
    figures.add("public_routes", web.public_routes)
    figures.add("stranger_requests", web.stranger_requests)
    zero_listed(figures, "stranger_not_refused", web.stranger_not_refused)
    figures.add("public_odd_methods", web.public_odd_methods)
    zero_listed(figures, "public_odd_method_accepted", web.public_odd_accepted)
    figures.add("path_variants_checked", web.variants_checked)
    zero_listed(figures, "path_variant_accepted", web.variant_accepted)
    figures.add("csrf_requests", web.csrf_requests)
    zero_listed(figures, "csrf_accepted", web.csrf_accepted)
    figures.zero("csrf_control_refused", web.csrf_control_refused)
    figures.add("manager_gets_checked", web.gets_checked)
    zero_listed(figures, "refused_requests_changed_db", web.db_changed)
    figures.add("cashier_manager_actions_checked", web.manager_actions)
    figures.add("cashier_requests", web.cashier_requests)
    zero_listed(figures, "manager_permissions_not_tried", web.permissions_uncovered)
    zero_listed(figures, "cashier_accepted", web.cashier_accepted)
    zero_listed(figures, "cashier_refused_not_by_role", web.cashier_refused_not_by_role)
    zero_listed(figures, "manager_control_failed", web.manager_control_failed)
    figures.add("pin_attempts", pins.attempts)
    figures.add("pin_override_attempts", pins.override_attempts)
    figures.add("pin_parallel_guesses", pins.burst_attempts)
    figures.zero("pin_parallel_checked_past_lock", max(0, pins.burst_checked - ACCOUNT_FREE))
    figures.add("pin_right_probes", pins.probes)
    figures.add("pin_probes_while_locked", pins.probes_while_locked)
    figures.add("pin_lockouts", pins.lockouts)
    zero_listed(figures, "wrong_pin_accepted", pins.wrong_accepted)
    zero_listed(figures, "right_pin_accepted_while_locked", pins.right_accepted_while_locked)
    zero_listed(figures, "pin_checked_while_locked", pins.checked_while_locked)
    figures.add("pin_checks", pins.pins_checked)
    figures.add("pin_answers_settled_by_audit", pins.ambiguous)
    figures.zero("pin_checks_not_audited", abs(pins.pins_checked - pins.pins_audited))
    figures.zero("pin_lockouts_not_audited", abs(pins.lockouts - pins.lockouts_audited))


def pin_clock(workdir: Path, scale: float, seed: int, figures: Figures) -> None:
    clock = run_cycles(workdir / "pin-clock", scaled(LOCK_CYCLES, scale, minimum=20), seed)
    figures.add("pin_clock_attempts", clock.attempts)
    figures.add("pin_clock_lockouts", clock.lockouts)
    figures.add("pin_clock_longest_lock_s", clock.longest_lock)
    figures.add("pin_clock_probes_inside_lock", clock.probes_inside)
    zero_listed(figures, "pin_clock_right_accepted_early", clock.accepted_inside)
    zero_listed(figures, "pin_clock_right_refused_after_end", clock.refused_after_end)
    figures.zero("pin_clock_wrong_accepted", clock.wrong_accepted)


def tls(workdir: Path, figures: Figures) -> None:
    outcome = run_tls(workdir / "tls")
    figures.add("tls_bad_cert_cases", outcome.cases)
    figures.add("tls_handshakes_refused", outcome.handshakes_refused)
    figures.add("tls_cases_refused", outcome.cases_refused)
    zero_listed(figures, "tls_bad_cert_connected", outcome.bad_cert_connected)
    figures.zero("tls_control_not_connected", int(not outcome.control_connected))
    # The status must say the certificate is why, not "cannot reach the broker".
    figures.zero("tls_reason_not_shown", len(outcome.why_not_said))
    figures.notes.extend(f"tls: {line}" for line in outcome.why_not_said)


def acl(workdir: Path, figures: Figures) -> None:
    outcome = run_acl(workdir / "acl")
    figures.add("acl_legit_in", outcome.legit_in)
    figures.add("acl_legit_out", outcome.legit_out)
    figures.zero("acl_legit_missing", int(not outcome.legit_in or not outcome.legit_out))
    zero_listed(figures, "acl_legit_stalled", outcome.legit_stalled)
    figures.add("acl_snoop_filters", outcome.snoop_filters)
    figures.add("acl_forged_publishes", outcome.forged)
    zero_listed(figures, "acl_leaks", outcome.leaks)
    figures.zero("acl_client_id_takeovers", outcome.takeover_kicked)


def zero_listed(figures: Figures, name: str, cases: list[str]) -> None:
    figures.zero(name, len(cases))
    figures.notes.extend(f"{name}: {case}" for case in cases[:5])


@contextmanager
def quiet_gateway_logs():
    """In-process gateways log each refused PIN and offline link: thousands of lines."""
    loggers = [logging.getLogger(name) for name in ("gateway", "storegw")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
