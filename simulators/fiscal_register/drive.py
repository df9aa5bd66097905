"""The fiscal drive (ФН) and the register's non-volatile memory, persisted as one JSON file.

The drive numbers documents (FD), signs each with a fiscal sign (FP: a keyed HMAC of the document
truncated to 4 bytes), keeps the archive and the queue of documents not yet sent to the OFD, and
knows its serial number and end of life. The file is rewritten atomically after every change, so
a simulated power cycle reloads exactly what a real drive would still hold.

A replaced drive (`replace`) is kept in `retired_drives` with its archive; the new one starts at
FD 1 and shift 1. The register's own memory (cash in the drawer, tables) stays.
"""

import calendar
import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Any

FN_SERIAL = "9999078902004321"  # the first drive's serial
DOC_TYPE_CODES = {"open_shift": 2, "receipt": 3, "close_shift": 5, "correction": 31}
SHIFT_LIMIT_SECONDS = 24 * 3600
FN_LIFE_MONTHS = 13  # a new drive's default end of life (FN-1.1 for 13 months)
ARCHIVE_CAPACITY = 250_000  # documents; the simulator's default, `set_archive_capacity` changes it
DRIVE_KEYS = (
    "fn_serial", "fn_expires", "archive_capacity", "last_fd", "documents", "shift", "ofd_queue",
)  # fmt: skip
NO_PRINT_KEY = "17.1.7"  # table 17 row 1 field 7, «не печатать документ»


def _fresh_drive(serial: str) -> dict[str, Any]:
    return {
        "fn_serial": serial,
        "fn_expires": None,  # 'YYYY-MM-DD', set when the drive is first used
        "archive_capacity": ARCHIVE_CAPACITY,
        "last_fd": 0,
        "documents": [],
        "shift": {"number": 0, "open": False, "opened_at": None, "receipts": 0},
        "ofd_queue": [],  # FDs not yet sent to the OFD, oldest first
    }


def _fresh() -> dict[str, Any]:
    return {
        **_fresh_drive(FN_SERIAL),
        "retired_drives": [],
        "cash_in_drawer": 0,
        "kkt_document_number": 0,
        "print_pending": None,  # text of a document fiscalised but not fully printed
        "tables": {NO_PRINT_KEY: 0},
    }


def months_later(when: float, months: int) -> str:
    t = time.gmtime(when)
    index = t.tm_year * 12 + t.tm_mon - 1 + months
    year, month = divmod(index, 12)
    day = min(t.tm_mday, calendar.monthrange(year, month + 1)[1])
    return f"{year:04d}-{month + 1:02d}-{day:02d}"


class FiscalDrive:
    def __init__(self, path: str | os.PathLike | None = None, key: bytes = b"simulated-fn-key"):
        self.path = Path(path) if path else None
        self.key = key
        self.memory = _fresh()
        self.ofd_online = True  # the register reaches the OFD: documents leave at once
        self.load()

    # persistence ---------------------------------------------------------------------------
    def load(self) -> None:
        if self.path and self.path.exists():
            self.memory = {**_fresh(), **json.loads(self.path.read_text(encoding="utf-8"))}

    def save(self) -> None:
        if not self.path:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.memory, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    # the drive itself ------------------------------------------------------------------------
    @property
    def serial(self) -> str:
        return self.memory["fn_serial"]

    def ensure_expiry(self, now: float) -> None:
        if self.memory["fn_expires"] is None:
            self.memory["fn_expires"] = months_later(now, FN_LIFE_MONTHS)
            self.save()

    def expires_at(self) -> float:
        """The end of life, as seconds (midnight UTC of the expiry date)."""
        year, month, day = (int(p) for p in self.memory["fn_expires"].split("-"))
        return calendar.timegm((year, month, day, 0, 0, 0))

    def replace(self, serial: str, now: float) -> None:
        """A new drive: FD and shift numbers start again, its archive is empty."""
        memory = self.memory
        memory["retired_drives"].append({key: memory[key] for key in DRIVE_KEYS})
        memory.update(_fresh_drive(serial))
        memory["print_pending"] = None
        self.ensure_expiry(now)
        self.save()

    # documents -----------------------------------------------------------------------------
    @property
    def documents(self) -> list[dict]:
        return self.memory["documents"]

    @property
    def last_fd(self) -> int:
        return self.memory["last_fd"]

    @property
    def shift(self) -> dict:
        return self.memory["shift"]

    def all_documents(self) -> list[dict]:
        """Every drive's archive, the retired ones first."""
        retired = [doc for drive in self.memory["retired_drives"] for doc in drive["documents"]]
        return retired + self.documents

    def find(self, fd: int) -> dict | None:
        docs = self.documents
        if 1 <= fd <= len(docs) and docs[fd - 1]["fd"] == fd:  # FD n is the n-th document
            return docs[fd - 1]
        return next((d for d in docs if d["fd"] == fd), None)

    def fiscalise(self, doc_type: str, when: float, fields: dict) -> dict:
        """Number, sign, archive and persist one fiscal document; returns it."""
        fd = self.last_fd + 1
        doc = {
            "type": doc_type,
            "doc_type": DOC_TYPE_CODES[doc_type],
            "fd": fd,
            "fn": self.serial,
            "shift": self.shift["number"],
            "time": int(when),
            **fields,
        }
        doc["fp"] = self.sign(doc)
        doc["ofd_sent"] = False  # not part of the document: its state in the OFD exchange
        self.memory["last_fd"] = fd
        self.documents.append(doc)
        self.memory["ofd_queue"].append(fd)
        if self.ofd_online:
            self.send_to_ofd()
        self.save()
        return doc

    def sign(self, doc: dict) -> int:
        canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")
        digest = hmac.new(self.key, self.serial.encode() + canonical, hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big")

    # the OFD queue ---------------------------------------------------------------------------
    def send_to_ofd(self) -> None:
        """The OFD took every queued document (and sent its receipt)."""
        for fd in self.memory["ofd_queue"]:
            doc = self.find(fd)
            if doc is not None:
                doc["ofd_sent"] = True
        self.memory["ofd_queue"] = []

    def oldest_unsent(self) -> dict | None:
        queue = self.memory["ofd_queue"]
        return self.find(queue[0]) if queue else None

    # shift ---------------------------------------------------------------------------------
    def shift_expired(self, now: float) -> bool:
        shift = self.shift
        return bool(shift["open"]) and now - shift["opened_at"] > SHIFT_LIMIT_SECONDS

    def open_shift(self, now: float, tlv: dict, printed: bool = True) -> dict:
        self.shift.update(number=self.shift["number"] + 1, open=True, opened_at=now, receipts=0)
        return self.fiscalise("open_shift", now, {"tlv": tlv, "printed": printed})

    def close_shift(self, now: float, totals: dict, tlv: dict, printed: bool = True) -> dict:
        fields = {"totals": totals, "tlv": tlv, "printed": printed}
        doc = self.fiscalise("close_shift", now, fields)
        self.shift.update(open=False, opened_at=None)
        self.save()
        return doc

    def shift_totals(self) -> dict:
        """Sums of this shift's receipts by operation type, for X and Z reports; correction
        receipts are counted apart."""
        names = {1: "sale", 2: "sale_return", 3: "buy", 4: "buy_return"}
        totals = {name: 0 for name in names.values()} | {"receipts": 0, "corrections": 0}
        for doc in reversed(self.documents):  # this shift's documents are the last ones
            if doc["shift"] != self.shift["number"]:
                break
            if doc["type"] == "receipt":
                totals[names[doc["op_type"]]] += doc["total"]
                totals["receipts"] += 1
            elif doc["type"] == "correction":
                totals["corrections"] += 1
        return totals
