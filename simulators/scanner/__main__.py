"""python -m simulators.scanner — a USB-COM barcode scanner on a pseudo-terminal.

Prints the path to open (the pty, or --link) as its first line, then types every line read
from standard input as one scan. At the end of the input it waits until a reader has read
everything typed (closing the pty earlier would lose it), then exits; SIGTERM/SIGINT exit at
once. In an input line the token <GS> (or a literal GS byte) stands for the GS separator
(0x1D). Empty lines are skipped.

    python -m simulators.scanner --suffix crlf --delay 0.002 --layout ru < codes.txt
    printf '4600000000010\\n0104600439931256215Lh2Ow&Z3wHCM<GS>93dGVz\\n' \\
        | python -m simulators.scanner --link /tmp/scanner --wait 5

Options: --suffix cr|lf|crlf|tab|none, --delay seconds between characters, --layout us|ru
(ru: typed through a Russian keyboard layout), --drop-gs (lose the separators), --prefix ]d2
(a symbology identifier before each code), --wait seconds before typing (time to open the
port: a port opened later discards what came before), --encoding (utf-8 or cp1251).
"""

import argparse
import signal
import sys
import time

from .simulator import ScannerSimulator

SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t", "none": b""}
GS = "\x1d"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m simulators.scanner",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--suffix", choices=sorted(SUFFIXES), default="crlf")
    p.add_argument("--delay", type=float, default=0.0, help="seconds between characters")
    p.add_argument("--layout", choices=("us", "ru"), default="us")
    p.add_argument("--drop-gs", action="store_true", help="lose the GS separators")
    p.add_argument("--prefix", default="", help="symbology identifier, e.g. ]d2")
    p.add_argument("--link", help="a symlink to the pty, like a udev rule's /dev/scanner")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait before typing")
    p.add_argument("--encoding", default="utf-8")
    return p.parse_args(argv)


def interrupted(*_) -> None:
    raise KeyboardInterrupt  # leaves a blocking stdin read too


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, interrupted)
    sim = ScannerSimulator(
        suffix=SUFFIXES[args.suffix],
        char_delay=args.delay,
        layout=args.layout,
        drop_gs=args.drop_gs,
        prefix=args.prefix,
        encoding=args.encoding,
        link_path=args.link,
    )
    print(sim.start(), flush=True)
    try:
        time.sleep(args.wait)
        for line in sys.stdin:
            code = line.rstrip("\r\n").replace("<GS>", GS)
            if code:
                sim.scan(code)
        sim.wait_drained()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print(f"typed {len(sim.sent)} codes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
