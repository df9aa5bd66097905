"""`storegw run --config FILE` as a real process: /healthz, the status page (for a person signed
in by PIN; a first run without a manager shows the setup screen), its log, SIGTERM. Nothing
listens on the MQTT port in the config: the gateway must not need the cloud to start."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import MANAGER, Staff
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from tests.builders import catalog, simple_product, stock_set
from tests.clean_env import storegw_free_env
from tests.loopback import free_port
from tests.signin import MANAGER_PIN, add_person

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 5


def write_config(tmp_path: Path) -> tuple[Path, int]:
    port = free_port()
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[store]\nid = "shop-test"\n\n[database]\npath = "{tmp_path / "g.db"}"\n\n'
        f'[web]\nlisten = "127.0.0.1:{port}"\n\n[mqtt]\nurl = "mqtt://127.0.0.1:1"\n',
        encoding="utf-8",
    )
    return config, port


def seed(db_path: Path, *, drift: bool = False) -> Staff:
    """Two simple products with stock and a manager (PIN `MANAGER_PIN`), who is returned;
    `drift` then corrupts a reserve behind the gateway's back."""
    database = Database(db_path)
    try:
        upsert = parse_catalog_upsert(catalog(simple_product("MUG"), simple_product("PEN")))
        database.run(apply_catalog, upsert)
        database.run(apply_stock_change, parse_stock_change("set", stock_set(MUG=3, PEN=1)))
        manager = add_person(database.run, "Ольга", MANAGER, MANAGER_PIN)
    finally:
        database.close()
    if drift:  # edge 37: nothing may clamp or repair it
        with closing(sqlite3.connect(db_path)) as conn, conn:
            conn.execute("UPDATE stock_level SET reserved = reserved + 1 WHERE sku = 'MUG'")
    return manager


def get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    """GET (redirects followed), as the session `cookie` if given."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def sign_in(port: int, staff: Staff, pin: str) -> str:
    """The PIN pad's request; returns the session cookie to send back."""
    body = json.dumps({"staff_id": staff.id, "pin": pin}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/signin",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.headers["Set-Cookie"].split(";", 1)[0]


class Running:
    """A started gateway process; the test reads its log only after it has ended."""

    def __init__(self, tmp_path: Path, config: Path, port: int):
        self.port = port
        self.log_path = tmp_path / "stderr.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(STOREGW), "run", "--config", str(config)],
            cwd=tmp_path,
            env=ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def wait_ready(self) -> tuple[int, dict]:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"storegw run exited with {self.proc.returncode}: {self.log()}")
            try:
                code, body = get(self.port, "/healthz")
                return code, json.loads(body)
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"/healthz did not answer within {START_TIMEOUT_S} s: {self.log()}")

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=STOP_TIMEOUT_S)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._log.close()


@pytest.fixture
def gateway(tmp_path):
    """Start `storegw run` lazily (after the test has prepared the database); always killed."""
    started: list[Running] = []

    def start() -> Running:
        config, port = write_config(tmp_path)
        started.append(Running(tmp_path, config, port))
        return started[-1]

    yield start
    for running in started:
        running.kill()


def test_run_serves_healthz_and_the_status_page_without_the_cloud(tmp_path, gateway):
    manager = seed(tmp_path / "g.db")
    running = gateway()

    code, status = running.wait_ready()
    _, signin_page = get(running.port, "/")  # signed out: the PIN pad
    page_code, page = get(running.port, "/devices", sign_in(running.port, manager, MANAGER_PIN))

    assert code == 200, status
    assert status["ok"] is True
    assert status["store_id"] == "shop-test"
    assert status["invariants"] == {"ok": True, "problems": []}
    assert status["devices"] == dict.fromkeys(
        ["fiscal", "printer", "scanner", "gpio"], "not_configured"
    )
    assert status["catalog"] == {"products": 2, "skus": 2}
    assert status["mqtt"]["url"] == "mqtt://127.0.0.1:1"
    assert 'data-pad="signin"' in signin_page and "Ольга" in signin_page
    assert page_code == 200
    assert "Шлюз магазина" in page and "shop-test" in page

    assert running.terminate() is not None
    log = running.log()
    assert f"database {tmp_path / 'g.db'} open" in log
    assert "cloud link: connecting to mqtt://127.0.0.1:1" in log
    assert "cloud link: offline (cannot reach the broker" in log
    assert "invariants hold" in log
    assert "Traceback" not in log


def test_run_creates_a_missing_database(tmp_path, gateway):
    running = gateway()

    code, status = running.wait_ready()

    assert (code, status["ok"], status["catalog"]) == (200, True, {"products": 0, "skus": 0})
    assert (tmp_path / "g.db").exists()
    # No manager yet: a tablet is sent to the setup screen, and the log says how to make one.
    _, page = get(running.port, "/")
    assert "storegw staff add" in page and 'id="setup"' in page
    running.terminate()
    assert "no manager yet: run `storegw staff add" in running.log()


def test_sigterm_stops_it_within_a_few_seconds(tmp_path, gateway):
    running = gateway()
    running.wait_ready()

    started = time.monotonic()
    running.terminate()  # raises TimeoutExpired if it hangs

    assert time.monotonic() - started < STOP_TIMEOUT_S


def test_sigterm_exits_with_code_0(tmp_path, gateway):
    running = gateway()
    running.wait_ready()

    assert running.terminate() == 0


def test_reservation_drift_makes_healthz_503_and_is_logged(tmp_path, gateway):
    manager = seed(tmp_path / "g.db", drift=True)
    running = gateway()

    code, status = running.wait_ready()

    assert code == 503
    assert status["ok"] is False
    assert status["invariants"]["ok"] is False
    problems = status["invariants"]["problems"]
    assert "reserved differs from the sum of line reserves: MUG (1, 0)" in problems
    assert all("PEN" not in problem for problem in problems)
    _, page = get(running.port, "/devices", sign_in(running.port, manager, MANAGER_PIN))
    assert "reserved differs from the sum of line reserves: MUG" in page

    running.terminate()
    log = running.log()
    assert "invariant violated: reserved differs from the sum of line reserves: MUG" in log
    with closing(sqlite3.connect(tmp_path / "g.db")) as conn:
        assert conn.execute("SELECT reserved FROM stock_level WHERE sku = 'MUG'").fetchone() == (1,)
