"""Two doctor lines that misled: a training database's practice messages counted as a cloud
backlog that would never go out, and quick_check's answer spanning lines."""

from datetime import UTC, datetime, timedelta

import pytest

from gateway import cli, doctor_sqlite
from gateway.adapters.sqlite.backup import TRAINING_MARK
from gateway.doctor import ERROR, OK, Probes
from gateway.doctor_database import outbox_finding
from gateway.services.orders import create_order
from tests import builders

A_WEEK_LATER = Probes(now=lambda: datetime.now(UTC) + timedelta(days=7))


def test_practice_messages_are_no_cloud_backlog(shop):
    shop.stock(MUG=5)
    shop.run(create_order, builders.order("W-1", ("MUG", 1)))
    with shop.db.transaction() as uow:
        shop_line = outbox_finding(uow.conn, A_WEEK_LATER)
        training_line = outbox_finding(uow.conn, A_WEEK_LATER, training=True)
        uow.conn.execute("INSERT INTO counter(name, value) VALUES (?, 1)", (TRAINING_MARK,))
        marked_line = outbox_finding(uow.conn, A_WEEK_LATER)

    assert shop_line.level == ERROR and "not yet confirmed by the cloud" in shop_line.found
    for line in (training_line, marked_line):
        assert line.level == OK, line.line()
        assert line.found.startswith("training mode: nothing goes to the cloud (")


def test_each_check_is_one_line(monkeypatch, shop):
    answer = "database integrity: *** in database main ***\nPage 5: btreeInitPage() returns 11"
    monkeypatch.setattr(doctor_sqlite, "check_invariants", lambda conn: [answer, "drift:\nx"])
    with shop.db.transaction() as uow:
        integrity, invariants = doctor_sqlite.integrity_findings(uow.conn)
    assert "\n" not in integrity.line() and "\n" not in invariants.line()
    assert (
        integrity.found
        == "quick_check: *** in database main *** Page 5: btreeInitPage() returns 11"
    )


@pytest.mark.parametrize(
    "table",
    [
        '[web]\nlisten = "0.0.0.0:80800"\n',
        "[gpio]\npins = {led_onlin = 5}\n",
        '[scanner]\nprot = "/dev/ttyACM0"\n',
        '[printer]\nurl = "lpt://1"\n',
    ],
)
def test_what_stops_run_is_a_doctor_error_in_the_same_words(tmp_path, capsys, table):
    config = tmp_path / "gateway.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "gateway.db"}"\n{table}')

    assert cli.main(["run", "--config", str(config)]) == 2
    refusal = capsys.readouterr().err.strip().removeprefix("storegw: error: ")
    cli.main(["doctor", "--config", str(config)])
    config_line = capsys.readouterr().out.splitlines()[0]

    assert config_line.startswith(f"error    config: {refusal} -> "), config_line
