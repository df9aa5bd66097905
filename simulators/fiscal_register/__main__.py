"""python -m simulators.fiscal_register — a Shtrih-M register on a pseudo-terminal.

Prints the pty's slave path (e.g. /dev/pts/5) as its first line, then serves until SIGTERM/SIGINT.
With --link PATH it also makes PATH a symlink to that pty (a stable name, like a udev rule gives a
real register), replacing a stale one, and removes it on exit.
"""

import argparse
import os
import signal
import sys
import threading

from .simulator import FiscalRegisterSimulator


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m simulators.fiscal_register", description=__doc__)
    p.add_argument("--archive", help="JSON file holding the fiscal drive (survives restarts)")
    p.add_argument("--print-to", help="append printed documents as text to this file")
    p.add_argument("--extended-answers", action="store_true", help="FF45h answer with DATE_TIME")
    p.add_argument("--link", help="a symlink to the pty with a stable name, e.g. var/ttyFISCAL")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sim = FiscalRegisterSimulator(
        args.archive, print_to=args.print_to, extended_answers=args.extended_answers
    )
    path = sim.start()
    if args.link:
        temporary = f"{args.link}.new"
        os.symlink(path, temporary)
        os.replace(temporary, args.link)  # atomically: never a moment with a stale target
    print(path, flush=True)
    try:
        stop.wait()
    finally:
        if args.link and os.path.islink(args.link) and os.readlink(args.link) == path:
            os.unlink(args.link)
        sim.stop()
    print(f"stopped: {len(sim.archive)} fiscal documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
