"""A Shtrih-M fiscal register (ККТ with a fiscal drive) on a pseudo-terminal, for tests and demos.

Speaks the Shtrih-M serial protocol as the device (FISCAL.md sections 1 and 5), written from the
design notes alone: it shares no code with `drivers/` or `gateway/`.

    sim = FiscalRegisterSimulator(archive_path="fn.json")
    port = sim.start()              # e.g. /dev/pts/5, open it with pyserial
    sim.inject("drop_after_execute", command=0xFF45)
    ... sim.archive, sim.printed, sim.power_cycle(), sim.advance_clock(25 * 3600) ...
    sim.stop()

Faults are listed in `faults.py`. Command line: `python -m simulators.fiscal_register`.
"""

from .faults import DEFAULT_TARGETS as FAULT_NAMES
from .simulator import FiscalRegisterSimulator

__all__ = ["FAULT_NAMES", "FiscalRegisterSimulator"]
