"""`storegw run` as a child process, the way systemd runs it (the reliability campaigns): started
with a config file and its output appended to a log, ready once its web port answers, stopped
with SIGTERM (killed if it does not stop), or cut with SIGKILL like a power loss."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from tests.loopback import port_accepts

ROOT = Path(__file__).resolve().parent.parent
STOREGW = Path(sys.executable).parent / "storegw"


class GatewayDown(RuntimeError):
    """The gateway exited, or did not come up in time."""


class GatewayProcess:
    def __init__(self, config: Path, log: IO[bytes], port: int):
        self.config, self.log, self.port = config, log, port
        self.process: subprocess.Popen | None = None

    def start(self) -> GatewayProcess:
        self.process = subprocess.Popen(
            [str(STOREGW), "run", "--config", str(self.config)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Until its web port answers."""
        deadline = time.monotonic() + timeout
        while not port_accepts(self.port):
            if not self.alive():
                code = self.process.returncode if self.process else None
                raise GatewayDown(f"the gateway exited with {code}: see {self.log.name}")
            if time.monotonic() > deadline:
                seconds = f"{timeout:.0f} s"
                raise GatewayDown(f"the gateway did not come up in {seconds}: see {self.log.name}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """A power cut: nothing flushed, nothing said to anyone."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, as systemd stops it: the exit code (0 is a clean stop), or None when it
        did not stop in `timeout` and was killed."""
        if not self.alive():
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None
