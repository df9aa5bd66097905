"""The security campaign's short version (issue 13 part 5; issue 9): a real gateway process
tried over HTTP by strangers on every route, forged CSRF on every state-changing route, a
cashier on every manager action and a PIN guessing run; locks ending on a driven clock; the
MQTT client against brokers with a foreign and a wrong-host certificate; two shops on one
Mosquitto with the shipped ACL (`tests/reliability/security.py`).

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import security

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_the_door_stays_closed_to_strangers_forgers_guessers_cashiers_and_other_shops(tmp_path):
    figures = security.run(tmp_path, scale=0.05, seed=SEED)
    print(figures.report())
    assert figures.ok, figures.report()
    # The campaign proves something only if the attacks were made and the locks engaged.
    values = figures.values
    assert values["routes_checked"] > 60 and values["csrf_requests"] > 100, figures.report()
    assert values["cashier_manager_actions_checked"] >= 20, figures.report()
    assert values["manager_gets_checked"] > 20 and values["path_variants_checked"] > 500
    assert values["pin_attempts"] == 500 and values["pin_lockouts"] > 0, figures.report()
    assert values["pin_probes_while_locked"] > 0, figures.report()
    assert values["pin_clock_lockouts"] > 20, figures.report()
    assert values["tls_bad_cert_cases"] == 2 and values["tls_cases_refused"] == 2, figures.report()
    assert values["acl_legit_in"] > 0 and values["acl_forged_publishes"] > 0, figures.report()
