"""Bad-input campaign (issue 13 part 4): over 100 000 generated cases across every parser of
outside input: MQTT payloads (in process through the inbox as the link calls it, and a slice
through a real broker into a real gateway process), frames from the register (decoders, and
the driver on a pty against a raw peer), scanner input (both readers' paths), HTTP requests
(schemathesis as each role), catalog files (`storegw catalog import`). Each family is counted
by an observer outside the parser: database digests and check_invariants, the back-office
simulator's `message.rejected` list, independent readings of frames and barcodes."""

from __future__ import annotations

import time
from pathlib import Path

from tests.reliability.bad_input_broker import run_broker_slice
from tests.reliability.bad_input_catalog import run_catalog
from tests.reliability.bad_input_http import run_http
from tests.reliability.bad_input_mqtt import feed_inbox
from tests.reliability.bad_input_scanner import run_scanner
from tests.reliability.bad_input_serial import run_serial
from tests.reliability.figures import Figures, scaled

FULL = {  # cases per family at scale 1: about 102 000 together
    "mqtt": 26_000,
    "mqtt_broker": 1_000,
    "serial_frames": 25_000,
    "serial_link": 700,
    "scanner": 46_000,
    "scanner_reader": 500,
    "http": 2_500,
    "catalog": 2_000,
    "catalog_cli": 5,
}


class Stopwatch:
    """Seconds per family, as notes: where the campaign's time goes."""

    def __init__(self, figures: Figures):
        self.figures = figures

    def time(self, family: str, part, *args):
        started = time.monotonic()
        result = part(*args)
        self.figures.note(f"{family}: {time.monotonic() - started:.1f}s")
        return result


def run(workdir: Path, scale: float, seed: int) -> Figures:
    n = {name: scaled(full, scale, minimum=min(full, 50)) for name, full in FULL.items()}
    n["catalog_cli"] = scaled(FULL["catalog_cli"], scale, minimum=2)
    figures = Figures("bad_input")
    clock = Stopwatch(figures)
    mqtt = clock.time("mqtt", feed_inbox, workdir / "mqtt", n["mqtt"], seed)
    broker = clock.time("broker", run_broker_slice, workdir / "broker", n["mqtt_broker"], seed)
    serial = clock.time("serial", run_serial, n["serial_frames"], n["serial_link"], seed)
    scanner = clock.time("scanner", run_scanner, n["scanner"], n["scanner_reader"], seed)
    http = clock.time("http", run_http, workdir / "http", n["http"], seed)
    catalog = clock.time(
        "catalog", run_catalog, workdir / "catalog", n["catalog"], n["catalog_cli"], seed
    )

    per_family = {
        "mqtt": mqtt.cases,
        "mqtt_broker": broker.sent,
        "serial_frames": serial.frame_cases,
        "serial_link": serial.link_cases,
        "scanner": scanner.cases,
        "scanner_reader": scanner.reader_cases,
        "http": http.cases,
        "catalog": catalog.cases + catalog.cli_cases,
    }
    figures.add("cases", sum(per_family.values()))
    for family, count in per_family.items():
        figures.add(f"cases_{family}", count)
    figures.add("mqtt_rejected", mqtt.outcomes.get("rejected", 0) + broker.rejected_back)
    figures.add("mqtt_applied", mqtt.outcomes.get("applied", 0))
    figures.add("serial_clear_errors", serial.clear_errors)
    figures.add("scanner_refused", scanner.refused)
    figures.add("http_4xx", sum(v for k, v in http.by_status.items() if 400 <= k < 500))
    figures.add("catalog_files_refused", catalog.refused_files)

    crashes = mqtt.crashes + serial.crashes + scanner.crashes + catalog.crashes
    figures.zero("crashes", len(crashes))
    figures.zero("hangs", len(serial.hangs))
    figures.zero("http_5xx", len(http.server_errors))
    half = mqtt.half_applied + http.half_applied + catalog.half_applied
    figures.zero("half_applied", len(half) + broker.half_applied)
    unexplained = len(mqtt.unexplained) + broker.without_reason
    unexplained += broker.sent - min(broker.sent, broker.rejected_back)
    figures.zero("rejected_without_reason", unexplained)
    restarts = broker.restarts_needed + (not broker.valid_applied_after) + (not http.answers_after)
    figures.zero("restarts_needed", restarts)
    figures.zero("parser_disagreements", len(serial.disagreements) + len(scanner.disagreements))
    broken = mqtt.broken_invariants + catalog.broken_invariants + broker.problems
    figures.zero("invariants_broken", len(broken))
    for finding in [*crashes, *serial.hangs, *http.server_errors, *half, *mqtt.unexplained,
                    *broker.stalls,
                    *serial.disagreements, *scanner.disagreements, *broken][:20]:  # fmt: skip
        figures.note(finding[:500])
    return figures
