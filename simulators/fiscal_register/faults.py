"""Scriptable faults: a queue of named faults, each consumed by the first later command it fits.

paper_out (any command): the paper runs out before the command runs (sub-mode 1).
paper_out_during_print (a command printing a document): it runs, printing stops: sub-mode 2,
    then 3 after load_paper(); B0h prints the rest.
busy (any): `count` commands (default 1) answered 50h and not executed.
bad_lrc (any): the answer goes out with a wrong LRC (its re-sends on ENQ are good).
lost_ack (any): the device's ACK of the command frame is lost; the answer waits for ENQ.
lost_host_ack (any): the host's ACK of the answer is lost, so the answer stays pending.
garbage (any): `data` bytes (default noise) precede the answer frame.
slow_answer (any): the answer follows `seconds` later (ENQ meanwhile gets ACK).
drop_before_execute (FF45h): the line drops as the frame arrives: never executed (mode 8 stays).
drop_after_execute (FF45h): executed, the line drops before ACK and answer; the answer waits
    for ENQ, or with keep_answer=False it is lost too.
power_cycle_after_execute (FF45h): executed, then the power is lost: the answer buffer is gone.

Every fault takes `command=<code>` (e.g. 0xFF45, 0x41) to aim it at one command.
"""

from dataclasses import dataclass, field

ANY = None
PRINTING_DOCUMENTS = (0xFF45, 0x40, 0x41, 0xE0, 0x50, 0x51, 0x8C)
DEFAULT_TARGETS: dict[str, tuple[int, ...] | None] = {
    "paper_out": ANY,
    "paper_out_during_print": PRINTING_DOCUMENTS,
    "busy": ANY,
    "bad_lrc": ANY,
    "lost_ack": ANY,
    "lost_host_ack": ANY,
    "garbage": ANY,
    "slow_answer": ANY,
    "drop_before_execute": (0xFF45,),
    "drop_after_execute": (0xFF45,),
    "power_cycle_after_execute": (0xFF45,),
}
NOISE = b"\xff\x13\x00\x7a\x11"


@dataclass
class Fault:
    name: str
    targets: tuple[int, ...] | None
    params: dict = field(default_factory=dict)

    def fits(self, command: int) -> bool:
        return self.targets is None or command in self.targets


class FaultQueue:
    def __init__(self):
        self.pending: list[Fault] = []

    def inject(self, name: str, **params) -> None:
        if name not in DEFAULT_TARGETS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(DEFAULT_TARGETS)}")
        command = params.pop("command", None)
        targets = (command,) if command is not None else DEFAULT_TARGETS[name]
        self.pending.append(Fault(name, targets, params))

    def take(self, name: str, command: int) -> Fault | None:
        """Remove and return the first queued `name` fault that fits `command`."""
        for fault in self.pending:
            if fault.name == name and fault.fits(command):
                if fault.name == "busy" and fault.params.get("count", 1) > 1:
                    fault.params["count"] -= 1
                else:
                    self.pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.pending.clear()
