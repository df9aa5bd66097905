"""Where the configuration's values come from, what they are declared as, and how a bad one is told.

A value comes from the TOML file (typed) or from a STOREGW_<SECTION>_<KEY> variable (always text),
so the value types below take numbers and booleans written either way, and an empty string means
"not set" for an optional key. A check that fails raises ValueError whose text is the problem
alone; `one_line` turns what pydantic collected into the one line a technician reads: where the
value came from (file or variable), `section.key` and the problem.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, TomlConfigSettingsSource

# Every section: a misspelt key is refused, defaults go through the same checks as written values.
SECTION = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class KeyProblem(ValueError):
    """A check across keys of one section (tls_cert with tls_key): names the key to blame."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)


def hint(word: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"


def text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {kind(value)}")
    return value


def required(value: object) -> str:
    value = text(value).strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _flag(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if isinstance(value, bool):
        return value
    shown = repr(value) if isinstance(value, str) else kind(value)
    raise ValueError(f"must be true or false, got {shown}")


def _number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take true for 1
        raise ValueError("must be a number, got a boolean")
    return value


T = TypeVar("T")
Flag = Annotated[bool, BeforeValidator(_flag)]
Whole = Annotated[int, BeforeValidator(_number)]
Real = Annotated[float, BeforeValidator(_number)]
Required = Annotated[str, BeforeValidator(required)]
Maybe = Annotated[T | None, BeforeValidator(lambda value: None if value == "" else value)]


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming file and key."""


# --- the sources: STOREGW_* variables over the TOML file ----------------------------------------

ENV_PREFIX = "STOREGW_"


# STOREGW_ variables the project reads for other purposes than a configuration key: never
# taken for a misspelt section. STOREGW_DEV_* are `make run`'s (tools/run_dev.py).
OTHER_VARIABLES = frozenset({"STOREGW_CONFIG", "STOREGW_DEBUG", "STOREGW_BRIDGE_PASSWORD"})
OTHER_PREFIXES = ("STOREGW_DEV_",)


def is_other_variable(name: str) -> bool:
    return name in OTHER_VARIABLES or name.startswith(OTHER_PREFIXES)


class Environment(EnvSettingsSource):
    """STOREGW_<SECTION>_<KEY> variables. A wrong key inside a known section is a typo, and the
    section refuses it like one in the file; so is an unknown section (STOREGW_METRIC_TOKEN),
    except the project's own other variables (OTHER_VARIABLES): a misspelt section would
    otherwise be ignored without a word, and its setting silently lost."""

    def __init__(self, settings: type[BaseSettings], env: Mapping[str, str]) -> None:
        self.env = env
        self.names: dict[tuple[str, str], str] = {}  # (section, key) -> the variable, for errors
        super().__init__(
            settings,
            case_sensitive=False,
            env_prefix=ENV_PREFIX,
            env_nested_delimiter="_",
            env_nested_max_split=1,  # STOREGW_MQTT_TOPIC_PREFIX: [mqtt] topic_prefix
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        chosen = {}
        sections = self.settings_cls.model_fields
        for name in sorted(self.env):
            if not name.startswith(ENV_PREFIX) or is_other_variable(name):
                continue
            section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
            if not section:
                raise ConfigError(f"{name}: not a STOREGW_<SECTION>_<KEY> variable")
            if section not in sections:
                raise ConfigError(f"{name}: unknown section [{section}]{hint(section, sections)}")
            if not key:
                raise ConfigError(
                    f"{name}: no key after the section (STOREGW_{section.upper()}_<KEY>)"
                )
            self.names[section, key] = name
            chosen[name.lower()] = self.env[name]
        return chosen


class TomlFile(TomlConfigSettingsSource):
    """The TOML file; one that is missing or unreadable is an error (pydantic-settings skips it)."""

    def __init__(self, settings: type[BaseSettings], path: Path) -> None:
        self.path = path
        super().__init__(settings, toml_file=path)

    def _read_files(self, files: object, deep_merge: bool = False) -> dict[str, Any]:
        try:
            with self.path.open("rb") as fp:
                return tomllib.load(fp)
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: configuration file not found") from None
        except OSError as exc:
            problem = f"cannot read configuration file: {exc.strerror}"
            raise ConfigError(f"{self.path}: {problem}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{self.path}: not a UTF-8 text file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{self.path}: invalid TOML: {exc}") from None


def origin(section: str, key: str, environment: Environment, file: TomlFile | None) -> str:
    """The variable or file a value came from; for a key set nowhere, where its section was."""
    if (section, key) in environment.names:
        return environment.names[section, key]
    if file and section in file.toml_data:
        return str(file.path)
    named = [name for (where, _), name in environment.names.items() if where == section]
    return named[0] if named else str(file.path) if file else "default"


# --- pydantic's ValidationError told as one line: origin, section.key, the problem --------------

_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")
_NOT_TABLE = "must be a table [{section}], got {kind}"
_NOT_TEXT = "must be a string, got {kind}"
_SAYS = {  # pydantic's error type -> the problem; {got} is the value, unless it is a secret
    **dict.fromkeys(("model_type", "dataclass_type", "dict_type"), _NOT_TABLE),
    **dict.fromkeys(("string_type", "path_type"), _NOT_TEXT),
    **dict.fromkeys(("int_parsing", "int_from_float", "int_type"), "must be a whole number{got}"),
    **dict.fromkeys(("float_parsing", "float_type"), "must be a number{got}"),
    "finite_number": "must be a finite number{got}",
    "greater_than": "must be above {gt}{got}",
    "greater_than_equal": "must be at least {ge}{got}",
    "less_than": "must be below {lt}{got}",
    "less_than_equal": "must be at most {le}{got}",
}


def one_line(
    exc: ValidationError, sections: type[BaseModel], env: Environment, file: TomlFile | None
) -> str:
    """The first problem as `origin: section.key: problem`. A misspelt key goes first: it
    explains the others (the key it was meant to be is then missing)."""
    error = min(exc.errors(), key=lambda e: e["type"] not in _UNKNOWN)
    where = [part for part in error["loc"] if isinstance(part, str)]
    ctx = error.get("ctx", {})
    if isinstance(ctx.get("error"), KeyProblem):
        where.append(ctx["error"].key)
    section, key = where[0], ".".join(where[1:])
    where_from = origin(section, key, env, file)
    if not key and error["type"] in _UNKNOWN:
        known = sections.model_fields
        return f"{where_from}: unknown section [{section}]{hint(section, known)}"
    annotation = sections.model_fields[section].annotation
    declared = next((t for t in (annotation, *get_args(annotation)) if _fields(t)), None)
    fields = _fields(declared)
    if error["type"] in _UNKNOWN:
        problem = f"unknown key{hint(key, fields)}"
    elif "error" in ctx:  # our own checks: the text is the problem
        problem = str(ctx["error"])
    else:
        secret = key in fields and fields[key].repr is False  # declared repr=False: never shown
        value = error["input"]
        got = "" if secret else f", got {value!r}"
        says = _SAYS.get(error["type"], error["msg"])
        problem = says.format(section=section, kind=kind(value), got=got, **ctx)
    return f"{where_from}: {section}{'.' if key else ''}{key}: {problem}"


def _fields(declared: object) -> dict[str, FieldInfo]:
    return getattr(declared, "__pydantic_fields__", {})
