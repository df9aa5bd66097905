"""python -m simulators.printer — an ESC/POS network printer that saves what it prints.

Usage:
    python -m simulators.printer --port 9100 --out slips/
    python -m simulators.printer --port 9100 --out slips/ --paper 58 --paper-out

Prints "listening on HOST:PORT" as its first line, then serves until SIGTERM/SIGINT. Every slip
(everything up to a cut) is saved as DIR/slip-0001.txt (the decoded text, with [CODE128: ...] lines
for barcodes) and DIR/slip-0001.png (a picture of the slip). Point the gateway's printer at it, or
try it with python-escpos:

    python -c "from escpos.printer import Network; p = Network('127.0.0.1', 9100); \\
               p.charcode('CP866'); p.textln('Привет'); p.cut()"

--paper-out and --offline start the printer in that state: it answers status requests
(DLE EOT) accordingly and prints nothing.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .document import PrintedDocument
from .simulator import PrinterSimulator

PAPER_DOTS = {"80": 576, "58": 384}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m simulators.printer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9100, help="TCP port (default 9100; 0: any free)")
    p.add_argument("--out", type=Path, default=Path("printed"), help="folder for .txt and .png")
    p.add_argument("--paper", choices=sorted(PAPER_DOTS), default="80", help="roll width in mm")
    p.add_argument("--paper-out", action="store_true", help="start with no paper")
    p.add_argument("--offline", action="store_true", help="start offline (cover open)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    simulator: PrinterSimulator

    def save(index: int, document: PrintedDocument) -> None:
        stem = args.out / f"slip-{index + 1:04d}"
        stem.with_suffix(".txt").write_text(document.transcript(), encoding="utf-8")
        simulator.render_png(index, stem.with_suffix(".png"))
        print(f"printed {stem}.txt, {stem}.png", file=sys.stderr, flush=True)

    simulator = PrinterSimulator(
        args.host, args.port, paper_dots=PAPER_DOTS[args.paper], on_document=save
    )
    simulator.paper_out = args.paper_out
    simulator.offline = args.offline
    host, port = simulator.start()
    print(f"listening on {host}:{port}", flush=True)
    try:
        stop.wait()
    finally:
        simulator.stop()
    print(f"stopped: {len(simulator.documents)} slips in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
