"""The gateway as an appliance on a Pi: what it costs while nothing happens, and how fast it is up.

1. A local Mosquitto, the fiscal register, receipt printer and scanner simulators (as `make run`
   has them), and `storegw run` on a database holding the demo catalog (`make run`'s cloud
   simulator catalog: 20 products × 3 variants). Once /healthz answers and a few seconds have
   passed, the gateway is left idle for IDLE_S seconds, measured from /proc: CPU (utime+stime),
   resident memory, and bytes it had written to storage (/proc/PID/io write_bytes) × 3600/IDLE_S.
   Baseline, over the same minute: a bare python process that opened the same database.
2. `storegw run` on a database of 100 000 skus: from exec to /healthz answering (any status).
   Baseline: a fresh python process that opens the database and counts the variants.
Figures are never pass/fail; the script exits 1 only if something did not run.

Run as `python bench/bench_appliance.py` (about two minutes)."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_catalog import write_catalog  # noqa: E402

from simulators.backoffice.shop import make_catalog  # noqa: E402
from tests.brokers import Broker  # noqa: E402
from tests.loopback import free_port  # noqa: E402

IDLE_S = 60.0
SETTLE_S = 5.0
READY_TIMEOUT_S = 60.0
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
AIMS = {"idle_cpu_percent": 2, "rss_idle_mb": 80, "start_to_ready_s": 3, "db_mb_per_hour": 1}
BARE = (
    "import sqlite3, sys, time\n"
    "conn = sqlite3.connect(sys.argv[1])\n"
    "conn.execute('SELECT COUNT(*) FROM variant').fetchone()\n"
    "print('ready', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def written_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def spawn(argv: list[str], log: Path, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
        **kwargs,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for_path(path: Path, proc: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{path} never appeared (exit {proc.poll()})")
        time.sleep(0.05)


def wait_answering(url: str, proc: subprocess.Popen, start: float) -> float:
    """Seconds from `start` until the URL gives any HTTP answer."""
    while time.monotonic() - start < READY_TIMEOUT_S:
        if proc.poll() is not None:
            raise RuntimeError(f"the gateway exited ({proc.returncode}) before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.monotonic() - start
        except urllib.error.HTTPError:
            return time.monotonic() - start  # 503: up, saying what is not ok
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {READY_TIMEOUT_S:.0f} s")


def import_catalog(db: Path, file: Path, log: Path) -> None:
    argv = [str(BIN / "storegw"), "--db", str(db), "catalog", "import", str(file)]
    done = subprocess.run(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"catalog import failed: {log.read_text()[-500:]}")


class Devices:
    """The simulators `make run` starts, on loopback ports and pty links in `tmp`."""

    def __init__(self, tmp: Path):
        py = sys.executable
        self.fiscal_link, self.scanner_link = tmp / "ttyFISCAL", tmp / "ttySCANNER"
        self.printer_port = free_port()
        self.procs = [
            spawn(
                [py, "-m", "simulators.fiscal_register", "--archive", str(tmp / "fn.json"),
                 "--print-to", str(tmp / "printed.txt"), "--link", str(self.fiscal_link)],
                tmp / "fiscal.log", cwd=ROOT,
            ),
            spawn(
                [py, "-m", "simulators.printer", "--port", str(self.printer_port),
                 "--out", str(tmp / "printed")],
                tmp / "printer.log", cwd=ROOT,
            ),
            spawn(
                [py, "-m", "simulators.scanner", "--link", str(self.scanner_link)],
                tmp / "scanner.log", cwd=ROOT, stdin=subprocess.PIPE,
            ),
        ]  # fmt: skip
        wait_for_path(self.fiscal_link, self.procs[0])
        wait_for_path(self.scanner_link, self.procs[2])

    def env(self) -> dict[str, str]:
        return {
            "STOREGW_FISCAL_PORT": str(self.fiscal_link),
            "STOREGW_FISCAL_SITE": "https://shop.example.ru",
            "STOREGW_PRINTER_URL": f"tcp://127.0.0.1:{self.printer_port}",
            "STOREGW_SCANNER_PORT": str(self.scanner_link),
        }

    def stop(self) -> None:
        for proc in self.procs:
            stop(proc)


def gateway_env(db: Path, broker: Broker, devices: Devices, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREGW_")}
    return {
        **env,
        **devices.env(),
        "PYTHONUNBUFFERED": "1",
        "STOREGW_DATABASE_PATH": str(db),
        "STOREGW_MQTT_URL": broker.url,
        "STOREGW_WEB_LISTEN": f"127.0.0.1:{port}",
        "STOREGW_STORE_ID": "shop-001",
    }


def run_gateway(env: dict, log: Path) -> subprocess.Popen:
    config = ROOT / "firmware-config" / "gateway.dev.toml"
    return spawn([str(BIN / "storegw"), "run", "--config", str(config)], log, env, cwd=ROOT)


def idle_figures(tmp: Path, broker: Broker, devices: Devices) -> dict[str, float]:
    db = tmp / "demo.db"
    demo = tmp / "demo.json"
    demo.write_text(
        json.dumps({"type": "catalog.upsert", "data": make_catalog(20, 3)}), encoding="utf-8"
    )
    import_catalog(db, demo, tmp / "demo-import.log")
    port = free_port()
    gateway = run_gateway(gateway_env(db, broker, devices, port), tmp / "gateway.log")
    bare = subprocess.Popen(
        [sys.executable, "-c", BARE, str(db), str(IDLE_S + SETTLE_S + 60)],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_answering(f"http://127.0.0.1:{port}/healthz", gateway, time.monotonic())
        bare.stdout.readline()
        time.sleep(SETTLE_S)
        pids = {"gateway": gateway.pid, "bare": bare.pid}
        cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
        io0 = {k: written_bytes(p) for k, p in pids.items()}
        t0 = time.monotonic()
        time.sleep(IDLE_S)
        elapsed = time.monotonic() - t0
        cpu = {k: 100 * (cpu_seconds(p) - cpu0[k]) / elapsed for k, p in pids.items()}
        per_hour = {k: (written_bytes(p) - io0[k]) * 3600 / elapsed for k, p in pids.items()}
        rss = {k: rss_mb(p) for k, p in pids.items()}
        if gateway.poll() is not None:
            raise RuntimeError("the gateway exited while idle")
    finally:
        stop(gateway)
        stop(bare)
    return {
        "idle_cpu_percent": cpu["gateway"],
        "bare_cpu_percent": cpu["bare"],
        "rss_idle_mb": rss["gateway"],
        "bare_rss_mb": rss["bare"],
        "db_bytes_written_per_hour_idle": per_hour["gateway"],
        "bare_bytes_written_per_hour": per_hour["bare"],
    }


def start_figures(tmp: Path, broker: Broker, devices: Devices) -> dict[str, float]:
    db = tmp / "big.db"
    catalog = tmp / "big.json"
    write_catalog(catalog)
    import_catalog(db, catalog, tmp / "big-import.log")
    catalog.unlink()
    start = time.monotonic()
    bare = subprocess.run([sys.executable, "-c", BARE, str(db), "0"], capture_output=True)
    raw_s = time.monotonic() - start
    if bare.returncode != 0:
        raise RuntimeError(f"baseline failed: {bare.stderr[-300:]}")
    port = free_port()
    env = gateway_env(db, broker, devices, port)
    start = time.monotonic()
    gateway = run_gateway(env, tmp / "gateway-big.log")
    try:
        ready_s = wait_answering(f"http://127.0.0.1:{port}/healthz", gateway, start)
    finally:
        stop(gateway)
    return {"start_to_ready_s": ready_s, "sqlite_open_count_s": raw_s}


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory(prefix="storegw-appliance-") as name:
        tmp = Path(name)
        broker = Broker(tmp / "broker")
        broker.start()
        devices = None
        try:
            devices = Devices(tmp)
            idle = idle_figures(tmp, broker, devices)
            start = start_figures(tmp, broker, devices)
        except RuntimeError as exc:
            problems.append(str(exc))
            for log in sorted(tmp.glob("gateway*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        finally:
            if devices is not None:
                devices.stop()
            broker.stop()
    if not problems:
        print(f"BENCH idle_cpu_percent {idle['idle_cpu_percent']:.2f} %")
        print(f"BENCH idle_cpu_percent_bare_python {idle['bare_cpu_percent']:.2f} %")
        print(f"BENCH rss_idle_mb {idle['rss_idle_mb']:.1f} MB")
        print(f"BENCH rss_idle_mb_bare_python {idle['bare_rss_mb']:.1f} MB")
        print(f"BENCH start_to_ready_s {start['start_to_ready_s']:.2f} s")
        print(f"BENCH start_sqlite_open_count_100k_s {start['sqlite_open_count_s']:.2f} s")
        written = idle["db_bytes_written_per_hour_idle"]
        print(f"BENCH db_bytes_written_per_hour_idle {written / 1e6:.3f} MB")
        print(
            "BENCH db_bytes_written_per_hour_idle_bare_python"
            f" {idle['bare_bytes_written_per_hour'] / 1e6:.3f} MB"
        )
        for name, value in (
            ("idle_cpu_percent", idle["idle_cpu_percent"]),
            ("rss_idle_mb", idle["rss_idle_mb"]),
            ("start_to_ready_s", start["start_to_ready_s"]),
            ("db_mb_per_hour", written / 1e6),
        ):
            verdict = "met" if value <= AIMS[name] else "NOT met"
            print(f"aim: {name} ≤ {AIMS[name]}: {verdict}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
