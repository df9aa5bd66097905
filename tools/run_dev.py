"""`make run`: a local Mosquitto, the cloud back-office simulator, the fiscal register simulator
and the gateway, in one terminal.

Each one's output lines come prefixed with [broker], [cloud], [fiscal], [printer], [scanner] or
[gateway]. Ctrl-C (or SIGTERM) stops the gateway, then the simulators, then the broker, and exits
0. If one of them dies, this says which and stops the others (exit status 1). The register
simulator is reached through the symlink var/ttyFISCAL and prints its receipts to
var/fiscal-printed.txt; the ESC/POS printer simulator listens on 127.0.0.1:19100 and saves each
slip as text and PNG in var/printed/; the scanner simulator sits behind var/ttySCANNER, and a line
typed into this terminal is scanned.

Everything runs from the repository root. Overrides, for a second copy or for tests:
  --broker-port / STOREGW_DEV_BROKER_PORT   the broker's port (default 18830)
  --printer-port / STOREGW_DEV_PRINTER_PORT the printer simulator's port (default 19100)
  --var-dir / STOREGW_DEV_VAR_DIR           broker persistence, simulator state (default var/);
                                            also the gateway's database unless
                                            STOREGW_DATABASE_PATH says otherwise
  STOREGW_WEB_LISTEN, STOREGW_STORE_ID, ... the gateway's own variables, passed through.
The gateway always gets STOREGW_MQTT_URL pointing at the broker started here.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from contextlib import closing, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # .venv/bin when started as `.venv/bin/python tools/run_dev.py`
DEV_CONFIG = "firmware-config/gateway.dev.toml"
DEFAULT_BROKER_PORT = 18830
DEFAULT_PRINTER_PORT = 19100
DEFAULT_VAR_DIR = "var"
SIMULATOR_RATE = "1"  # messages per second
BROKER_START_S = 10.0
GATEWAY_START_S = 30.0
STOP_TIMEOUT_S = 10.0
TAG_WIDTH = len("[gateway]")

_print_lock = threading.Lock()
_stop_requested: list[str] = []  # the names of the signals received
# Loaded before any fork: the child only calls it.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def say(tag: str, line: str) -> None:
    banner(f"{tag:<{TAG_WIDTH}} {line}")


def note(line: str) -> None:
    say("[dev]", line)


def banner(line: str) -> None:
    """What the developer looks for: untagged, so it stands out (`say` tags its lines)."""
    with _print_lock:
        sys.stdout.write(f"{line}\n")
        sys.stdout.flush()


class Child:
    """One supervised process, its output pumped line by line under a tag."""

    def __init__(
        self, name: str, tag: str, argv: list[str], env: dict[str, str], *, stdin=subprocess.DEVNULL
    ):
        self.name = name
        self.tag = tag
        self.argv = argv
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: a Ctrl-C in the terminal reaches only us, and we stop the
            # children in order. If we are killed outright, the kernel sends them SIGTERM.
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        self._pump = threading.Thread(target=self._copy_output, name=f"out-{name}", daemon=True)
        self._pump.start()

    def _copy_output(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            say(self.tag, raw.decode("utf-8", errors="replace").rstrip("\r\n"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            note(f"stopping the {self.name} (pid {self.proc.pid})")
            with suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                note(f"the {self.name} ignored SIGTERM for {STOP_TIMEOUT_S:.0f} s: SIGKILL")
                self.proc.kill()
                self.proc.wait()
        self._pump.join(timeout=2)  # its last lines before ours


def _die_with_parent() -> None:
    if _prctl is not None:
        _prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG


class Stop(Exception):
    """A signal asked us to stop."""


class Died(Exception):
    """A child exited on its own."""


def _on_signal(signum, frame) -> None:
    # Only a flag: an exception raised here could land inside Popen and lose a child.
    _stop_requested.append(signal.Signals(signum).name)


def port_is_free(port: int) -> bool:
    with closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def healthz_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # it answers; a 503 only means something is degraded
    except OSError:
        return False


def find_mosquitto() -> str | None:
    # Debian puts it in /usr/sbin, which is not on a normal user's PATH.
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which("mosquitto", path=path)


def write_broker_conf(var_dir: Path, port: int) -> Path:
    persistence = var_dir / "mosquitto"
    persistence.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by tools/run_dev.py at each `make run`: edit that file, not this one."]
    if os.geteuid() == 0:
        lines.append("user root")  # else it drops to `mosquitto`, who cannot write var/
    lines += [
        f"listener {port} 127.0.0.1",
        "allow_anonymous true",
        "persistence true",
        f"persistence_location {persistence.resolve()}/",
        "log_dest stderr",
        "log_timestamp_format %H:%M:%S",
        "set_tcp_nodelay true",  # small messages where latency matters
    ]
    conf = persistence / "mosquitto.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def web_url(listen: str) -> str:
    host, _, port = listen.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}/"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--broker-port",
        type=int,
        default=int(os.environ.get("STOREGW_DEV_BROKER_PORT", DEFAULT_BROKER_PORT)),
    )
    parser.add_argument(
        "--printer-port",
        type=int,
        default=int(os.environ.get("STOREGW_DEV_PRINTER_PORT", DEFAULT_PRINTER_PORT)),
    )
    parser.add_argument("--var-dir", default=os.environ.get("STOREGW_DEV_VAR_DIR", DEFAULT_VAR_DIR))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    with (ROOT / DEV_CONFIG).open("rb") as f:
        config = tomllib.load(f)
    store = os.environ.get("STOREGW_STORE_ID") or config["store"]["id"]
    ui_url = web_url(os.environ.get("STOREGW_WEB_LISTEN") or config["web"]["listen"])
    broker_url = f"mqtt://127.0.0.1:{args.broker_port}"

    mosquitto = find_mosquitto()
    if mosquitto is None:
        note("mosquitto is not installed: run `make deps` (or `sudo apt-get install mosquitto`)")
        return 1
    if not port_is_free(args.broker_port):
        note(
            f"port {args.broker_port} is taken: is another `make run` running? "
            "Another port: STOREGW_DEV_BROKER_PORT=18831 make run"
        )
        return 1

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    gateway_env = {**env, "STOREGW_MQTT_URL": broker_url}
    if var_dir != Path(DEFAULT_VAR_DIR):
        gateway_env.setdefault("STOREGW_DATABASE_PATH", str(var_dir / "gateway.db"))
    broker_argv = [mosquitto, "-c", str(write_broker_conf(var_dir, args.broker_port))]
    cloud_argv = [
        sys.executable, "-m", "simulators.backoffice",
        "--url", broker_url,
        "--store", store,
        "--rate", SIMULATOR_RATE,
        "--state-file", str(var_dir / "backoffice.json"),
    ]  # fmt: skip
    fiscal_link = var_dir / "ttyFISCAL"
    fiscal_argv = [
        sys.executable, "-m", "simulators.fiscal_register",
        "--archive", str(var_dir / "fiscal-fn.json"),
        "--print-to", str(var_dir / "fiscal-printed.txt"),
        "--link", str(fiscal_link),
    ]  # fmt: skip
    gateway_env.setdefault("STOREGW_FISCAL_PORT", str(fiscal_link))
    gateway_env.setdefault("STOREGW_FISCAL_SITE", "https://shop.example.ru")  # online payments
    printer_argv = [
        sys.executable, "-m", "simulators.printer",
        "--port", str(args.printer_port),
        "--out", str(var_dir / "printed"),
    ]  # fmt: skip
    gateway_env.setdefault("STOREGW_PRINTER_URL", f"tcp://127.0.0.1:{args.printer_port}")
    scanner_link = var_dir / "ttySCANNER"
    scanner_argv = [sys.executable, "-m", "simulators.scanner", "--link", str(scanner_link)]
    gateway_env.setdefault("STOREGW_SCANNER_PORT", str(scanner_link))
    gateway_argv = [str(BIN / "storegw"), "run", "--config", DEV_CONFIG]

    children: list[Child] = []
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    status = 0
    try:
        children.append(Child("broker", "[broker]", broker_argv, env))
        wait_for_port(children[0], args.broker_port)
        children.append(Child("cloud simulator", "[cloud]", cloud_argv, env))
        banner(f"Cloud back-office simulator: publishing to {broker_url}")
        for link in (fiscal_link, scanner_link):
            with suppress(FileNotFoundError):
                link.unlink()  # a stale link must not lead the gateway to someone else's pty
        children.append(Child("fiscal register simulator", "[fiscal]", fiscal_argv, env))
        wait_for_link(children[-1], fiscal_link)
        banner(f"Fiscal register simulator on {fiscal_link} (receipts: fiscal-printed.txt)")
        if not port_is_free(args.printer_port):
            raise Died(f"port {args.printer_port} is taken: STOREGW_DEV_PRINTER_PORT=19101")
        children.append(Child("printer simulator", "[printer]", printer_argv, env))
        wait_for_port(children[-1], args.printer_port)
        banner(f"Receipt printer simulator on 127.0.0.1:{args.printer_port} (slips in printed/)")
        scanner = Child("scanner simulator", "[scanner]", scanner_argv, env, stdin=subprocess.PIPE)
        children.append(scanner)
        wait_for_link(scanner, scanner_link)
        type_into(scanner)
        banner("Scanner simulator: type a barcode here and press Enter to scan it")
        _check(children)
        staff_line = demo_staff(gateway_env)
        children.append(Child("gateway", "[gateway]", gateway_argv, gateway_env))
        supervise(children, ui_url, staff_line)
    except Stop as stop:
        note(f"{stop}: stopping")
    except Died as died:
        note(str(died))
        status = 1
    finally:
        # A second Ctrl-C during the shutdown only sets the flag again.
        for child in reversed(children):  # gateway, simulators, then the broker
            child.stop()
    note("all stopped")
    return status


DEMO_STAFF = (("Ольга", "manager", "1111"), ("Анна", "cashier", "2222"))  # demo only


def demo_staff(env: dict[str, str]) -> str:
    """A demo manager and cashier on a new development database, so the PIN pad can be tried
    at once; the banner says who they are. A real shop makes its own: `storegw staff add`."""
    storegw = [str(BIN / "storegw"), "--config", DEV_CONFIG, "staff"]
    listed = subprocess.run(
        [*storegw, "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    names = {row["name"] for row in json.loads(listed.stdout) if row["active"]}
    for name, role, pin in DEMO_STAFF:
        if not names:
            subprocess.run(
                [*storegw, "add", name, "--role", role],
                env=env, input=pin + "\n", capture_output=True, text=True, check=True,
            )  # fmt: skip
    if names and not names & {name for name, _, _ in DEMO_STAFF}:
        return "Sign in with the staff of this database (storegw staff list)"
    return "Demo staff (demo only): " + ", ".join(
        f"{name} ({'управляющий' if role == 'manager' else 'кассир'}) PIN {pin}"
        for name, role, pin in DEMO_STAFF
    )


def _check(children: list[Child]) -> None:
    if _stop_requested:
        raise Stop(_stop_requested[0])
    for child in children:
        if not child.alive():
            raise Died(
                f"the {child.name} exited with status {child.proc.returncode}: stopping the others"
            )


def wait_for_port(child: Child, port: int) -> None:
    deadline = time.monotonic() + BROKER_START_S
    while not port_accepts(port):
        _check([child])
        if time.monotonic() > deadline:
            raise Died(f"the {child.name} did not listen on port {port} in {BROKER_START_S:.0f} s")
        time.sleep(0.05)


def type_into(scanner: Child) -> None:
    """What the developer types in this terminal goes to the scanner simulator, a line a scan."""
    if not sys.stdin.isatty():
        return

    def copy() -> None:
        for line in sys.stdin:
            try:
                scanner.proc.stdin.write(line.encode("utf-8"))
                scanner.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                return

    threading.Thread(target=copy, name="keyboard-to-scanner", daemon=True).start()


def wait_for_link(simulator: Child, link: Path) -> None:
    deadline = time.monotonic() + BROKER_START_S
    while not link.is_symlink():
        _check([simulator])
        if time.monotonic() > deadline:
            raise Died(f"the fiscal register simulator made no {link} in {BROKER_START_S:.0f} s")
        time.sleep(0.05)


def supervise(children: list[Child], ui_url: str, staff_line: str) -> None:
    """Until a signal (Stop) or a death (Died); announces the UI once /healthz answers."""
    announced = False
    deadline = time.monotonic() + GATEWAY_START_S
    while True:
        _check(children)
        if not announced:
            if healthz_answers(ui_url):
                banner(f"Store gateway UI: {ui_url}")  # the order board
                banner(f"Devices and the cloud link: {ui_url}devices")
                banner(staff_line)
                announced = True
            elif time.monotonic() > deadline:
                note(f"the gateway's UI is not answering on {ui_url} yet")
                announced = True
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
