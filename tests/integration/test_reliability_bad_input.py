"""The bad-input campaign's short version (issue 13 part 4; tests/reliability/bad_input.py):
about 2 000 generated cases across every parser of outside input (MQTT in process and through
a real broker into a gateway process, register frames and the driver on a pty, scanner input,
HTTP as each role with schemathesis, catalog files). No crash, no 5xx, nothing half-applied,
no restart needed, and the parsers agree with their independent readings.

Environment: RELIABILITY_SEED (1)."""

import os

from tests.reliability import bad_input

SEED = int(os.environ.get("RELIABILITY_SEED", "1"))


def test_generated_bad_input_is_refused_cleanly_everywhere(tmp_path):
    figures = bad_input.run(tmp_path, scale=0.02, seed=SEED)
    print(figures.report())
    assert figures.ok, figures.report()
    # The campaign proves something only if the bad input was there and was refused.
    values = figures.values
    assert values["cases"] >= 2000, figures.report()
    for refused in ("mqtt_rejected", "serial_clear_errors", "scanner_refused", "http_4xx"):
        assert values[refused] > 0, f"{refused}: {figures.report()}"
    assert values["catalog_files_refused"] > 0 and values["cases_mqtt_broker"] > 0
