"""LazyFS (github.com/dsrhaslab/lazyfs, a FUSE file system that keeps writes in its own cache
until fsync): the database of a slice of the power-cut campaign lives on it, and after every
SIGKILL `lazyfs::clear-cache` drops whatever the gateway wrote but did not sync — what a real
power cut does to the page cache (RELIABILITY.md R2).

It is not a package: the slice runs when a built `lazyfs` binary is found ($LAZYFS, else on
PATH) and FUSE works (/dev/fuse, fusermount3); otherwise `unavailable()` says why. To build it:
`apt-get install fuse3 libfuse3-dev cmake g++`, then in a clone `libs/libpcache/build.sh` and
`lazyfs/build.sh` (they fetch toml11 and spdlog; offline, use Debian's libtoml11-dev and
libspdlog-dev through find_package instead)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

MOUNT_TIMEOUT = 10.0
CACHE_SIZE = "256mb"


def lazyfs_binary() -> str | None:
    candidate = os.environ.get("LAZYFS") or shutil.which("lazyfs")
    return candidate if candidate and os.access(candidate, os.X_OK) else None


def unavailable() -> str | None:
    """Why the slice cannot run here, or None when it can."""
    if lazyfs_binary() is None:
        return "no lazyfs binary ($LAZYFS or on PATH); how to build one: power_lazyfs.py"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse (FUSE is not available in this container)"
    if shutil.which("fusermount3") is None:
        return "no fusermount3 (apt-get install fuse3)"
    return None


class LazyFs:
    """A LazyFS mount at `workdir/mnt` over `workdir/root`, its fault FIFOs beside them."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.mount = self.workdir / "mnt"
        self.root = self.workdir / "root"
        self.faults = self.workdir / "faults.fifo"
        self.done = self.workdir / "done.fifo"
        self.process: subprocess.Popen | None = None
        self.clears = 0

    def start(self) -> LazyFs:
        self.mount.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "lazyfs.toml"
        config.write_text(
            f'[faults]\nfifo_path="{self.faults}"\nfifo_path_completed="{self.done}"\n'
            f'[cache]\napply_eviction=false\n[cache.simple]\ncustom_size="{CACHE_SIZE}"\n'
            'blocks_per_page=1\n[filesystem]\nlog_all_operations=false\nlogfile=""\n',
            encoding="utf-8",
        )
        # The config path is relative: LazyFS takes a path holding "-o" for an option.
        command = [lazyfs_binary(), str(self.mount), "--config-path", config.name, "-f"]
        command += ["-o", "modules=subdir", "-o", f"subdir={self.root}"]
        self.process = subprocess.Popen(
            command,
            cwd=self.workdir,
            stdout=(self.workdir / "lazyfs.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + MOUNT_TIMEOUT
        while not (os.path.ismount(self.mount) and self.done.exists()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"lazyfs did not mount: see {self.workdir / 'lazyfs.log'}")
            time.sleep(0.05)
        return self

    def clear_cache(self) -> None:
        """Drop every write not yet synced, and wait until LazyFS says it is done."""
        # LazyFS writes its answer only if a reader is there already: open ours first.
        done = os.open(self.done, os.O_RDONLY | os.O_NONBLOCK)
        try:
            with self.faults.open("w") as faults:
                faults.write("lazyfs::clear-cache\n")
            answer, deadline = b"", time.monotonic() + MOUNT_TIMEOUT
            while b"clear-cache" not in answer:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"lazyfs did not finish clear-cache: {answer!r}")
                select.select([done], [], [], 0.05)
                answer += os.read(done, 256)
        finally:
            os.close(done)
        self.clears += 1

    def stop(self) -> None:
        subprocess.run(["fusermount3", "-u", str(self.mount)], check=False, capture_output=True)
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
