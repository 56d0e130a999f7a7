"""Saved views: an agent's queue panes, defined by filters and a sort, kept per agent.

Where they live: the ``saved_view`` table, one row per agent and view name, ``spec`` a
``deskui.domain.views.ViewSpec`` as JSON. Not a file in the user's config directory: over SSH
and the web every agent runs as the same system user, and on PostgreSQL an agent moves between
machines; the views belong to the agent.

Every agent has the four default views (``DEFAULT_VIEWS``: mine, unassigned, open, waiting)
unless they save one of the same name (which then replaces it in place); their other views
follow in the order saved. The API::

    list_views(database, agent)                 -> list[ViewSpec]   (agent: id or handle)
    get_view(database, agent, name)             -> ViewSpec         (NotFoundError names known)
    save_view(actor, spec)                      -> ViewSpec         (checked: teams, orgs ...)
    delete_view(actor, name)                    -> None             (a default: refused)
    run_view(database, spec, agent_id=, now=, limit=, offset=, text_filter=, order=)
                                                -> ViewResult(records, total)
    views_containing(database, views, ticket_ids, agent_id=, now=)
                                                -> {view name: {ticket ids it holds}}

``run_view`` is one bounded page query (``store.queue_queries`` with the view's conditions),
plus a count with the same conditions. ``DeskService.view_page`` wraps it for the app (rows
with the calendar their next clock counts on, like ``queue_page``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from deskui.domain.views import DEFAULT_VIEWS, ME, NOBODY, ViewSpec
from deskui.services.actor import Actor
from deskui.services.errors import NotFoundError, TicketValidationError
from deskui.services.tickets.due_windows import breached, due_within, not_breached
from deskui.services.tickets.queue_order import clock_calendar, remaining_key
from deskui.services.tickets.sla_context import sla_context
from deskui.store.models import Agent, Organisation, Product, SavedView, SlaPriority, Team, Ticket
from deskui.store.queue_queries import QueueRecord, count_open, open_tickets_page
from deskui.store.session import Database

MAX_VIEWS = 50
DEFAULT_NAMES = tuple(view.name for view in DEFAULT_VIEWS)


class ViewNotFoundError(NotFoundError):
    """No view of that name for the agent."""


# One ticket of a view, as the queue's page query reads it (for front ends, which do not import
# the store).
ViewRecord = QueueRecord


@dataclass(frozen=True, slots=True)
class ViewResult:
    records: list[ViewRecord]
    total: int
    breached: int = 0  # the first ``breached`` records are the view's breached band


def parse_view(values: dict[str, object]) -> ViewSpec:
    """A ``ViewSpec`` from plain values (CLI options, a form, JSON); ``TicketValidationError``
    names the first bad field."""
    try:
        return ViewSpec.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "view"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise TicketValidationError(field, message) from None


def _agent_id(session: Session, agent: int | str) -> int:
    if isinstance(agent, int):
        return agent
    found = session.scalars(select(Agent.id).where(Agent.handle == agent)).one_or_none()
    if found is None:
        known = ", ".join(session.scalars(select(Agent.handle).order_by(Agent.handle)))
        raise TicketValidationError("agent", f"unknown agent {agent!r} (known: {known})")
    return found


def agent_id(database: Database, handle: str) -> int:
    """The id of the agent ``handle``; ``TicketValidationError`` on ``agent`` if unknown."""
    with database.read() as session:
        return _agent_id(session, handle)


def _saved(session: Session, agent_id: int) -> list[SavedView]:
    return list(
        session.scalars(
            select(SavedView)
            .where(SavedView.agent_id == agent_id)
            .order_by(SavedView.position, SavedView.id)
        )
    )


def list_views(database: Database, agent: int | str) -> list[ViewSpec]:
    """The agent's views: the defaults (or their saved replacements), then their own."""
    with database.read() as session:
        rows = _saved(session, _agent_id(session, agent))
    saved = {row.name: ViewSpec.model_validate(row.spec) for row in rows}
    views = [saved.pop(view.name, view) for view in DEFAULT_VIEWS]
    return views + [saved[row.name] for row in rows if row.name in saved]


def get_view(database: Database, agent: int | str, name: str) -> ViewSpec:
    views = list_views(database, agent)
    wanted = name.strip().lower()
    for view in views:
        if view.name == wanted:
            return view
    known = ", ".join(view.name for view in views)
    raise ViewNotFoundError(f"no view named {name!r} (known: {known})")


def _check_names(session: Session, spec: ViewSpec, agent_id: int) -> None:
    """Every team, organisation, product, priority and handle the view names exists."""
    checks = (
        ("teams", "team", Team.slug, spec.teams),
        ("organisations", "organisation", Organisation.slug, spec.organisations),
        ("products", "product", Product.slug, spec.products),
        ("priorities", "priority", SlaPriority.slug, spec.priorities),
    )
    for field, what, column, wanted in checks:
        if not wanted:
            continue
        known = set(session.scalars(select(column).distinct()))
        unknown = [value for value in wanted if value not in known]
        if unknown:
            raise TicketValidationError(
                field, f"unknown {what} {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
    if spec.assignee not in (None, ME, NOBODY):
        _agent_id(session, spec.assignee)


def _signed_in(actor: Actor) -> str:
    if actor.handle is None:
        raise TicketValidationError("agent", "views belong to an agent: sign in (--as HANDLE)")
    return actor.handle


def save_view(actor: Actor, spec: ViewSpec) -> ViewSpec:
    """Save (or replace) the acting agent's view ``spec.name``."""
    database, agent, at = actor.database, _signed_in(actor), actor.now()
    with database.write() as session:
        agent_id = _agent_id(session, agent)
        _check_names(session, spec, agent_id)
        row = session.scalars(
            select(SavedView).where(SavedView.agent_id == agent_id, SavedView.name == spec.name)
        ).one_or_none()
        document = spec.model_dump(mode="json")
        if row is None:
            count = session.scalar(
                select(func.count()).select_from(SavedView).where(SavedView.agent_id == agent_id)
            )
            if (count or 0) >= MAX_VIEWS:
                raise TicketValidationError("name", f"at most {MAX_VIEWS} saved views per agent")
            last = session.scalar(
                select(func.max(SavedView.position)).where(SavedView.agent_id == agent_id)
            )
            session.add(
                SavedView(
                    agent_id=agent_id,
                    name=spec.name,
                    position=(last or 0) + 1,
                    spec=document,
                    updated_at=at,
                )
            )
        else:
            row.spec = document
            row.updated_at = at
    return spec


def delete_view(actor: Actor, name: str) -> None:
    """Delete the acting agent's view ``name``; a saved replacement of a default brings the
    default back."""
    database, agent = actor.database, _signed_in(actor)
    wanted = name.strip().lower()
    with database.write() as session:
        agent_id = _agent_id(session, agent)
        row = session.scalars(
            select(SavedView).where(SavedView.agent_id == agent_id, SavedView.name == wanted)
        ).one_or_none()
        deleted = row is not None
        if row is not None:
            session.delete(row)
    if not deleted:
        if wanted in DEFAULT_NAMES:
            raise TicketValidationError(
                "name", f"{wanted!r} is a default view: it can be replaced, not deleted"
            )
        known = ", ".join(view.name for view in list_views(database, agent))
        raise ViewNotFoundError(f"no view named {name!r} (known: {known})")


def view_conditions(
    database: Database, session: Session, spec: ViewSpec, *, now: dt.datetime
) -> list[ColumnElement[bool]]:
    """The view's filters beyond statuses and assignee, as conditions on ``Ticket``."""
    where: list[ColumnElement[bool]] = []
    if spec.teams:
        where.append(Ticket.team_id.in_(select(Team.id).where(Team.slug.in_(spec.teams))))
    if spec.priorities:
        where.append(Ticket.priority.in_(spec.priorities))
    if spec.organisations:
        where.append(
            Ticket.organisation_id.in_(
                select(Organisation.id).where(Organisation.slug.in_(spec.organisations))
            )
        )
    if spec.products:
        where.append(
            Ticket.product_id.in_(select(Product.id).where(Product.slug.in_(spec.products)))
        )
    if spec.breached:
        where.append(breached(now))
    if spec.due_within_minutes is not None:
        seconds = spec.due_within_minutes * 60
        where.append(due_within(session, sla_context(database, session), now, lambda _p: seconds))
    return where


def _filters(spec: ViewSpec, agent_id: int | None, text_filter: str | None) -> dict[str, Any]:
    assignee: int | str | None = None
    if spec.assignee == ME:
        if agent_id is None:
            raise TicketValidationError("agent", f"view {spec.name!r} is about 'me': sign in")
        assignee = agent_id
    elif spec.assignee not in (None, NOBODY):
        assignee = spec.assignee
    return {
        "statuses": [s.value for s in spec.statuses],
        "assignee": assignee,
        "unassigned": spec.assignee == NOBODY,
        "text_filter": text_filter or None,
    }


def run_view(
    database: Database,
    spec: ViewSpec,
    *,
    agent_id: int | None,
    now: dt.datetime,
    limit: int = 100,
    offset: int = 0,
    text_filter: str | None = None,
    order: str | None = None,
    breached_first: bool = True,
) -> ViewResult:
    """One page of the view's tickets in its order (``order`` overrides it: ``priority``,
    ``due``, ``opened``, ``updated``), and how many there are in all.

    With ``breached_first`` the view's breached tickets come first, in a band of their own
    (most overdue first by business time), then the rest in the view's order; ``priority`` and
    ``due`` order by business time left on each ticket's own calendar, as the queue shows it
    (``services.tickets.queue_order``). Paging runs over band then rest. ``agent_id`` is who
    ``me`` means (``None``: a view about ``me`` is refused).
    """
    filters = _filters(spec, agent_id, text_filter)
    chosen = order or spec.sort.value
    with database.read() as session:
        context = sla_context(database, session)
        where = view_conditions(database, session, spec, now=now)
        total = count_open(session, where=where, **filters)
        band: list[QueueRecord] = []
        band_total = 0
        rest_where = where
        if breached_first:
            band_total = count_open(session, where=[*where, breached(now)], **filters)
            if offset < band_total:
                band = open_tickets_page(
                    session,
                    order="due",
                    limit=limit,
                    offset=offset,
                    where=[*where, breached(now)],
                    **filters,
                )
            rest_where = [*where, not_breached(now)]
        rest: list[QueueRecord] = []
        if len(band) < limit:
            rest = open_tickets_page(
                session,
                order=chosen,  # type: ignore[arg-type]
                limit=limit - len(band),
                offset=max(0, offset - band_total),
                where=rest_where,
                **filters,
            )

    def key(record: QueueRecord) -> tuple[int, int, float, int]:
        calendar = clock_calendar(
            context.policies, record.policy, record.priority, record.next_clock, record.calendar
        )
        return remaining_key(context.book, calendar, record, now)

    band.sort(key=key)
    if chosen == "due":
        rest.sort(key=key)
    elif chosen == "priority":
        rest.sort(key=lambda record: (record.priority_rank, *key(record)))
    return ViewResult(records=band + rest, total=total, breached=len(band))


def views_containing(
    database: Database,
    views: Sequence[ViewSpec],
    ticket_ids: Collection[int],
    *,
    agent_id: int | None,
    now: dt.datetime,
) -> dict[str, set[int]]:
    """Which of ``ticket_ids`` each view holds (view name -> ids), e.g. to badge the panes
    an alert's ticket is in. One small query per view, bounded by the ids."""
    wanted = sorted(set(ticket_ids))
    found: dict[str, set[int]] = {view.name: set() for view in views}
    if not wanted:
        return found
    with database.read() as session:
        for view in views:
            if view.assignee == ME and agent_id is None:
                continue
            where = [*view_conditions(database, session, view, now=now), Ticket.id.in_(wanted)]
            records = open_tickets_page(
                session, limit=len(wanted), where=where, **_filters(view, agent_id, None)
            )
            found[view.name] = {record.ticket_id for record in records}
    return found
