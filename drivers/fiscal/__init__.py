"""Fiscal register drivers (54-FZ). Pure protocol code: never imports ``gateway``.

``FiscalRegister`` is the interface; ``ShtrihM`` speaks the Shtrih-M serial protocol.
"""

from drivers.fiscal.receipt import Cashier, FiscalResult, Item, Payments, Receipt
from drivers.fiscal.register import (
    FiscalDocument,
    FiscalRegister,
    RegisterStatus,
    ShiftResult,
    ShiftState,
)
from drivers.fiscal.shtrih import ShtrihM

__all__ = [
    "Cashier",
    "FiscalDocument",
    "FiscalRegister",
    "FiscalResult",
    "Item",
    "Payments",
    "Receipt",
    "RegisterStatus",
    "ShiftResult",
    "ShiftState",
    "ShtrihM",
]
