"""The cloud's own outbox: a gapless seq per store and every sequenced message kept for resend.

The gateway applies cloud messages in seq order and asks `sync.resend {"from_seq": N}` when one is
missing, so the cloud must be able to send any of them again with the same id and seq. With a
state file (JSON lines, append-only, so a crash loses at most a torn last line) a restarted
simulator continues its seq, can still resend, and remembers how far it acknowledged the gateway."""

import json
import os
from pathlib import Path

from .envelope import make_envelope


class Outbound:
    def __init__(self, state_file: str | os.PathLike | None = None) -> None:
        self.last_seq = 0  # the highest seq allocated
        self.kept: dict[int, dict] = {}  # seq → envelope
        self.sent_at: dict[int, float] = {}  # seq → when last published (monotonic)
        self.topics: dict[int, str] = {}  # seq → the topic suffix it was sent on ("in/orders")
        self.restored_ack = 0  # the through_seq this cloud last acknowledged (from the file)
        self.path = Path(state_file) if state_file else None
        self.resumed = False
        if self.path and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            if "sent" in record:
                env = record["sent"]
                self.kept[env["seq"]] = env
                self.topics[env["seq"]] = record["topic"]
                self.sent_at[env["seq"]] = float("-inf")  # sent by an earlier run: long ago
                self.last_seq = max(self.last_seq, env["seq"])
            if "next_seq" in record:
                self.last_seq = max(self.last_seq, record["next_seq"] - 1)
            if "acked" in record:
                self.restored_ack = max(self.restored_ack, record["acked"])
        self.resumed = True

    def _append(self, record: dict) -> None:
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()

    def allocate(self) -> int:
        self.last_seq += 1  # persisted by record() when the message is sent
        return self.last_seq

    def make(self, type: str, data: dict, *, seq: int | bool = True, msg_id: str | None = None):
        """An envelope: seq True takes the next seq, an int uses that one, False none."""
        if seq is True:
            number: int | None = self.allocate()
        elif seq is False or seq is None:
            number = None
        else:
            number = int(seq)
        return make_envelope(type, data, seq=number, msg_id=msg_id)

    def record(self, env: dict, now: float, topic: str) -> None:
        """An envelope was handed to MQTT on `topic`: keep it (if sequenced) for resends."""
        seq = env.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            return
        if seq not in self.kept:
            self._append({"sent": env, "topic": topic})
        self.kept[seq] = env
        self.topics[seq] = topic
        self.sent_at[seq] = now
        self.last_seq = max(self.last_seq, seq)

    def from_seq(self, first: int) -> list[dict]:
        return [self.kept[s] for s in sorted(self.kept) if s >= first]

    def unapplied(self, in_seq: int, sent_before: float) -> list[dict]:
        """Messages after the gateway's `in_seq` that it should have had by now (sent before
        `sent_before`): lost on the way (a broker drop, or no session yet), send again."""
        first = next(
            (s for s in sorted(self.kept) if s > in_seq and self.sent_at[s] <= sent_before), None
        )
        return [] if first is None else self.from_seq(first)

    def catch_up(self, in_seq: int) -> bool:
        """The gateway applied cloud seqs beyond any we allocated (a restart without a state
        file): continue after them, or the gateway would skip our next messages as old."""
        if in_seq <= self.last_seq:
            return False
        self.last_seq = in_seq
        self._append({"next_seq": in_seq + 1})
        return True

    def note_acked(self, through: int) -> None:
        self._append({"acked": through})
