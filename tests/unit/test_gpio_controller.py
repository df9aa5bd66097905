"""The gateway's status on the front panel, on gpiozero's MockFactory: pin state histories."""

import time

import pytest
from gpiozero.pins.mock import MockFactory

from drivers.gpio import BlinkTiming
from gateway.adapters.gpio import GpioController
from gateway.domain.errors import NotFound

PINS = {"led_online": 17, "led_backlog": 27, "led_fault": 22, "buzzer": 23, "button": 24}
FAST = BlinkTiming(slow=(0.03, 0.03), fast=(0.01, 0.01))


def status(mqtt="connected", backlog=0, devices=None, invariants=True, **extra) -> dict:
    """The parts of Gateway.status() the panel reads."""
    return {
        "mqtt": {"state": mqtt, "detail": ""},
        "outbox": {"head_seq": 10, "backlog": backlog},
        "devices": devices or {"fiscal": "ok", "printer": "ok", "scanner": "not_configured"},
        "invariants": {"ok": invariants, "problems": [] if invariants else ["stock"]},
        **extra,
    }


@pytest.fixture
def factory():
    factory = MockFactory()
    yield factory
    factory.reset()


@pytest.fixture
def controller(factory):
    controller = GpioController(PINS, factory, timing=FAST)
    yield controller
    controller.close()


def states(factory, name) -> list[bool]:
    return [state.state for state in factory.pin(PINS[name]).states]


def wait_for_states(factory, name, count: int, timeout: float = 2.0) -> list[bool]:
    deadline = time.monotonic() + timeout
    while len(factory.pin(PINS[name]).states) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    return states(factory, name)


def test_all_well_lights_only_online(factory, controller):
    controller.show(status())
    assert states(factory, "led_online") == [False, True]
    assert states(factory, "led_backlog") == [False]
    assert states(factory, "led_fault") == [False]
    assert controller.faults == []


def test_the_same_status_again_changes_no_pin(factory, controller):
    for _ in range(5):
        controller.show(status())
    assert states(factory, "led_online") == [False, True]
    assert states(factory, "led_fault") == [False]


def test_online_led_follows_the_cloud_link(factory, controller):
    for link in ("connected", "connecting", "disconnected", "connected"):
        controller.show(status(mqtt=link))
    assert states(factory, "led_online") == [False, True, False, True]


def test_backlog_led_blinks_while_messages_wait_for_the_cloud(factory, controller):
    controller.show(status(mqtt="disconnected", backlog=37))
    blinking = wait_for_states(factory, "led_backlog", 6)
    assert blinking[:6] == [False, True, False, True, False, True]
    controller.show(status(backlog=0))  # the link is back and everything was acknowledged
    time.sleep(0.1)
    settled = states(factory, "led_backlog")
    assert settled[-1] is False
    time.sleep(0.1)
    assert states(factory, "led_backlog") == settled  # stopped blinking


@pytest.mark.parametrize("fault", ["paper_out", "offline", "error", "shift_expired"])
def test_a_device_needing_a_person_lights_the_fault_led(factory, controller, fault):
    controller.show(status(devices={"fiscal": "ok", "printer": fault}))
    assert states(factory, "led_fault") == [False, True]
    assert controller.faults == [f"printer: {fault}"]
    controller.show(status())  # fixed
    assert states(factory, "led_fault") == [False, True, False]


def test_devices_that_are_fine_or_not_fitted_are_no_fault(factory, controller):
    controller.show(status(devices={"printer": "ok", "scanner": "not_configured"}))
    assert states(factory, "led_fault") == [False]


def test_failed_invariants_blink_the_fault_led_fast(factory, controller):
    controller.show(status(invariants=False))
    blinking = wait_for_states(factory, "led_fault", 8)
    assert blinking[:4] == [False, True, False, True]
    assert controller.faults == ["invariants"]
    controller.show(status(devices={"printer": "paper_out"}))  # books fixed, paper still out
    time.sleep(0.05)
    assert factory.pin(PINS["led_fault"]).state is True
    settled = len(factory.pin(PINS["led_fault"]).states)
    time.sleep(0.05)
    assert len(factory.pin(PINS["led_fault"]).states) == settled  # steady, no longer blinking


def test_a_partial_or_broken_status_never_raises(factory, controller):
    controller.show({})
    controller.show({"mqtt": None, "outbox": {"backlog": "many"}, "devices": ["printer"]})
    assert states(factory, "led_online") == [False]
    assert states(factory, "led_backlog") == [False]
    assert states(factory, "led_fault") == [False]


# buzzer and button -------------------------------------------------------------------------------


def test_good_and_bad_scan_beep(factory, controller):
    controller.good_scan()
    assert wait_for_states(factory, "buzzer", 3) == [False, True, False]
    time.sleep(0.2)
    controller.bad_scan()
    assert wait_for_states(factory, "buzzer", 9)[3:9] == [True, False] * 3


def press(factory):
    factory.pin(PINS["button"]).drive_low()
    factory.pin(PINS["button"]).drive_high()


def test_the_button_runs_its_action_and_beeps_good(factory, controller):
    reprints = []
    controller.on_button = lambda: reprints.append("last slip")
    press(factory)
    assert reprints == ["last slip"]
    assert wait_for_states(factory, "buzzer", 3) == [False, True, False]


def test_a_refused_button_action_beeps_bad(factory):
    def nothing_printed():
        raise NotFound("nothing has been printed yet")

    controller = GpioController(PINS, factory, on_button=nothing_printed, timing=FAST)
    press(factory)
    assert wait_for_states(factory, "buzzer", 7)[1:7] == [True, False] * 3
    controller.close()


def test_a_button_with_no_action_does_nothing(factory, controller):
    press(factory)
    time.sleep(0.05)
    assert states(factory, "buzzer") == [False]


# pins from config ------------------------------------------------------------------------------


def test_pins_from_a_gpio_table_with_environment_strings(factory):
    config = {"pins": {"led_online": "5", "led_fault": " 6 ", "buzzer": "none", "button": ""}}
    controller = GpioController(config, factory, timing=FAST)
    assert controller.pins.led_online == 5 and controller.pins.led_fault == 6
    assert controller.pins.buzzer is None and controller.pins.button is None
    controller.show(status(devices={"printer": "offline"}))
    assert factory.pin(5).state is True and factory.pin(6).state is True
    controller.good_scan()  # no buzzer fitted: silent, not an error
    controller.close()


def test_default_pins_when_the_table_is_empty(factory):
    controller = GpioController({}, factory)
    assert controller.pins.as_dict() == PINS
    controller.close()


def test_a_typo_in_the_pins_is_refused(factory):
    with pytest.raises(ValueError, match="unknown gpio keys"):
        GpioController({"led_onlin": 5}, factory)
