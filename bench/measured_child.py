"""Running a command as the bench's measured child: its own wall time, peak RSS and CPU time,
and a `storegw` that starts as it does on the appliance (bench_catalog.py)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

CHILD_TIMEOUT_S = 150  # per subprocess; the whole script should stay under ~3 minutes


# Linux keeps a process's peak RSS across fork and exec: a child spawned by this (large) process
# would report this process's peak as its own. A small launcher process spawns the measured
# command instead and reports that command's own rusage, and the wall time around it.
LAUNCHER = """
import os, sys, time
result, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(result, "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{os.waitstatus_to_exitcode(status)} {elapsed} {usage.ru_maxrss} {cpu}")
"""


def run_measured(
    argv: list[str], out: Path, env: dict[str, str] | None = None
) -> tuple[int, float, float, float]:
    """Run a command to its end: (exit code, wall seconds, its own peak RSS in MB, its CPU
    seconds, user + system). Its stdout and stderr go to `out`."""
    result = out.with_suffix(".rusage")
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(result), *argv],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,  # its own process group: a timeout kills the command too
        )
        try:
            proc.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            print(f"{argv[0]} killed after {CHILD_TIMEOUT_S} s")
            return -signal.SIGKILL, float(CHILD_TIMEOUT_S), 0.0, 0.0
    if proc.returncode != 0 or not result.exists():
        return proc.returncode or 1, 0.0, 0.0, 0.0
    code, elapsed, maxrss, cpu = result.read_text().split()
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak = int(maxrss) / (2**20 if sys.platform == "darwin" else 2**10)
    return int(code), float(elapsed), peak, float(cpu)


def child_result(out: Path) -> dict:
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"child printed no RESULT line:\n{out.read_text(errors='replace')[-2000:]}")


def compiled_env(tmp: Path) -> dict[str, str]:
    """The environment of a `storegw` whose modules are compiled, as on the appliance, where
    pip compiles the wheel when install.sh installs it: bytecode is read from (and, the first
    time, written to) a folder of the bench's own, even where PYTHONDONTWRITEBYTECODE is set
    (this sandbox sets it, and an editable install would otherwise compile every source at
    every start: 0.1 s)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(tmp / "bytecode")}


def storegw_argv() -> list[str]:
    script = Path(sys.executable).parent / "storegw"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gateway.cli"]
