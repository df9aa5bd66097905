"""Fixtures of the driver tests over the scripted register (tests/unit/fiscal_scripted.py):
the register's state, the fake port that speaks the wire, and the Shtrih-M driver on it."""

import pytest

from drivers.fiscal import ShtrihM
from tests.unit.fiscal_scripted import FAST, ScriptedRegister
from tests.unit.test_fiscal_fakes import FakeRegisterPort


@pytest.fixture
def register_state():
    return ScriptedRegister()


@pytest.fixture
def device(register_state):
    return FakeRegisterPort(register_state)


@pytest.fixture
def register(device):
    return ShtrihM(port=device, settings=FAST)
