"""Commands with an idempotency key run once; a repeat gets the stored result back."""

from collections.abc import Callable


def run_once(uow, idem_key: str | None, action: str, command: Callable[[], dict]) -> dict:
    if idem_key is None:
        return command()
    stored = uow.commands.recall(idem_key)
    if stored is not None:
        return {**stored, "replayed": True}
    result = command()
    uow.commands.remember(idem_key, action, result)
    return result
