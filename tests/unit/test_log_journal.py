"""Log lines under systemd carry their syslog priority (sd-daemon(3) prefixes), so that
`journalctl -u storegw -p err` finds the errors; anywhere else they are unchanged.

`storegw run`'s logging is set up in a child Python whose stderr is a real file: systemd's
$JOURNAL_STREAM names that file's device and inode when it is the journal's stream."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import logging
from gateway.log_setup import configure_logging
configure_logging(logging.DEBUG)
log = logging.getLogger("storegw.test")
log.debug("a debug line")
log.info("cloud link: connected")
log.warning("printer: paper_out")
log.error("fiscal: the register refused")
log.critical("the database is damaged")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("relay step failed")
"""


def logged(tmp_path: Path, journal_stream=None) -> list[str]:
    """The child's stderr lines. journal_stream: "self" for the device:inode of that stderr
    file (as systemd sets it), another string as is, None for no variable at all."""
    tmp_path.mkdir(exist_ok=True)
    err = tmp_path / "stderr"
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    with err.open("wb") as out:
        if journal_stream == "self":
            stat = os.fstat(out.fileno())
            journal_stream = f"{stat.st_dev}:{stat.st_ino}"
        if journal_stream is not None:
            env["JOURNAL_STREAM"] = journal_stream
        subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, stderr=out, check=True)
    return err.read_text(encoding="utf-8").splitlines()


def test_under_systemd_every_line_starts_with_its_syslog_priority(tmp_path):
    lines = logged(tmp_path, "self")

    assert lines[:5] == [
        "<7>DEBUG storegw.test: a debug line",
        "<6>INFO storegw.test: cloud link: connected",
        "<4>WARNING storegw.test: printer: paper_out",
        "<3>ERROR storegw.test: fiscal: the register refused",
        "<2>CRITICAL storegw.test: the database is damaged",
    ]
    assert lines[5] == "<3>ERROR storegw.test: relay step failed"
    traceback = lines[6:]
    assert traceback[0] == "<3>Traceback (most recent call last):"
    assert traceback[-1] == "<3>ZeroDivisionError: division by zero"
    # journald reads each line on its own: a traceback line without the prefix would be "info".
    assert all(re.match(r"<[2-7]>", line) for line in lines), lines


def test_without_the_journal_the_lines_are_unchanged(tmp_path):
    expected = [
        "DEBUG storegw.test: a debug line",
        "INFO storegw.test: cloud link: connected",
        "WARNING storegw.test: printer: paper_out",
        "ERROR storegw.test: fiscal: the register refused",
        "CRITICAL storegw.test: the database is damaged",
        "ERROR storegw.test: relay step failed",
        "Traceback (most recent call last):",
    ]
    assert logged(tmp_path / "none")[:7] == expected
    # Inherited from a service but written elsewhere (a pipe, a file): not the journal.
    assert logged(tmp_path / "other", "1:2")[:7] == expected
    assert logged(tmp_path / "junk", "not-a-stream")[:7] == expected


def test_the_unit_leaves_the_priority_prefix_on_and_logs_to_the_journal():
    unit = (ROOT / "systemd" / "storegw.service").read_text(encoding="utf-8")
    settings = [
        line.strip() for line in unit.splitlines() if line.strip() and not line.startswith("#")
    ]
    prefix = [line for line in settings if line.startswith("SyslogLevelPrefix=")]
    assert all(line.split("=", 1)[1].lower() in ("yes", "true", "1", "on") for line in prefix)
    assert "StandardError=journal" in settings
