"""A fiscalised receipt printed again (the paper jammed, the buyer lost it): the register's
«Повтор документа» prints a copy marked «КОПИЯ» of its last document — nothing is fiscalised
again. The register can copy its last document only, so a receipt is reprinted only while it
is still the last one in the fiscal drive; an older receipt's copy comes from the OFD."""

from gateway.domain.errors import InvalidTransition, NotFound
from gateway.domain.fiscal import DONE
from gateway.domain.staff import PRINT, Staff

from .permissions import require


def receipt_to_reprint(uow, receipt_id: int, *, by: Staff) -> dict:
    """The receipt's fiscal drive and document number, checked before the register is asked."""
    require(uow, by, PRINT, detail=f"reprint receipt {receipt_id}")
    job = uow.fiscal.job(receipt_id)
    if job is None:
        raise NotFound(f"receipt {receipt_id} not found / чек не найден")
    if job.state != DONE or job.fiscal is None:
        raise InvalidTransition(
            f"receipt {receipt_id} is not printed yet: nothing to copy / чек ещё не напечатан",
            reason="not_fiscalised",
        )
    return {"receipt_id": job.id, "fn": job.fiscal.fn, "fd": job.fiscal.fd}


def receipt_reprinted(uow, receipt_id: int, *, by: Staff) -> dict:
    """The copy came out: the order's history says who printed it."""
    job = uow.fiscal.job(receipt_id)
    if job is not None and job.order_id is not None:
        fd = job.fiscal.fd if job.fiscal else None
        uow.orders.record(job.order_id, "receipt_copy", by, receipt_id=receipt_id, fd=fd)
    return {"receipt_id": receipt_id, "reprinted": True}
