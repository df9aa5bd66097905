"""The printer's settable condition and the status bytes it answers with (Epson ESC/POS).

DLE EOT n answers one byte with bits 1 and 4 always set (0x12):
  n=1 printer:       bit 3 offline
  n=2 offline cause: bit 2 cover open, bit 5 stopped by paper end
  n=3 error cause:   (no errors simulated)
  n=4 paper sensors: bits 2-3 roll near end, bits 5-6 roll end
"""

from __future__ import annotations

from dataclasses import dataclass

FIXED_BITS = 0x12


@dataclass
class PrinterState:
    paper_out: bool = False
    paper_low: bool = False
    offline: bool = False  # cover open, or any other reason the printer stopped
    answers_status: bool = True  # False: a printer that ignores DLE EOT

    @property
    def can_print(self) -> bool:
        return not (self.paper_out or self.offline)


def real_time_status(state: PrinterState, n: int) -> bytes | None:
    """The answer to DLE EOT ``n``; None when this printer does not answer."""
    if not state.answers_status:
        return None
    value = FIXED_BITS
    if n == 1:
        value |= 0x08 if not state.can_print else 0
    elif n == 2:
        value |= 0x04 if state.offline else 0
        value |= 0x20 if state.paper_out else 0
    elif n == 4:
        value |= 0x0C if state.paper_low or state.paper_out else 0
        value |= 0x60 if state.paper_out else 0
    elif n != 3:
        return None
    return bytes([value])


def transmit_status(state: PrinterState, n: int) -> bytes | None:
    """The answer to GS r ``n`` (n=1 or 49: paper sensors, bits 0-1 near end, bits 2-3 end)."""
    if not state.answers_status or n not in (1, 49):
        return None
    value = 0x03 if state.paper_low or state.paper_out else 0
    value |= 0x0C if state.paper_out else 0
    return bytes([value])
