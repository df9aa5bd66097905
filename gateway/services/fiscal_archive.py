"""The fiscal drive is the truth: after `storegw restore` the database is behind the register.
The receipts the register signed between the backup and the restore are only in its archive,
and the cloud sends again (sync.resend) the payments and refunds they were for. Printed again,
the buyer would get a second receipt for one payment.

Where the boundary is: `storegw restore` marks the database; the fiscal worker, the first time
it reaches the register after that, records the window of documents the database does not know
-- from the newest FD it recorded for this drive (a receipt, a shift report, a job in doubt) + 1
to the drive's last FD then. Documents made later are this database's own and never in it. The
window is kept (counters), so a restart while the resend is being applied keeps it; the next
restore replaces it. A highest-FD rule alone would not do: the first new receipt after the
restore would move it past every document still to be found.

Before printing a receipt for a cloud payment or refund, the worker looks in the window for a
receipt with its type, operation, total, items and buyer that no job holds yet: found, the job
is recorded as fiscalised with that document (receipt_adopted), nothing is printed. Counter
sales are new sales: they always print."""

import logging

from gateway.domain.fiscal import PREPAYMENT, PREPAYMENT_REFUND, QUEUED, Fiscalised

from .fiscal import receipt_fiscalised

log = logging.getLogger(__name__)

FROM_THE_CLOUD = (PREPAYMENT, PREPAYMENT_REFUND)  # the kinds a sync.resend can bring again
# Documents searched at most. A nightly backup is at most a day behind; a shop makes a few
# hundred documents a day, a busy one a couple of thousand. Each is read with FF0Ah once per
# run of the gateway (the worker keeps the answers), about a minute for the whole window.
ADOPT_SCAN_LIMIT = 5000


def open_unknown_window(uow, fn: str, last_fd: int) -> None:
    """The worker reached the register (drive `fn`, its last FD `last_fd`): the first time after
    a restore, record which of its documents this database does not know."""
    if not uow.fiscal.restored_mark():
        return
    uow.fiscal.clear_restored_mark()
    first = uow.fiscal.highest_known_fd(fn) + 1
    if last_fd < first:
        return  # the register made nothing after the backup
    if last_fd - first + 1 > ADOPT_SCAN_LIMIT:
        log.error(
            "fiscal: the register holds %d documents the restored database does not know; FD"
            " %d..%d are not searched for payments the cloud sends again: check those by hand",
            last_fd - first + 1,
            first,
            last_fd - ADOPT_SCAN_LIMIT,
        )
        first = last_fd - ADOPT_SCAN_LIMIT + 1
    uow.fiscal.set_unknown_window(fn, first, last_fd)
    log.info(
        "fiscal: restored database: FD %d..%d of drive %s are unknown to it", first, last_fd, fn
    )


def receipt_adopted(uow, job_id: int, fiscal: Fiscalised) -> None:
    """The job's receipt is in the drive's archive (signed before the restore): recorded as if it
    had printed now. A document another job holds already is never taken twice."""
    job = uow.fiscal.job(job_id)
    if job.state != QUEUED or uow.fiscal.recorded_fds(fiscal.fn, fiscal.fd, fiscal.fd):
        return
    uow.fiscal.set_sending(job_id, fiscal.fd - 1, fiscal.fn)
    receipt_fiscalised(uow, job_id, fiscal, job.draft.change)
