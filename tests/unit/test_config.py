import dataclasses
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from gateway.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """
[store]
id = "shop-001"

[mqtt]
url = "mqtt://127.0.0.1:1883"      # mqtts:// for TLS; username/password/ca/cert/key keys alongside

[database]
path = "var/gateway.db"

[web]
listen = "127.0.0.1:8080"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str | None = None, env: dict[str, str] | None = None) -> str:
    path = None if text is None else write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={} if env is None else env)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- defaults and the contract's minimal file --------------------------------------------------


def test_no_file_and_no_environment_gives_working_defaults():
    config = load_config(None, env={})

    assert config.store_id == "shop-001"
    assert config.mqtt.url == "mqtt://127.0.0.1:1883"
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == ("127.0.0.1", 1883, False)
    assert config.mqtt.username is config.mqtt.password is None
    assert config.mqtt.ca is config.mqtt.cert is config.mqtt.key is None
    assert config.mqtt.topic_prefix == "storegw"
    assert config.database_path == Path("var/gateway.db")
    assert (config.web_host, config.web_port) == ("127.0.0.1", 8080)
    assert config.web_url == "http://127.0.0.1:8080/"
    assert config.devices == {"fiscal": None, "printer": None, "scanner": None, "gpio": None}
    assert config.configured_devices == ()


def test_the_contracts_minimal_file_is_complete(tmp_path):
    assert load_config(write(tmp_path, MINIMAL), env={}) == load_config(None, env={})


def test_an_empty_file_means_all_defaults(tmp_path):
    assert load_config(write(tmp_path, ""), env={}) == load_config(None, env={})


def test_environment_defaults_to_os_environ(monkeypatch):
    monkeypatch.setenv("STOREGW_STORE_ID", "from-os-environ")
    assert load_config().store_id == "from-os-environ"


def test_config_is_frozen_and_hides_the_password(tmp_path):
    config = load_config(write(tmp_path, '[mqtt]\npassword = "s3cret"\n'), env={})

    assert config.mqtt.password == "s3cret"
    assert "s3cret" not in repr(config)
    with pytest.raises(FrozenInstanceError):
        config.store_id = "other"  # type: ignore[misc]


def test_full_file_with_tls_and_devices(tmp_path):
    text = """
    [store]
    id = "shop-042"
    [mqtt]
    url = "mqtts://broker.example.com"
    username = "shop-042"
    password = "pw"
    ca = "/etc/storegw/ca.pem"
    cert = "/etc/storegw/c.crt"
    key = "/etc/storegw/c.key"
    topic_prefix = "acme/storegw"
    [web]
    listen = "0.0.0.0:80"
    [fiscal]
    port = "/dev/fiscal"
    [gpio]
    pins = { led_online = 17, button = 5 }
    """
    config = load_config(write(tmp_path, text), env={})

    assert config.store_id == "shop-042"
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.tls) == (
        "broker.example.com",
        8883,
        True,
    )
    assert config.mqtt.ca == Path("/etc/storegw/ca.pem")
    assert config.mqtt.topic_prefix == "acme/storegw"
    assert (config.web_host, config.web_port) == ("0.0.0.0", 80)
    assert config.devices["fiscal"] == {"port": "/dev/fiscal"}
    assert config.devices["gpio"] == {"pins": {"led_online": 17, "button": 5}}
    assert config.devices["printer"] is None
    assert config.configured_devices == ("fiscal", "gpio")
    assert config.device_configured("fiscal") and not config.device_configured("scanner")


def test_ipv6_listen_address_in_brackets(tmp_path):
    config = load_config(write(tmp_path, '[web]\nlisten = "[::1]:8080"\n'), env={})
    assert (config.web_host, config.web_port, config.web_url) == ("::1", 8080, "http://[::1]:8080/")


def test_empty_optional_value_means_not_set(tmp_path):
    config = load_config(write(tmp_path, '[mqtt]\nusername = ""\n'), env={"STOREGW_MQTT_CA": ""})
    assert config.mqtt.username is None and config.mqtt.ca is None


@pytest.mark.parametrize("name", ["gateway.example.toml", "gateway.dev.toml"])
def test_shipped_configuration_files_load(name):
    config = load_config(REPO / "firmware-config" / name, env={})
    assert config.store_id == "shop-001"


def test_dev_file_is_what_make_run_expects():
    config = load_config(REPO / "firmware-config" / "gateway.dev.toml", env={})
    defaults = load_config(None, env={})
    assert config.mqtt.url == "mqtt://127.0.0.1:18830"  # the broker tools/run_dev.py starts
    expected_mqtt = dataclasses.replace(defaults.mqtt, url=config.mqtt.url)
    assert config == dataclasses.replace(defaults, mqtt=expected_mqtt)


# --- environment overrides ---------------------------------------------------------------------


def test_environment_overrides_file_and_defaults(tmp_path):
    env = {
        "STOREGW_STORE_ID": "shop-env",
        "STOREGW_MQTT_URL": "mqtts://cloud:8884",
        "STOREGW_MQTT_PASSWORD": "pw",
        "STOREGW_MQTT_TOPIC_PREFIX": "acme",
        "STOREGW_DATABASE_PATH": "/tmp/x.db",
        "STOREGW_WEB_LISTEN": "0.0.0.0:9000",
        "STOREGW_SCANNER_PORT": "/dev/pts/7",
    }
    config = load_config(write(tmp_path, MINIMAL), env=env)

    assert config.store_id == "shop-env"
    assert (config.mqtt.url, config.mqtt.port) == ("mqtts://cloud:8884", 8884)
    assert config.mqtt.password == "pw"
    assert config.mqtt.topic_prefix == "acme"
    assert config.database_path == Path("/tmp/x.db")
    assert (config.web_host, config.web_port) == ("0.0.0.0", 9000)
    assert config.devices["scanner"] == {"port": "/dev/pts/7"}


def test_environment_variables_of_other_tools_are_ignored():
    env = {"STOREGW_DEBUG": "1", "STOREGW_CONFIG": "x.toml", "PATH": "/usr/bin"}
    assert load_config(None, env=env) == load_config(None, env={})


def test_environment_typo_in_a_known_section_is_refused():
    message = error_of(None, env={"STOREGW_MQTT_URLL": "mqtt://x"})
    assert message.startswith("STOREGW_MQTT_URLL: mqtt.urll: unknown key")
    assert "'url'" in message


def test_invalid_environment_value_names_the_variable():
    message = error_of(None, env={"STOREGW_WEB_LISTEN": "8080"})
    assert message.startswith("STOREGW_WEB_LISTEN: web.listen:")


# --- errors: one line naming the file and the key ----------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: configuration file not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_invalid_toml_reports_the_line(tmp_path):
    message = error_of(tmp_path, '[store]\nid = "shop-001"\n\n[mqtt\n')
    assert message.startswith(f"{tmp_path / 'gateway.toml'}: invalid TOML:")
    assert "line 4" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "gateway.toml"
    path.write_bytes(b'[store]\nid = "\xff"\n')
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        load_config(path, env={})


def test_unknown_section_suggests_the_right_one(tmp_path):
    message = error_of(tmp_path, '[mqqt]\nurl = "mqtt://x"\n')
    assert "gateway.toml: unknown section [mqqt]" in message
    assert "did you mean 'mqtt'" in message


def test_unknown_key_names_section_and_key(tmp_path):
    message = error_of(tmp_path, '[database]\npaht = "x.db"\n')
    assert "gateway.toml: database.paht: unknown key (did you mean 'path'?)" in message


def test_key_outside_any_section(tmp_path):
    assert "unknown section [id]" in error_of(tmp_path, 'id = "shop-001"\n')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[store]\nid = 1\n", "store.id: must be a string, got an integer"),
        ("[mqtt]\nurl = true\n", "mqtt.url: must be a string, got a boolean"),
        ("[web]\nlisten = ['a']\n", "web.listen: must be a string, got an array"),
        ("[database]\npath = { a = 1 }\n", "database.path: must be a string, got a table"),
        ('store = "shop-001"\n', "store: must be a table [store], got str"),
        ('fiscal = "/dev/fiscal"\n', "fiscal: must be a table [fiscal], got str"),
    ],
)
def test_wrong_type(tmp_path, text, expected):
    assert f"gateway.toml: {expected}" in error_of(tmp_path, text)


@pytest.mark.parametrize(
    "listen", ["8080", "localhost", ":8080", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
               "127.0.0.1:http", "::1:8080", "[]:8080"],
)  # fmt: skip
def test_invalid_web_listen(tmp_path, listen):
    message = error_of(tmp_path, f'[web]\nlisten = "{listen}"\n')
    assert message.startswith(f"{tmp_path / 'gateway.toml'}: web.listen: {listen!r} must")


@pytest.mark.parametrize(
    "url", ["http://broker:1883", "tcp://broker", "broker:1883", "", "MQTT://broker",
            "mqtt://", "mqtt://broker:99999", "mqtt://broker:abc"],
)  # fmt: skip
def test_invalid_mqtt_url(tmp_path, url):
    assert "gateway.toml: mqtt.url: " in error_of(tmp_path, f'[mqtt]\nurl = "{url}"\n')


def test_mqtt_url_error_does_not_echo_credentials(tmp_path):
    message = error_of(tmp_path, '[mqtt]\nurl = "https://user:secret@broker"\n')
    assert "secret" not in message and "https://" in message


@pytest.mark.parametrize("store_id", ["", "   ", "shop/001", "shop+1", "shop#1"])
def test_invalid_store_id(tmp_path, store_id):
    assert "gateway.toml: store.id: " in error_of(tmp_path, f'[store]\nid = "{store_id}"\n')


@pytest.mark.parametrize("prefix", ["", "a/+", "#", "/storegw", "storegw/"])
def test_invalid_topic_prefix(tmp_path, prefix):
    text = f'[mqtt]\ntopic_prefix = "{prefix}"\n'
    assert "gateway.toml: mqtt.topic_prefix: " in error_of(tmp_path, text)


def test_empty_database_path(tmp_path):
    assert "gateway.toml: database.path: must not be empty" in error_of(
        tmp_path, '[database]\npath = ""\n'
    )


def test_fiscal_section_is_typed_from_toml_or_environment(tmp_path):
    path = tmp_path / "gw.toml"
    path.write_text('[fiscal]\nport = "/dev/fiscal"\npoll = 2\nauto_open_shift = false\n')
    env = {"STOREGW_FISCAL_TAX_SYSTEM": "usn_income", "STOREGW_FISCAL_SITE": "shop.example.ru"}
    config = load_config(path, env=env)
    assert config.fiscal.port == "/dev/fiscal" and config.fiscal.poll == 2.0
    assert config.fiscal.site == "shop.example.ru" and config.fiscal.health_poll == 300.0
    assert config.fiscal.auto_open_shift is False and config.fiscal.tax_system == "usn_income"
    assert load_config(None, env={}).fiscal is None


@pytest.mark.parametrize(
    "table, problem",
    [
        ("poll = 1\n", "fiscal.port: the register's port is required"),
        ('port = "/dev/x"\ntax_system = "usn"\n', "fiscal.tax_system: 'usn' is unknown"),
        ('port = "/dev/x"\nbaud = 9600\n', "fiscal.baud: unknown key (did you mean 'baudrate'?)"),
        ('port = "/dev/x"\npoll = "soon"\n', "fiscal.poll: must be a number"),
        ('port = "/dev/x"\nauto_open_shift = "maybe"\n', "fiscal.auto_open_shift: must be true"),
        ('port = "/dev/x"\npoll = 0\n', "fiscal.poll: must be above 0"),
        ('port = "/dev/x"\nmarking_timeout = 0\n', "fiscal.marking_timeout: must be above 0"),
        (f'port = "/dev/x"\nsite = "{"x" * 241}"\n', "fiscal.site: at most 240 characters"),
        ('port = "/dev/x"\nsite = "shop.example.ru/🛒"\n', "fiscal.site: only Latin and Cyrillic"),
    ],
)
def test_a_bad_fiscal_section_names_the_key(tmp_path, table, problem):
    path = tmp_path / "gw.toml"
    path.write_text("[fiscal]\n" + table)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert problem in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("mqtt", "said"),
    [
        ('url = "mqtts://cloud.example:8883"\npassword = "x"', None),
        ('url = "mqtt://127.0.0.1:1883"\npassword = "x"', None),  # a bridge on this box
        ('url = "mqtt://localhost"\npassword = "x"', None),
        ('url = "mqtt://cloud.example"', None),  # nothing secret
        ('url = "mqtt://cloud.example"\npassword = "x"', "password goes to cloud.example in clear"),
        ('url = "mqtt://10.0.0.5"\nca = "/etc/ca.pem"', "[mqtt] ca set, but the url is mqtt://"),
    ],
)
def test_what_a_cleartext_link_would_expose_is_named(tmp_path, mqtt, said):
    path = tmp_path / "gateway.toml"
    path.write_text(f"[mqtt]\n{mqtt}\n", encoding="utf-8")
    cleartext = load_config(path, env={}).mqtt.cleartext
    assert cleartext is None if said is None else said in cleartext
