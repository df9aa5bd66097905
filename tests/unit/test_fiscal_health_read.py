"""``drivers.fiscal.health.read_health``: FF01h (warnings, serial, clock), FF39h (the OFD queue)
and FF03h (expiry) decoded, against the scripted register. Layouts: FISCAL.md 1.7 "Other FN
queries", JPOS ``FSReadCommStatus.java`` / ``FSReadExpDate.java``."""

import pytest

from drivers.fiscal.errors import CommandNotSupported
from tests.unit.fiscal_scripted import FN_SERIAL


def test_a_queue_of_unsent_documents_with_its_oldest_date(register, register_state, device):
    # status: transport down, message waiting | read state | 3 messages | FD 7 | 2026-01-02 10:30
    register_state.exchange = bytes([0x02, 0, 3, 0, 7, 0, 0, 0, 26, 1, 2, 10, 30])
    health = register.health()
    assert (health.unsent, health.first_unsent_fd) == (3, 7)
    assert health.first_unsent_at == "2026-01-02T10:30" and not health.transport_up
    assert health.fn == FN_SERIAL.decode() and health.checked_at == "2026-01-15T09:05"
    assert health.expires == "2027-03-01" and health.warnings == 0
    assert device.executed_commands == ["ff01", "ff39", "ff03"]


def test_an_empty_queue_has_no_first_document(register, register_state):
    register_state.exchange = bytes([0x01, 0]) + bytes(11)
    health = register.health()
    assert (health.unsent, health.first_unsent_fd, health.first_unsent_at) == (0, None, None)
    assert health.transport_up


def test_warning_flags_come_from_ff01(register, register_state):
    original = register_state.cmd_ff01
    register_state.cmd_ff01 = lambda data: original(data)[:4] + bytes([0x0B]) + original(data)[5:]
    assert register.health().warnings == 0x0B  # replace urgently, 30 days left, OFD timeout


def test_a_model_without_ff03_reports_no_expiry(register, register_state):
    register_state.unsupported.add("ff03")
    assert register.health().expires is None


def test_a_model_without_ff39_cannot_report_its_queue(register, register_state):
    register_state.unsupported.add("ff39")
    with pytest.raises(CommandNotSupported):
        register.health()
