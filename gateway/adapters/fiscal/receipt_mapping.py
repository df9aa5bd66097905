"""A gateway receipt draft as the fiscal driver's `Receipt` (kopecks stay kopecks; pieces become
the driver's thousandths)."""

from drivers.fiscal.receipt import (
    PIECE,
    Cashier,
    Correction,
    Item,
    PaymentMethod,
    Payments,
    PaymentSubject,
    Receipt,
)
from gateway.domain.fiscal import (
    METHOD_ADVANCE,
    METHOD_FULL_PAYMENT,
    METHOD_FULL_PREPAYMENT,
    METHOD_PREPAYMENT,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    SUBJECT_PAYMENT,
    TAX_SYSTEMS,
    ReceiptDraft,
    ReceiptJob,
)
from gateway.domain.staff import CASHIER, Staff

SUBJECTS = {
    SUBJECT_GOODS: PaymentSubject.GOODS,
    SUBJECT_MARKED: PaymentSubject.MARKED,
    SUBJECT_PAYMENT: PaymentSubject.PAYMENT,
}
METHODS = {
    METHOD_FULL_PAYMENT: PaymentMethod.FULL_PAYMENT,
    METHOD_FULL_PREPAYMENT: PaymentMethod.FULL_PREPAYMENT,
    METHOD_PREPAYMENT: PaymentMethod.PREPAYMENT,
    METHOD_ADVANCE: PaymentMethod.ADVANCE,
}
DEFAULT_CASHIER = "Кассир"


def driver_receipt(draft: ReceiptDraft, tax_system: str, site: str = "") -> Receipt:
    """`site`: the web shop's address (config), the place of an Internet settlement."""
    items = tuple(
        Item(
            name=item.name,
            price=item.price,
            quantity=item.qty * PIECE,
            vat=item.vat,
            payment_method=METHODS[item.method],
            payment_subject=SUBJECTS[item.subject],
            marking_code=item.marking_code,
            marked=item.subject == SUBJECT_MARKED,
        )
        for item in draft.items
    )
    basis = draft.correction
    return Receipt(
        items=items,
        payments=Payments(draft.payments.cash, draft.payments.card, draft.payments.prepaid),
        buyer_contact=draft.contact,
        cashier=Cashier(draft.cashier or DEFAULT_CASHIER, draft.cashier_inn),
        tax_system=TAX_SYSTEMS[tax_system],
        electronic=draft.electronic,
        internet=draft.internet,
        place=(site or None) if draft.internet else None,
        correction=Correction(basis.by_order, basis.date, basis.number) if basis else None,
    )


def receipt_cashier(job: ReceiptJob) -> Staff:
    """The day's first receipt opens the shift for its own cashier (name, INN, staff id as the
    job recorded them); the role is not checked here: selling already was."""
    draft = job.draft
    return Staff(job.staff_id, draft.cashier or DEFAULT_CASHIER, CASHIER, draft.cashier_inn)
