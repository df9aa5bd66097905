"""A box whose devices and broker are all missing says so at WARNING, once each: the docs send
the integrator to `journalctl -u storegw -p warning`, which showed none of it (integrator QA)."""

import logging
import time

from gateway.bootstrap import Gateway
from gateway.config import load_config
from tests.loopback import free_port


def test_a_missing_register_printer_scanner_and_broker_are_warnings(tmp_path, caplog):
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-logs"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[fiscal]
port = "{tmp_path / "storegw-fiscal"}"
poll = 0.1
[printer]
url = "tcp://127.0.0.1:{free_port()}"
poll = 0.2
[scanner]
port = "{tmp_path / "storegw-scanner"}"
""",
        encoding="utf-8",
    )
    caplog.set_level(logging.INFO)
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    try:
        wanted = ("fiscal:", "printer:", "storegw-scanner", "cloud link: offline")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
            if all(any(word in line for line in warned) for word in wanted):
                break
            time.sleep(0.2)
        time.sleep(2)  # more retries: still one line each
    finally:
        gateway.stop()
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for word in wanted:
        lines = [line for line in warned if word in line]
        assert lines, (word, warned)
        assert len(set(lines)) == len(lines), lines  # no repeats of the same line
