"""The SLA engine's configuration as stored in one database: calendars and policies.

``sla_context(database)`` gives the ``SlaContext`` (a ``CalendarBook`` plus the policies by
name) read from the database the first time it is asked for, then kept for that ``Database``:
compiled calendars are the expensive part, and they grow lazily inside the book. Call it with
``reload=True`` after calendars or policies change; a policy name the cached context does not
know (seeded after it was read) also reloads it once.

Pass the caller's ``session`` when inside a transaction, so loading reads through the same
connection (an in-memory SQLite database has only one).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from sqlalchemy.orm import Session

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.policy import PolicySpec
from deskui.services.errors import ServiceError
from deskui.store.catalog_store import load_calendar_specs, load_policy_specs
from deskui.store.session import Database


class UnknownPolicyError(ServiceError):
    """A ticket or contract names a policy the database does not hold."""


@dataclass(frozen=True)
class SlaContext:
    """Calendars (compiled lazily, cached) and policies, as read at one moment."""

    book: CalendarBook
    policies: dict[str, PolicySpec]

    @classmethod
    def load(cls, session: Session) -> SlaContext:
        calendars = load_calendar_specs(session)
        return cls(book=CalendarBook(calendars.values()), policies=load_policy_specs(session))

    def policy(self, name: str) -> PolicySpec:
        try:
            return self.policies[name]
        except KeyError:
            known = ", ".join(sorted(self.policies)) or "none"
            raise UnknownPolicyError(f"unknown SLA policy {name!r} (known: {known})") from None


_contexts: weakref.WeakKeyDictionary[Database, SlaContext] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def sla_context(
    database: Database, session: Session | None = None, *, reload: bool = False
) -> SlaContext:
    """The cached context for ``database`` (read now if missing, or if ``reload``)."""
    if not reload:
        cached = _contexts.get(database)
        if cached is not None:
            return cached
    if session is not None:
        context = SlaContext.load(session)
    else:
        with database.read() as reader:
            context = SlaContext.load(reader)
    with _lock:
        _contexts[database] = context
    return context


def policy_for(database: Database, session: Session, name: str) -> tuple[SlaContext, PolicySpec]:
    """The context and the policy ``name``, reloading once if the cache predates it."""
    context = sla_context(database, session)
    if name not in context.policies:
        context = sla_context(database, session, reload=True)
    return context, context.policy(name)


def forget_sla_context(database: Database) -> None:
    """Drop the cached context (the next call reads the database again)."""
    with _lock:
        _contexts.pop(database, None)
