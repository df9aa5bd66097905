"""The marking check (разрешительный режим, FISCAL.md 3.2): FF61h asks the register to check a
code, FF69h accepts or refuses it (it must follow every check). (being written: issue 11)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.fiscal import commands
from drivers.fiscal import receipt as rc
from drivers.fiscal.register import MarkingCheck

if TYPE_CHECKING:
    from drivers.fiscal.shtrih import ShtrihM


def pre_check(register: ShtrihM, code: str, operation: int) -> MarkingCheck:
    raise NotImplementedError


def check_in_receipt(register: ShtrihM, item: rc.Item, operation: int) -> None:
    register.call(0xFF61, commands.check_marking_code(item, operation))
    register.call(0xFF69, bytes([1]))
