"""A barcode scanner in USB-COM (CDC) mode on a pseudo-terminal, for tests and demos.

Written from the design notes alone (FISCAL.md 4): it shares no code with `drivers/` or
`gateway/`, so the code builder and the check digit here are a second, independent copy.

    sim = ScannerSimulator(suffix=b"\\r\\n", char_delay=0.001, link_path=tmp / "scanner")
    port = sim.start()                   # open it with pyserial
    sim.scan(codes.gtin("460000000001"))
    sim.scan(marking, layout="ru")       # typed through a Russian keyboard layout
    sim.scan(marking, drop_gs=True)      # the GS separators lost
    sim.unplug(); sim.plug()             # the port disappears and comes back
    sim.stop()

Command line: `python -m simulators.scanner` (see __main__.py).
"""

from . import codes, mangling
from .simulator import ScannerSimulator

__all__ = ["ScannerSimulator", "codes", "mangling"]
