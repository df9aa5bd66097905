"""Errors a user or the cloud can act on. Each carries a machine-readable reason."""


class DomainError(Exception):
    """A command was refused; nothing was changed."""

    reason = "invalid"

    def __init__(self, detail: str, *, reason: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if reason is not None:
            self.reason = reason


class InvalidInput(DomainError):
    reason = "invalid"


class NotFound(DomainError):
    reason = "not_found"


class InvalidTransition(DomainError):
    """The order is in a state where this action makes no sense (ship after cancel, ...)."""

    reason = "invalid_transition"


class InsufficientStock(DomainError):
    reason = "insufficient_stock"


class StaleVersion(DomainError):
    """The screen showed an older version of the order: reload and try again."""

    reason = "stale_version"
