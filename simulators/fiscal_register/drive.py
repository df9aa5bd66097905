"""The fiscal drive (ФН) and the register's non-volatile memory, persisted as one JSON file.

The drive numbers documents (FD), signs each with a fiscal sign (FP: a keyed HMAC of the document
truncated to 4 bytes) and keeps the archive. The file is rewritten atomically after every change,
so a simulated power cycle reloads exactly what a real drive would still hold.
"""

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

FN_SERIAL = "9999078902004321"
DOC_TYPE_CODES = {"open_shift": 2, "receipt": 3, "close_shift": 5}
SHIFT_LIMIT_SECONDS = 24 * 3600


def _fresh() -> dict[str, Any]:
    return {
        "last_fd": 0,
        "documents": [],
        "shift": {"number": 0, "open": False, "opened_at": None, "receipts": 0},
        "cash_in_drawer": 0,
        "kkt_document_number": 0,
        "print_pending": None,  # text of a document fiscalised but not fully printed
    }


class FiscalDrive:
    def __init__(self, path: str | os.PathLike | None = None, key: bytes = b"simulated-fn-key"):
        self.path = Path(path) if path else None
        self.key = key
        self.memory = _fresh()
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

    def find(self, fd: int) -> dict | None:
        return next((d for d in self.documents if d["fd"] == fd), None)

    def fiscalise(self, doc_type: str, when: float, fields: dict) -> dict:
        """Number, sign, archive and persist one fiscal document; returns it."""
        fd = self.last_fd + 1
        doc = {
            "type": doc_type,
            "doc_type": DOC_TYPE_CODES[doc_type],
            "fd": fd,
            "shift": self.shift["number"],
            "time": int(when),
            **fields,
        }
        doc["fp"] = self.sign(doc)
        self.memory["last_fd"] = fd
        self.documents.append(doc)
        self.save()
        return doc

    def sign(self, doc: dict) -> int:
        canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")
        digest = hmac.new(self.key, FN_SERIAL.encode() + canonical, hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big")

    # shift ---------------------------------------------------------------------------------
    def shift_expired(self, now: float) -> bool:
        shift = self.shift
        return bool(shift["open"]) and now - shift["opened_at"] > SHIFT_LIMIT_SECONDS

    def open_shift(self, now: float, tlv: dict) -> dict:
        self.shift.update(number=self.shift["number"] + 1, open=True, opened_at=now, receipts=0)
        return self.fiscalise("open_shift", now, {"tlv": tlv})

    def close_shift(self, now: float, totals: dict, tlv: dict) -> dict:
        doc = self.fiscalise("close_shift", now, {"totals": totals, "tlv": tlv})
        self.shift.update(open=False, opened_at=None)
        self.save()
        return doc

    def shift_totals(self) -> dict:
        """Sums of this shift's receipts by operation type, for X and Z reports."""
        names = {1: "sale", 2: "sale_return", 3: "buy", 4: "buy_return"}
        totals = {name: 0 for name in names.values()} | {"receipts": 0}
        for doc in self.documents:
            if doc["type"] == "receipt" and doc["shift"] == self.shift["number"]:
                totals[names[doc["op_type"]]] += doc["total"]
                totals["receipts"] += 1
        return totals
