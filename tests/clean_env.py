"""The environment for a `storegw` subprocess in a test: none of the developer's STOREGW_*
settings, and STOREGW_CONFIG empty (the built-in defaults, on purpose), so a command without
--config never reads a real /etc/storegw/gateway.toml on the machine running the tests."""

import os


def storegw_free_env() -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("STOREGW_")}
    return kept | {"STOREGW_CONFIG": ""}
