"""The queue's page query: a bounded page of tickets in queue order, read through an index.

Order ``"priority"``: priority rank, then tickets with a running clock by soonest due, then those
with no running clock, then id (a stable order for paging). Order ``"due"``: the same without
the rank. ``"opened"`` / ``"updated"``: newest first (saved views). When every requested
status is an open one, the query leads with ``is_open = true`` so it walks
``ix_ticket_open_queue`` (or the assignee/team variant) in order and stops after ``limit``
rows; it never sorts every open ticket. Joins are LEFT OUTER so the ticket table stays the
driving loop of the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Exists, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from deskui.domain.vocabulary import OPEN_STATUSES, Status
from deskui.store.models import (
    Agent,
    Calendar,
    Organisation,
    Product,
    SlaPolicy,
    SlaPriority,
    Ticket,
)

QueueOrder = Literal["priority", "due", "opened", "updated"]
QUEUE_ORDERS: tuple[str, ...] = ("priority", "due", "opened", "updated")


@dataclass(frozen=True, slots=True)
class QueueRecord:
    """One ticket as the queue shows it (the fields of ``services.views.QueueRow``)."""

    ticket_id: int
    reference: str
    priority: str
    priority_label: str
    priority_rank: int
    subject: str
    organisation: str
    status: str
    assignee: str | None
    next_clock: str | None
    next_due_at: dt.datetime | None
    calendar: str | None
    opened_at: dt.datetime
    product: str | None
    version: int
    policy: str | None = None


def _related_matches(alias: Any, foreign_key: Any, needle: str, *columns: Any) -> Exists:
    """EXISTS a row of ``alias`` (an alias, so it never correlates to the page query's own
    joins) that the ticket points at and whose ``columns`` contain ``needle``."""
    return (
        select(alias.id)
        .where(alias.id == foreign_key)
        .where(or_(*(column.icontains(needle, autoescape=True) for column in columns)))
        .correlate(Ticket)
        .exists()
    )


def _filtered(
    statement: Select,
    *,
    statuses: Collection[str],
    assignee: int | str | None,
    unassigned: bool,
    team_id: int | None,
    text_filter: str | None,
    where: Sequence[ColumnElement[bool]] = (),
    due_before: dt.datetime | None = None,
) -> Select:
    wanted = sorted({Status(s).value for s in statuses})
    if not wanted:
        return statement.where(false())
    if set(wanted) <= {s.value for s in OPEN_STATUSES}:
        # Leading equality on the generated column puts the ordered index to work.
        statement = statement.where(Ticket.is_open == true())
    statement = statement.where(Ticket.status.in_(wanted))
    if assignee is not None and unassigned:
        raise ValueError("give either an assignee or unassigned=True, not both")
    if isinstance(assignee, int):
        statement = statement.where(Ticket.assignee_id == assignee)
    elif isinstance(assignee, str):
        agent_id = select(Agent.id).where(Agent.handle == assignee).scalar_subquery()
        statement = statement.where(Ticket.assignee_id == agent_id)
    if unassigned:
        statement = statement.where(Ticket.assignee_id.is_(None))
    if team_id is not None:
        statement = statement.where(Ticket.team_id == team_id)
    # Further conditions a caller built (a saved view's teams, products, due window ...).
    for condition in where:
        statement = statement.where(condition)
    if due_before is not None:
        # Past due on the wall clock = breached, whatever the calendar (the breached band).
        statement = statement.where(Ticket.no_due == false(), Ticket.next_due_at < due_before)
    if text_filter and text_filter.strip():
        needle = text_filter.strip()
        organisation, product, agent = aliased(Organisation), aliased(Product), aliased(Agent)
        organisation_match = _related_matches(
            organisation, Ticket.organisation_id, needle, organisation.name
        )
        product_match = _related_matches(
            product, Ticket.product_id, needle, product.name, product.slug
        )
        assignee_match = _related_matches(
            agent, Ticket.assignee_id, needle, agent.handle, agent.name
        )
        statement = statement.where(
            or_(
                Ticket.reference.icontains(needle, autoescape=True),
                Ticket.subject.icontains(needle, autoescape=True),
                Ticket.requester_name.icontains(needle, autoescape=True),
                organisation_match,
                product_match,
                assignee_match,
            )
        )
    return statement


def page_statement(
    *,
    statuses: Collection[str] = tuple(OPEN_STATUSES),
    assignee: int | str | None = None,
    unassigned: bool = False,
    team_id: int | None = None,
    order: QueueOrder = "priority",
    text_filter: str | None = None,
    limit: int = 100,
    offset: int = 0,
    where: Sequence[ColumnElement[bool]] = (),
    due_before: dt.datetime | None = None,
) -> Select:
    """The SELECT behind ``open_tickets_page`` (public so tests can EXPLAIN it)."""
    if order not in QUEUE_ORDERS:
        raise ValueError(f"order must be one of {', '.join(QUEUE_ORDERS)}, not {order!r}")
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset not negative")
    assignee_agent = aliased(Agent)
    statement: Select = (
        select(
            Ticket.id,
            Ticket.reference,
            Ticket.priority,
            SlaPriority.label,
            Ticket.priority_rank,
            Ticket.subject,
            Organisation.name,
            Ticket.requester_name,
            Ticket.status,
            assignee_agent.handle,
            Ticket.next_clock,
            Ticket.next_due_at,
            Calendar.name,
            Ticket.opened_at,
            Product.slug,
            Ticket.version,
            SlaPolicy.name,
        )
        .select_from(Ticket)
        .outerjoin(
            SlaPriority,
            and_(SlaPriority.policy_id == Ticket.policy_id, SlaPriority.slug == Ticket.priority),
        )
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
        .outerjoin(assignee_agent, assignee_agent.id == Ticket.assignee_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
        .outerjoin(Calendar, Calendar.id == SlaPolicy.calendar_id)
        .outerjoin(Product, Product.id == Ticket.product_id)
    )
    statement = _filtered(
        statement,
        statuses=statuses,
        assignee=assignee,
        unassigned=unassigned,
        team_id=team_id,
        text_filter=text_filter,
        where=where,
        due_before=due_before,
    )
    if order == "opened":
        statement = statement.order_by(Ticket.opened_at.desc(), Ticket.id.desc())
    elif order == "updated":
        statement = statement.order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    else:
        rank = (Ticket.priority_rank,) if order == "priority" else ()
        statement = statement.order_by(*rank, Ticket.no_due, Ticket.next_due_at, Ticket.id)
    return statement.limit(limit).offset(offset)


def open_tickets_page(
    session: Session,
    *,
    statuses: Collection[str] = tuple(OPEN_STATUSES),
    assignee: int | str | None = None,
    unassigned: bool = False,
    team_id: int | None = None,
    order: QueueOrder = "priority",
    text_filter: str | None = None,
    limit: int = 100,
    offset: int = 0,
    where: Sequence[ColumnElement[bool]] = (),
    due_before: dt.datetime | None = None,
) -> list[QueueRecord]:
    """One page of tickets in ``statuses``, in queue order.

    ``assignee`` is an agent id or handle; ``unassigned`` keeps only tickets nobody has taken;
    ``team_id`` narrows to one team; ``text_filter`` matches reference, subject, requester,
    organisation name, product (name or slug) or assignee (handle or name) (case-insensitive,
    ``%`` and ``_`` taken literally); ``where``: further conditions on the ticket;
    ``due_before`` keeps only tickets whose next clock fell due before that instant (the
    breached ones when it is now).
    """
    statement = page_statement(
        statuses=statuses,
        assignee=assignee,
        unassigned=unassigned,
        team_id=team_id,
        order=order,
        text_filter=text_filter,
        limit=limit,
        offset=offset,
        where=where,
        due_before=due_before,
    )
    return [
        QueueRecord(
            ticket_id=row[0],
            reference=row[1],
            priority=row[2],
            priority_label=row[3] or row[2],
            priority_rank=row[4],
            subject=row[5],
            organisation=row[6] or row[7] or "",
            status=str(row[8]),
            assignee=row[9],
            next_clock=str(row[10]) if row[10] is not None else None,
            next_due_at=row[11],
            calendar=row[12],
            opened_at=row[13],
            product=row[14],
            version=row[15],
            policy=row[16],
        )
        for row in session.execute(statement)
    ]


def count_open(
    session: Session,
    *,
    statuses: Collection[str] = tuple(OPEN_STATUSES),
    assignee: int | str | None = None,
    unassigned: bool = False,
    team_id: int | None = None,
    text_filter: str | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    """How many tickets ``open_tickets_page`` would page through with the same filters."""
    statement = _filtered(
        select(func.count()).select_from(Ticket),
        statuses=statuses,
        assignee=assignee,
        unassigned=unassigned,
        team_id=team_id,
        text_filter=text_filter,
        where=where,
    )
    return int(session.execute(statement).scalar_one())


def count_by_status(session: Session, *, team_id: int | None = None) -> dict[str, int]:
    """Open-ticket counts per status (every open status present, zero when none)."""
    statement = (
        select(Ticket.status, func.count()).where(Ticket.is_open == true()).group_by(Ticket.status)
    )
    if team_id is not None:
        statement = statement.where(Ticket.team_id == team_id)
    counts = {status.value: 0 for status in Status if status in OPEN_STATUSES}
    for status, count in session.execute(statement):
        counts[str(status)] = int(count)
    return counts
