"""The fiscal drive's health: the OFD queue (FF39h), warnings (FF01h), expiry (FF03h).
(being written: issue 11)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.fiscal.register import FnHealth

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM


def read_health(register: ShtrihM) -> FnHealth:
    raise NotImplementedError
