"""The configuration read through pydantic-settings: values written as TOML types or as text,
STOREGW_* variables over the file, and every refusal one line naming where, which key and what."""

import dataclasses
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str = "", env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env=env or {})
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(tmp_path / "gateway.toml"), "FILE")


# --- numbers and booleans, from the file or from the environment -------------------------------


def test_numbers_may_be_written_as_numbers_or_as_text(tmp_path):
    text = '[sync]\nkeepalive = "45"\nreconnect_max = 2.5\nwindow = 200\n[backup]\nkeep = "3"\n'
    config = load_config(write(tmp_path, text), env={})
    assert (config.sync.keepalive, config.sync.reconnect_max, config.sync.window) == (45, 2.5, 200)
    assert config.appliance.backup.keep == 3


def test_a_variable_overrides_a_number_in_the_file(tmp_path):
    path = write(tmp_path, "[sync]\nkeepalive = 60\ngap_wait = 12\n[web]\nidle_lock = 5\n")
    env = {"STOREGW_SYNC_KEEPALIVE": "15", "STOREGW_WEB_IDLE_LOCK": "0"}
    config = load_config(path, env=env)
    assert config.sync.keepalive == 15 and isinstance(config.sync.keepalive, int)
    assert config.sync.gap_wait == 12.0  # the file's, where no variable says otherwise
    assert config.web.idle_lock_minutes == 0


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1", True), ("yes", True), ("TRUE", True), (" true ", True), ("0", False), ("No", False)],
)
def test_a_boolean_from_the_environment(written, expected):
    env = {"STOREGW_STORE_TRAINING": written, "STOREGW_METRICS_OPEN": written}
    config = load_config(None, env=env)
    assert config.appliance.training is expected and config.appliance.metrics.open is expected


def test_a_boolean_in_the_file_may_be_true_false_or_text(tmp_path):
    config = load_config(write(tmp_path, '[store]\ntraining = true\n[metrics]\nopen = "yes"\n'), {})
    assert config.appliance.training is True and config.appliance.metrics.enabled


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sync]\nwindow = true\n", "sync.window: must be a number, got a boolean"),
        ("[metrics]\nopen = 1\n", "metrics.open: must be true or false, got an integer"),
        ('[metrics]\nopen = "perhaps"\n', "metrics.open: must be true or false, got 'perhaps'"),
        ("[sync]\ngap_wait = nan\n", "sync.gap_wait: must be a finite number, got nan"),
        ("[sync]\ngap_wait = inf\n", "sync.gap_wait: must be a finite number, got inf"),
        ("[sync]\ngap_wait = 1e9\n", "sync.gap_wait: must be at most 604800, got 1000000000.0"),
        ("[stock]\ndefault_min = 2.5\n", "stock.default_min: must be a whole number, got 2.5"),
        ('[backup]\nkeep = "x"\n', "backup.keep: must be a whole number, got 'x'"),
        ("[backup]\nkeep = 0\n", "backup.keep: must be at least 1, got 0"),
        ("[sale]\ndiscount_cashier = 150\n", "sale.discount_cashier: must be at most 100, got 150"),
        ("[sale]\ndiscount_cashier = 50\ndiscount_manager = 20\n",
         "sale.discount_manager: must not be below sale.discount_cashier"),
        ("[stock]\ndefault_min = -1\n", "stock.default_min: must be at least 0, got -1"),
        ('[web]\nday_end = "24:00"\n', "web.day_end: '24:00' must be a local time HH:MM"),
        ('[backup]\ndir = " "\n', "backup.dir: must not be empty"),
        ("printer = 5\n", "printer: must be a table [printer], got an integer"),
        ("[[gpio]]\npin = 1\n", "gpio: must be a table [gpio], got an array"),
        ('[fiscal]\nprot = "/dev/x"\n', "fiscal.prot: unknown key (did you mean 'port'?)"),
        ('[web]\ntls_cert = "/nonexistent.crt"\n', "web.tls_key: set both or neither"),
    ],
)  # fmt: skip
def test_a_bad_value_is_one_line_naming_file_key_and_problem(tmp_path, text, expected):
    assert error_of(tmp_path, text).startswith(f"FILE: {expected}")


# --- the environment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("STOREGW_METRICS_TOKN", "metrics.tokn: unknown key (did you mean 'token'?)"),
        ("STOREGW_FISCAL_BAUD", "fiscal.baud: unknown key (did you mean 'baudrate'?)"),
        ("STOREGW_SYNC_WINDOWS", "sync.windows: unknown key (did you mean 'window'?)"),
    ],
)  # fmt: skip
def test_an_unknown_variable_in_a_known_section_is_refused(tmp_path, name, expected):
    text = '[fiscal]\nport = "/dev/x"\n'
    assert error_of(tmp_path, text, env={name: "1"}) == f"{name}: {expected}"


def test_the_projects_own_other_variables_are_left_alone():
    env = {
        "STOREGW_CONFIG": "",
        "STOREGW_DEBUG": "1",
        "STOREGW_BRIDGE_PASSWORD": "x",
        "STOREGW_DEV_BROKER_PORT": "18831",
        "STOREGW_DEV_VAR_DIR": "/tmp/x",
        "STOREGWX": "not ours",
    }
    assert load_config(None, env=env) == load_config(None, env={})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("STOREGW_METRIC_TOKEN", "unknown section [metric] (did you mean 'metrics'?)"),
        ("STOREGW_MQQT_PASSWORD", "unknown section [mqqt] (did you mean 'mqtt'?)"),
        ("STOREGW_BACKUPS_DIR", "unknown section [backups] (did you mean 'backup'?)"),
        ("STOREGW_LOG_LEVEL", "unknown section [log] (known: store, mqtt,"),
        ("STOREGW_STORE", "no key after the section (STOREGW_STORE_<KEY>)"),
        ("STOREGW_GPIO", "no key after the section (STOREGW_GPIO_<KEY>)"),
        ("STOREGW_", "not a STOREGW_<SECTION>_<KEY> variable"),
    ],
)  # fmt: skip
def test_a_variable_of_an_unknown_section_is_refused(tmp_path, name, expected):
    """Ignored, a misspelt section would silently lose its setting (the token, the password)."""
    assert error_of(tmp_path, "", env={name: "1"}).startswith(f"{name}: {expected}")


def test_the_error_names_the_variable_that_set_the_bad_value(tmp_path):
    text = '[fiscal]\nport = "/dev/x"\npoll = 2\n'
    message = error_of(tmp_path, text, env={"STOREGW_FISCAL_POLL": "-1"})
    assert message == "STOREGW_FISCAL_POLL: fiscal.poll: must be above 0, got '-1'"
    message = error_of(tmp_path, "", env={"STOREGW_STORE_ID": ""})
    assert message == "STOREGW_STORE_ID: store.id: must not be empty"


def test_a_key_set_nowhere_is_blamed_on_where_its_section_was_set(tmp_path):
    message = error_of(tmp_path, "", env={"STOREGW_FISCAL_POLL": "1"})
    assert message.startswith("STOREGW_FISCAL_POLL: fiscal.port: the register's port is required")


def test_a_variable_is_text_never_json(tmp_path):
    env = {"STOREGW_WEB_LISTEN": "[::1]:9000", "STOREGW_GPIO_LED_ONLINE": "5"}
    config = load_config(None, env=env)
    assert (config.web_host, config.web_port) == ("::1", 9000)
    assert config.devices["gpio"] == {"led_online": "5"}  # the device layer reads it
    message = error_of(tmp_path, "", env={"STOREGW_GPIO_PINS": '{"led_online": 17}'})
    assert message.startswith("STOREGW_GPIO_PINS: gpio.pins: must be a table of pin numbers")


def test_a_device_table_is_the_file_with_the_variables_on_top(tmp_path):
    path = write(tmp_path, '[scanner]\nport = "/dev/ttyACM1"\nbaudrate = 9600\n')
    env = {"STOREGW_SCANNER_BAUDRATE": "115200", "STOREGW_PRINTER_URL": "tcp://10.0.0.9"}
    config = load_config(path, env=env)
    assert config.devices["scanner"] == {"port": "/dev/ttyACM1", "baudrate": "115200"}
    assert config.devices["printer"] == {"url": "tcp://10.0.0.9"}
    assert config.configured_devices == ("printer", "scanner")


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ('[scanner]\nprot = "/dev/x"\n', {},
         "FILE: scanner.prot: unknown key (did you mean 'port'?)"),
        ("[gpio]\npins = {led_onlin = 5}\n", {},
         "FILE: gpio.pins.led_onlin: unknown key (did you mean 'led_online'?)"),
        ('[printer]\nulr = "tcp://h"\n', {},
         "FILE: printer.ulr: unknown key (did you mean 'url'?)"),
        ("", {"STOREGW_PRINTER_PAPR": "58mm"},
         "STOREGW_PRINTER_PAPR: printer.papr: unknown key (did you mean 'paper'?)"),
        ("", {"STOREGW_SCANNER_PROT": "/dev/x"},
         "STOREGW_SCANNER_PROT: scanner.prot: unknown key (did you mean 'port'?)"),
        ('[printer]\nurl = "lpt://1"\n', {}, "FILE: [printer] printer.url 'lpt://1': the scheme"),
        ('[scanner]\nport = "/dev/x"\nhid = "/dev/y"\n', {},
         "FILE: [scanner] needs exactly one of port (serial mode) or hid (keyboard mode)"),
        ('[scanner]\nport = "/dev/x"\nsuffix = "nl"\n', {}, "FILE: scanner.suffix: is one of cr,"),
        ("[gpio]\nled_fault = 17\nbutton = 17\n", {}, "FILE: [gpio] two gpio devices on one pin"),
    ],
)  # fmt: skip
def test_a_device_table_the_gateway_would_refuse_does_not_load(tmp_path, text, env, expected):
    """The device layer's own checks, when the configuration loads: `storegw run` and the
    doctor refuse the same table with the same words, a typo with a hint."""
    assert error_of(tmp_path, text, env=env).startswith(expected)


# --- secrets, TLS, immutability ----------------------------------------------------------------


def test_secrets_appear_in_no_repr_and_no_error(tmp_path):
    path = write(tmp_path, '[mqtt]\npassword = "pw-secret"\n[fiscal]\nport = "/dev/x"\n')
    config = load_config(path, env={"STOREGW_METRICS_TOKEN": "tok-secret"})
    assert config.appliance.metrics.token == "tok-secret" and config.mqtt.password == "pw-secret"
    assert "secret" not in repr(config) and "password" not in repr(config.fiscal)

    message = error_of(tmp_path, '[fiscal]\nport = "/dev/x"\npassword = "hunter2"\n')
    assert message == "FILE: fiscal.password: must be a whole number"
    message = error_of(tmp_path, "", env={"STOREGW_MQTT_URL": "http://user:hunter2@broker"})
    assert "hunter2" not in message and message.startswith("STOREGW_MQTT_URL: mqtt.url:")


def test_tls_files_that_exist_serve_https(tmp_path):
    (tmp_path / "c.crt").write_text("cert")
    (tmp_path / "c.key").write_text("key")
    env = {
        "STOREGW_WEB_TLS_CERT": str(tmp_path / "c.crt"),
        "STOREGW_WEB_TLS_KEY": str(tmp_path / "c.key"),
    }
    config = load_config(None, env=env)
    assert config.web.tls and config.web.tls_key == tmp_path / "c.key"
    assert config.web_url == "https://127.0.0.1:8080/"


def test_a_directory_is_no_configuration_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_config(tmp_path, env={})


def test_sections_are_frozen_and_replace_checks_again(tmp_path):
    config = load_config(write(tmp_path, '[fiscal]\nport = "/dev/x"\n'), env={})
    assert dataclasses.replace(config, database_path=Path("x.db")).database_path == Path("x.db")
    assert dataclasses.replace(config.fiscal, port="/dev/y").port == "/dev/y"
    assert dataclasses.replace(config.appliance, training=True).training is True
    with pytest.raises(FrozenInstanceError):
        config.mqtt.url = "mqtt://other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        dataclasses.replace(config.fiscal, poll=0)
