"""Errors the services raise for problems a person can fix; the CLI and UI show their text."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every user-facing service error: its message says what is wrong and where."""


class NotFoundError(ServiceError):
    """A reference, handle or name that does not exist."""


class PermissionDeniedError(ServiceError):
    """The signed-in agent's roles do not allow the action."""


class TicketNotFoundError(NotFoundError):
    """No ticket has the reference asked for."""


class TicketConflictError(ServiceError):
    """Someone else got there first (for example, another agent already took the ticket)."""


class TicketValidationError(ServiceError):
    """A field of a ticket action is missing or wrong; ``field`` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TicketStateError(ServiceError):
    """The action does not fit the ticket's status (an illegal lifecycle transition)."""
