"""The fiscal worker's side of services/fiscal_archive.py: before a receipt for a payment or a
refund on the site is printed, it is looked for among the drive's documents a restored database
does not know. Found, the job takes that document; nothing is printed."""

from __future__ import annotations

import logging

from drivers.fiscal import Receipt
from drivers.fiscal.archive_search import ArchiveCache
from drivers.fiscal.commands import SALE, SALE_RETURN
from drivers.fiscal.register import FnStatus
from gateway.adapters.sqlite.fiscal_repo import FiscalRepo
from gateway.domain.fiscal import SELL, Fiscalised, ReceiptJob
from gateway.services import fiscal_archive as archive

log = logging.getLogger(__name__)


def register_operation(job: ReceiptJob) -> int:
    return SALE if job.draft.operation == SELL else SALE_RETURN


class ArchiveAdoption:
    def __init__(self, writer):
        self.writer = writer
        self._read: dict[str, ArchiveCache] = {}  # by drive: what was read of its archive

    def connected(self, drive: FnStatus) -> None:
        """Each time the worker reaches the register: the first time after a restore, the
        window of documents the database does not know is recorded."""
        self.writer.call(archive.open_unknown_window, drive.fn, drive.last_fd)

    def adopted(self, register, reads, job: ReceiptJob, receipt: Receipt, fn: str) -> bool:
        """True: the job's receipt was found signed (the job is done, or the next step looks
        again); False: print it."""
        if job.kind not in archive.FROM_THE_CLOUD:
            return False  # a sale at the counter is a new sale
        repo = FiscalRepo(reads, "")
        window = repo.unknown_window(fn)
        if window is None:
            return False
        first, last = window
        held = repo.recorded_fds(fn, first, last)
        fds = (fd for fd in range(first, last + 1) if fd not in held)
        cache = self._read.setdefault(fn, ArchiveCache())
        found = register.find_receipt(fds, receipt, register_operation(job), cache)
        if found is None:
            return False
        fiscal = Fiscalised(fn, found.fd, found.fp, found.shift, found.number, found.ts)
        self.writer.call(archive.receipt_adopted, job.id, fiscal)
        log.info("fiscal: receipt %d was signed before the restore: FD %d", job.id, found.fd)
        return True
