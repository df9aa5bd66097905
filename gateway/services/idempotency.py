"""Commands with an idempotency key run once; a repeat gets the stored result back."""

from collections.abc import Callable

from gateway.domain.errors import InvalidInput


def run_once(uow, idem_key: str | None, action: str, command: Callable[[], dict]) -> dict:
    if idem_key is None:
        return command()
    stored = uow.commands.recall(idem_key)
    if stored is not None:
        if stored.get("action", action) != action:
            raise InvalidInput(f"key {idem_key} was already used for {stored['action']}")
        return {**stored["result"], "replayed": True}
    result = command()
    uow.commands.remember(idem_key, action, result)
    return result
