"""A fiscalised receipt printed again (the paper jammed, the buyer lost it): the register's
«Повтор документа» prints a copy marked «КОПИЯ» of its last document — nothing is fiscalised
again. The register can copy its last document only, so a receipt is reprinted only while it
is still the last one in the fiscal drive; an older receipt's copy comes from the OFD."""

from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
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


REPRINT = "receipt_reprint"


def claim_reprint(uow, receipt_id: int, idem_key: str | None) -> dict | None:
    """One copy per tap: the key is taken before the register prints. None: print it now;
    else the answer already given for this key (a double tap, a retried request)."""
    if idem_key is None:
        return None
    stored = uow.commands.recall(idem_key)
    if stored is not None:
        if stored["action"] != REPRINT:
            raise InvalidInput(f"key {idem_key} was already used for {stored['action']}")
        return {**stored["result"], "replayed": True}
    uow.commands.remember(idem_key, REPRINT, {"receipt_id": receipt_id, "reprinted": True})
    return None


def reprint_not_done(uow, idem_key: str | None) -> None:
    """The register refused or could not be reached: nothing came out, the key is free again."""
    if idem_key is not None:
        uow.fiscal.forget_reprint(idem_key)
