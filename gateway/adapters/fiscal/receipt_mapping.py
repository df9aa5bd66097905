"""A gateway receipt draft as the fiscal driver's `Receipt` (kopecks stay kopecks; pieces become
the driver's thousandths)."""

from drivers.fiscal.receipt import (
    PIECE,
    Cashier,
    Item,
    PaymentMethod,
    Payments,
    PaymentSubject,
    Receipt,
)
from gateway.domain.fiscal import (
    METHOD_FULL_PAYMENT,
    SUBJECT_GOODS,
    SUBJECT_MARKED,
    TAX_SYSTEMS,
    ReceiptDraft,
)

SUBJECTS = {SUBJECT_GOODS: PaymentSubject.GOODS, SUBJECT_MARKED: PaymentSubject.MARKED}
METHODS = {METHOD_FULL_PAYMENT: PaymentMethod.FULL_PAYMENT}
DEFAULT_CASHIER = "Кассир"


def driver_receipt(draft: ReceiptDraft, tax_system: str) -> Receipt:
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
    return Receipt(
        items=items,
        payments=Payments(cash=draft.payments.cash, card=draft.payments.card),
        buyer_contact=draft.contact,
        cashier=Cashier(draft.cashier or DEFAULT_CASHIER, draft.cashier_inn),
        tax_system=TAX_SYSTEMS[tax_system],
    )
