"""Fiscal register drivers (54-FZ). Pure protocol code: never imports ``gateway``.

``FiscalRegister`` is the interface; ``ShtrihM`` speaks the Shtrih-M serial protocol.
"""

from drivers.fiscal.receipt import Cashier, Correction, FiscalResult, Item, Payments, Receipt
from drivers.fiscal.register import (
    FiscalDocument,
    FiscalRegister,
    FnHealth,
    RegisterStatus,
    ShiftResult,
    ShiftState,
)
from drivers.fiscal.shtrih import ShtrihM

__all__ = [
    "Cashier",
    "Correction",
    "FiscalDocument",
    "FiscalRegister",
    "FiscalResult",
    "FnHealth",
    "Item",
    "Payments",
    "Receipt",
    "RegisterStatus",
    "ShiftResult",
    "ShiftState",
    "ShtrihM",
]
