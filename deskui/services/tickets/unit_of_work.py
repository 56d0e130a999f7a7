"""One change to one ticket inside one write transaction: the shared steps of every action.

``ticket_write`` is the envelope every writer of a ticket uses: refusal audit, write
transaction and ``begin_edit``.
``begin_edit`` loads the ticket locked against other writers (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), refuses a stale
``expected_version`` with a message saying what changed since and by whom, and finds the
acting agent and the ticket's policy. The action then changes the ticket and appends to the
log through ``TicketEdit``; ``finish`` recomputes the clocks when a log entry or the priority
can have changed them, flushes once (so the version goes up by exactly one per action) and
records the change-feed event as the last statement.

Because the row is locked before it is read, two changes to one ticket queue up instead of
failing: appending to the log never conflicts, and of two agents taking the same ticket the
second sees the first one's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from deskui.domain.sla.policy import PolicySpec, PrioritySpec
from deskui.domain.storage_errors import StaleEditError
from deskui.domain.untrusted import one_line
from deskui.domain.vocabulary import Direction, InteractionKind, Status
from deskui.domain.workflow import IllegalTransitionError, check_transition
from deskui.services.actor import Actor
from deskui.services.authorization import TICKET_WORKERS, refusals_recorded, require_role
from deskui.services.errors import (
    NotFoundError,
    TicketNotFoundError,
    TicketStateError,
    TicketValidationError,
)
from deskui.services.tickets.clocks import CLOCK_KINDS, refresh_clocks
from deskui.services.tickets.sla_context import SlaContext, policy_for
from deskui.store.changes import record_event
from deskui.store.models import Agent, Interaction, Ticket
from deskui.store.session import Database

EVENT_PREFIX = "ticket."

DIRECTIONS: dict[InteractionKind, Direction] = {
    InteractionKind.CALL_IN: Direction.IN,
    InteractionKind.EMAIL_IN: Direction.IN,
    InteractionKind.FAX_IN: Direction.IN,
    InteractionKind.ANSWERPHONE: Direction.IN,
    InteractionKind.CALL_OUT: Direction.OUT,
    InteractionKind.EMAIL_OUT: Direction.OUT,
    InteractionKind.REMOTE_SESSION: Direction.OUT,
}


def require_aware(at: dt.datetime, name: str = "at") -> dt.datetime:
    """``at`` itself; a naive time is a programming error (whose clock would it be?)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (the caller's clock, with a zone)")
    return at


def required_text(text: str | None, field: str, what: str) -> str:
    """``text`` trimmed; ``TicketValidationError`` on ``field`` if there is nothing left."""
    value = (text or "").strip()
    if not value:
        raise TicketValidationError(field, f"{what} is required")
    return value


def policy_priority(policy: PolicySpec, slug: str, field: str) -> PrioritySpec:
    """The priority ``slug`` is handled as (mapping applied); ``TicketValidationError`` on
    ``field`` listing the known slugs if the policy has no such priority."""
    try:
        return policy.resolve_priority(slug)
    except KeyError:
        known = ", ".join([p.slug for p in policy.priorities] + list(policy.mapping))
        raise TicketValidationError(
            field, f"{slug!r} is not a priority of {policy.name} (known: {known})"
        ) from None


def normalise_reference(ref: str) -> str:
    return ref.strip().upper()


def load_ticket(session: Session, ref: str, *, lock: bool = False) -> Ticket:
    """The ticket ``ref`` (case-insensitive); ``TicketNotFoundError`` if there is none."""
    reference = normalise_reference(ref)
    statement = select(Ticket).where(Ticket.reference == reference)
    if lock:
        # FOR UPDATE only on the ticket table (no joins, which PostgreSQL would refuse).
        statement = statement.with_for_update(of=Ticket)
    ticket = session.scalars(statement).one_or_none()
    if ticket is None:
        raise TicketNotFoundError(f"no ticket {reference!r}")
    return ticket


def find_agent(session: Session, handle: str) -> Agent:
    """The active agent ``handle``; ``NotFoundError`` lists the known handles."""
    agent = session.scalars(select(Agent).where(Agent.handle == handle)).one_or_none()
    if agent is None or not agent.active:
        handles = session.scalars(select(Agent.handle).where(Agent.active).order_by(Agent.handle))
        known = ", ".join(handles) or "none"
        raise NotFoundError(f"unknown agent {handle!r} (known: {known})")
    return agent


def agent_label(agent: Agent | None) -> str:
    return f"{agent.name} ({agent.handle})" if agent is not None else "nobody"


def describe_entry(entry: Interaction, author: Agent | None) -> str:
    """A log entry in a few words, for telling an agent what changed under them."""
    who = (
        agent_label(author) if author is not None else (one_line(entry.author_name) or "the system")
    )
    meta = entry.meta or {}
    what = entry.kind.value
    if "from" in meta or "to" in meta:
        what += f" {meta.get('from') or 'none'} → {meta.get('to') or 'none'}"
    elif entry.body:
        what += f" “{one_line(entry.body, 60)}”"
    return f"{who} at {entry.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC: {what}"


def stale_edit(session: Session, ticket: Ticket, expected: int) -> StaleEditError:
    """The error for an edit based on ``expected`` when the ticket is at a later version."""
    latest = session.execute(
        select(Interaction, Agent)
        .outerjoin(Agent, Agent.id == Interaction.author_agent_id)
        .where(Interaction.ticket_id == ticket.id)
        .order_by(Interaction.id.desc())
        .limit(1)
    ).one_or_none()
    last = f"; the latest change was by {describe_entry(*latest)}" if latest is not None else ""
    return StaleEditError(
        f"{ticket.reference} was changed by someone else since you opened it (version "
        f"{expected}, now {ticket.version}){last}. Your change was not applied: reload the "
        "ticket, then apply it again.",
        expected=expected,
        actual=ticket.version,
    )


@dataclass
class TicketEdit:
    """The state of one action on one ticket, between ``begin_edit`` and ``finish``."""

    database: Database
    session: Session
    ticket: Ticket
    context: SlaContext
    policy: PolicySpec
    at: dt.datetime
    actor: Agent | None
    new_entries: list[Interaction] = field(default_factory=list)
    clocks_touched: bool = False

    def log(
        self,
        kind: InteractionKind,
        body: str = "",
        meta: dict[str, Any] | None = None,
        *,
        author_name: str | None = None,
        direction: Direction | None = None,
        at: dt.datetime | None = None,
    ) -> Interaction:
        """Append one entry to the ticket's log (written at ``save``)."""
        entry = Interaction(
            at=at or self.at,
            kind=kind,
            direction=direction or DIRECTIONS.get(kind, Direction.INTERNAL),
            author_agent=self.actor,
            author_name=author_name,
            body=body,
            meta=meta or {},
            attachments=[],
        )
        if self.ticket.id is not None:
            # By id, not through ``ticket.interactions``: appending to that collection would
            # first load the whole log.
            entry.ticket_id = self.ticket.id
        else:
            entry.ticket = self.ticket
        self.session.add(entry)
        self.new_entries.append(entry)
        return entry

    def change_status(self, wanted: Status, body: str = "", **meta: Any) -> Interaction:
        """Move to ``wanted`` if the lifecycle allows it, logging ``{"from", "to"}``."""
        current = Status(self.ticket.status)
        try:
            check_transition(current, wanted)
        except IllegalTransitionError as exc:
            raise TicketStateError(f"{self.ticket.reference}: {exc}") from None
        self.ticket.status = wanted
        return self.log(
            InteractionKind.STATUS_CHANGE,
            body,
            {"from": current.value, "to": wanted.value, **meta},
        )

    def save(self) -> None:
        """Recompute the clocks if a new entry or the priority can have moved them, and
        write the change (one flush: the version goes up by one)."""
        if self.clocks_touched or any(e.kind in CLOCK_KINDS for e in self.new_entries):
            refresh_clocks(self.session, self.context, self.policy, self.ticket, self.new_entries)
        self.ticket.updated_at = self.at
        # Always an UPDATE (so the version goes up), even when nothing but the log changed and
        # ``at`` equals the last ``updated_at`` (a frozen clock, or two actions in one tick).
        flag_modified(self.ticket, "updated_at")
        self.session.flush()

    def announce(self, action: str, **payload: Any) -> int:
        """Record the change-feed event (the transaction's last statement); the version."""
        record_event(
            self.session,
            EVENT_PREFIX + action,
            self.ticket.id,
            {
                "reference": self.ticket.reference,
                "version": self.ticket.version,
                "by": self.actor.handle if self.actor is not None else None,
                **payload,
            },
            at=self.at,
        )
        return self.ticket.version

    def finish(self, action: str, **payload: Any) -> int:
        """``save`` then ``announce``; the ticket's new version."""
        self.save()
        return self.announce(action, **payload)


@contextmanager
def ticket_write(
    actor: Actor,
    ref: str,
    *,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Iterator[TicketEdit]:
    """The envelope of every write to one ticket: what every writer of a ticket goes through.

    A role refusal is written to the audit trail (in a transaction of its own, since the write
    rolls back), the change runs in one write transaction, and ``begin_edit`` locks the ticket,
    checks ``expected_version`` and finds the acting agent. ``at`` is the action's instant
    (default: ``actor.now()``), for a writer that already read the clock to check its input.
    """
    when = at if at is not None else actor.now()
    database = actor.database
    with refusals_recorded(database), database.write() as session:
        yield begin_edit(
            database,
            session,
            ref,
            by=actor.handle,
            at=when,
            expected_version=expected_version,
        )


def begin_edit(
    database: Database,
    session: Session,
    ref: str,
    *,
    by: str | None,
    at: dt.datetime,
    expected_version: int | None = None,
) -> TicketEdit:
    """Lock and load ``ref``, check the version the caller saw, find the agent and policy."""
    require_aware(at)
    # One flush per action, at ``finish``: a query flushing a half-made change would bump
    # the version twice.
    session.autoflush = False
    ticket = load_ticket(session, ref, lock=True)
    if expected_version is not None and ticket.version != expected_version:
        raise stale_edit(session, ticket, expected_version)
    actor = find_agent(session, by) if by is not None else None
    # Agents (and supervisors) work tickets; an approver-only account does not.
    require_role(actor, *TICKET_WORKERS, action="work tickets", target=ticket.reference, at=at)
    context, policy = policy_for(database, session, ticket.policy.name)
    return TicketEdit(database, session, ticket, context, policy, at, actor)
