"""A Shtrih-M fiscal register (ККТ with a fiscal drive) on a pseudo-terminal, for tests and demos.

Speaks the Shtrih-M serial protocol as the device (FISCAL.md sections 1 and 5), written from the
design notes alone: it shares no code with `drivers/` or `gateway/`.

    sim = FiscalRegisterSimulator(archive_path="fn.json")
    port = sim.start()              # e.g. /dev/pts/5, open it with pyserial
    sim.inject("drop_after_execute", command=0xFF45)
    ... sim.archive, sim.printed, sim.power_cycle(), sim.advance_clock(25 * 3600) ...
    sim.stop()

Commands: status 10h 11h FCh; shifts E0h 40h 41h FF41h FF42h FF40h; cash 50h 51h; receipts 8Dh
(0..3, and 0x80..0x83 correction receipts) FF46h FF0Ch FF4Dh FF45h 88h; printing 8Ch B0h;
tables 1Eh/1Fh (table 17 row 1 field 7 «не печатать документ»: 1 = the next document is archived
with "printed": False and not printed, then it resets; 2 = none is printed); the drive FF01h
FF02h FF03h FF0Ah FF39h FF3Ah/FF3Bh (a document as TLV, `document_tlv.py`); marking FF61h FF69h
FF67h. Anything else, or a code in `unsupported_commands=` (an older model), answers 37h.

The archive (`sim.archive`: the current drive; `sim.all_documents`: every drive, each document
with its `fn`): receipts ("receipt", 3) and correction receipts ("correction", 31, with
`correction: {"1173", "1178", "1179", "date"}`) hold `op_type`, `items` (name, quantity in
millionths, price, amount, vat, payment_method = 1214, payment_object = 1212, marking_code,
"2106"), `payments` (kind cash / electronic / prepayment, index = the FF45h sum), `total`,
`change`, `prepaid` (= `"1215"`, FF45h sum 14), `buyer_contact` (1008), `internet` (1125 = 1),
`place` (1187), `printed`, `ofd_sent`, `tlv` (the FF0Ch tags: text as str, byte tags as int,
1174 as a dict) and `fd`, `fp`, `shift`, `number`, `time` (when the drive signed it; the
register's wall clock is the simulator's clock read as UTC: FF0Ah and an extended FF45h answer
give it as DATE_TIME, the receipt prints it as «ДАТА»).

The drive and the OFD: every document waits in the drive's OFD queue (`sim.ofd_queue`) until
sent; online (the default) that is at once; `sim.set_ofd_online(False)` lets the queue grow and
age with the simulator's clock; after 30 days the drive refuses new documents (15h); back online
the queue drains. FF01h warning flags (rules in `commands_ofd.py`): b0/b1 expiry within 3/30 days
(`sim.set_fn_expiry('YYYY-MM-DD')`, default 13 months after the drive is first used), b2 archive
≥ 90 % of `sim.set_archive_capacity(n)`, b3 a document waited over 24 h for the OFD.
`sim.replace_fn(serial)` (shift closed) puts in a new drive: FD and shift numbers from 1, an
empty archive, the serial in FF01h/FF02h; `sim.fn_serial` tells the current one.

Faults are listed in `faults.py`. Command line: `python -m simulators.fiscal_register`.
"""

from .faults import DEFAULT_TARGETS as FAULT_NAMES
from .simulator import FiscalRegisterSimulator

__all__ = ["FAULT_NAMES", "FiscalRegisterSimulator"]
