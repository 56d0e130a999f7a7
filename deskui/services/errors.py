"""Errors the services raise for problems a person can fix; the CLI and UI show their text."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every user-facing service error: its message says what is wrong and where."""


class NotFoundError(ServiceError):
    """A reference, handle or name that does not exist."""


class PermissionDeniedError(ServiceError):
    """The signed-in agent's roles do not allow the action."""
