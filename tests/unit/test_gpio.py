"""GPIO devices on gpiozero's MockFactory: the pin state histories are the assertions."""

import time

import pytest
from gpiozero.pins.mock import MockFactory

from drivers.gpio import (
    BAD_SCAN,
    GOOD_SCAN,
    BeepPattern,
    BlinkTiming,
    FrontPanel,
    GpioPins,
    Indicator,
    IndicatorPanel,
    LedMode,
    ReprintButton,
    ScanBuzzer,
)

PINS = {"led_online": 17, "led_backlog": 27, "led_fault": 22, "buzzer": 23, "button": 24}
FAST = BlinkTiming(slow=(0.04, 0.04), fast=(0.01, 0.01))


@pytest.fixture
def factory():
    factory = MockFactory()
    yield factory
    factory.reset()


def states(pin) -> list[bool]:
    return [state.state for state in pin.states]


def assert_lasted(seconds: float, expected: float) -> None:
    """A state lasted about ``expected``: never shorter (a wait does not end early), and loosely
    bounded above, so a loaded machine does not fail the test (timings are not benchmarks)."""
    assert expected * 0.9 <= seconds < expected * 3 + 0.1


def wait_for_states(pin, count: int, timeout: float = 2.0) -> list[bool]:
    deadline = time.monotonic() + timeout
    while len(pin.states) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    return states(pin)


# buzzer ----------------------------------------------------------------------------------------


def test_good_scan_is_one_short_beep(factory):
    buzzer = ScanBuzzer(PINS["buzzer"], pin_factory=factory)
    pin = factory.pin(PINS["buzzer"])
    buzzer.good_scan()
    assert wait_for_states(pin, 3) == [False, True, False]
    time.sleep(GOOD_SCAN.on_time + 0.05)
    assert len(pin.states) == 3  # and no more beeps after it
    assert_lasted(pin.states[2].timestamp, GOOD_SCAN.on_time)
    buzzer.close()


def test_bad_scan_is_three_short_beeps(factory):
    buzzer = ScanBuzzer(PINS["buzzer"], pin_factory=factory)
    pin = factory.pin(PINS["buzzer"])
    buzzer.bad_scan()
    assert wait_for_states(pin, 7) == [False, True, False, True, False, True, False]
    time.sleep(0.1)
    assert len(pin.states) == 7
    for beep in pin.states[2::2]:
        assert_lasted(beep.timestamp, BAD_SCAN.on_time)
    for pause in pin.states[3::2]:
        assert_lasted(pause.timestamp, BAD_SCAN.off_time)
    buzzer.close()


def test_beep_returns_at_once(factory):
    buzzer = ScanBuzzer(PINS["buzzer"], bad=BeepPattern(0.2, 0.2, 3), pin_factory=factory)
    started = time.monotonic()
    buzzer.bad_scan()
    assert time.monotonic() - started < 0.1  # the pattern takes 1.2 s, in gpiozero's thread
    buzzer.silence()
    assert factory.pin(PINS["buzzer"]).state is False
    buzzer.close()


def test_a_new_scan_cuts_the_running_pattern_short(factory):
    buzzer = ScanBuzzer(PINS["buzzer"], bad=BeepPattern(0.5, 0.5, 3), pin_factory=factory)
    pin = factory.pin(PINS["buzzer"])
    buzzer.bad_scan()
    wait_for_states(pin, 2)
    buzzer.good_scan()
    time.sleep(GOOD_SCAN.on_time + 0.1)
    assert states(pin)[-2:] == [True, False] and len(pin.states) <= 5
    buzzer.close()


def test_active_low_buzzer_idles_high(factory):
    buzzer = ScanBuzzer(PINS["buzzer"], active_high=False, pin_factory=factory)
    pin = factory.pin(PINS["buzzer"])
    assert pin.state is True
    buzzer.good_scan()
    # the mock pin starts low, the device drives it high (silent), then the beep pulls it low
    assert wait_for_states(pin, 4) == [False, True, False, True]
    buzzer.close()


def test_no_buzzer_fitted_is_silent_not_an_error(factory):
    buzzer = ScanBuzzer(None, pin_factory=factory)
    buzzer.good_scan()
    buzzer.bad_scan()
    buzzer.close()


# indicator LEDs --------------------------------------------------------------------------------


def panel_on(factory) -> IndicatorPanel:
    return IndicatorPanel(
        PINS["led_online"], PINS["led_backlog"], PINS["led_fault"], timing=FAST, pin_factory=factory
    )


def test_online_led_follows_the_link(factory):
    panel = panel_on(factory)
    online = factory.pin(PINS["led_online"])
    panel.show_link(online=True, backlog=0)
    panel.show_link(online=False, backlog=0)
    panel.show_link(online=True, backlog=0)
    assert states(online) == [False, True, False, True]
    panel.close()


def test_backlog_led_blinks_while_the_outbox_has_a_backlog(factory):
    panel = panel_on(factory)
    backlog = factory.pin(PINS["led_backlog"])
    panel.show_link(online=False, backlog=12)
    blinking = wait_for_states(backlog, 6)
    assert blinking[:6] == [False, True, False, True, False, True]
    assert_lasted(backlog.states[2].timestamp, FAST.slow[0])  # the slow blink, not the fast
    panel.show_link(online=True, backlog=0)
    time.sleep(0.1)
    assert backlog.state is False and panel.mode(Indicator.BACKLOG) is LedMode.OFF
    settled = len(backlog.states)
    time.sleep(0.1)
    assert len(backlog.states) == settled  # stopped blinking
    panel.close()


def test_the_same_mode_again_does_not_restart_the_blink(factory):
    panel = panel_on(factory)
    backlog = factory.pin(PINS["led_backlog"])
    panel.set_mode(Indicator.BACKLOG, LedMode.BLINK_SLOW)
    wait_for_states(backlog, 2)
    thread = panel._leds[Indicator.BACKLOG]._blink_thread
    panel.show_link(online=True, backlog=3)  # still a backlog: the status poll repeats itself
    assert panel._leds[Indicator.BACKLOG]._blink_thread is thread
    panel.close()


def test_fault_led_on_or_blinking_fast_when_urgent(factory):
    panel = panel_on(factory)
    fault = factory.pin(PINS["led_fault"])
    panel.show_fault(True)
    assert states(fault) == [False, True]
    panel.show_fault(True, urgent=True)
    blinking = wait_for_states(fault, 8)
    assert blinking.count(True) >= 3 and panel.mode(Indicator.FAULT) is LedMode.BLINK_FAST
    panel.show_fault(False)
    assert fault.state is False
    panel.close()


def test_modes_may_be_given_as_strings_from_config(factory):
    panel = panel_on(factory)
    panel.set_mode(Indicator.FAULT, "on")
    assert factory.pin(PINS["led_fault"]).state is True
    panel.close()


# reprint button --------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_button_press_calls_back_once_per_press(factory):
    presses = []
    clock = Clock()
    button = ReprintButton(
        PINS["button"], lambda: presses.append(clock.now), pin_factory=factory, clock=clock
    )
    pin = factory.pin(PINS["button"])
    assert pin.state is True  # pulled up: released
    pin.drive_low()
    assert presses == [100.0]
    pin.drive_high()  # releasing is not a press
    assert presses == [100.0]
    clock.now += 5
    pin.drive_low()
    pin.drive_high()
    assert presses == [100.0, 105.0]
    button.close()


def test_a_double_press_reprints_once(factory):
    presses = []
    clock = Clock()
    button = ReprintButton(
        PINS["button"],
        lambda: presses.append(clock.now),
        repeat_interval=1.0,
        pin_factory=factory,
        clock=clock,
    )
    pin = factory.pin(PINS["button"])
    for step in (0.0, 0.3, 0.6):  # three presses inside one second
        clock.now = 100.0 + step
        pin.drive_low()
        pin.drive_high()
    clock.now = 101.7
    pin.drive_low()
    pin.drive_high()
    assert presses == [100.0, 101.7]
    assert button.ignored_presses == 2
    button.close()


def test_a_failing_callback_is_logged_and_the_button_keeps_working(factory, caplog):
    calls = []

    def handler():
        calls.append(1)
        raise RuntimeError("printer queue closed")

    clock = Clock()
    button = ReprintButton(PINS["button"], handler, pin_factory=factory, clock=clock)
    pin = factory.pin(PINS["button"])
    pin.drive_low()
    pin.drive_high()
    clock.now += 5
    pin.drive_low()
    pin.drive_high()
    assert calls == [1, 1]
    assert "press handler failed" in caplog.text
    button.close()


# pins from config ------------------------------------------------------------------------------


def test_pins_from_a_config_mapping():
    pins = GpioPins.from_mapping({"led_online": 5, "buzzer": None})
    assert pins.led_online == 5 and pins.buzzer is None and pins.button == 24


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"led_onlin": 5}, "unknown gpio keys"),
        ({"led_online": 23}, "two gpio devices on one pin"),
        ({"button": "24"}, "must be a GPIO number"),
    ],
)
def test_bad_pin_config_is_refused(config, message):
    with pytest.raises(ValueError, match=message):
        GpioPins.from_mapping(config)


def test_front_panel_wires_every_device_to_its_configured_pin(factory):
    reprints = []
    pins = GpioPins.from_mapping({**PINS, "led_fault": 5})
    panel = FrontPanel(pins, lambda: reprints.append(1), timing=FAST, pin_factory=factory)
    panel.indicators.show_fault(True)
    assert factory.pin(5).state is True and factory.pin(22).state is False
    panel.buzzer.good_scan()
    assert wait_for_states(factory.pin(PINS["buzzer"]), 3) == [False, True, False]
    factory.pin(PINS["button"]).drive_low()
    factory.pin(PINS["button"]).drive_high()
    assert reprints == [1]
    panel.close()
