"""Save and load calendars and SLA policies as their domain specs.

The JSON ``spec`` column is what the SLA engine reads back (exactly the spec that was saved);
``save_policy`` also rewrites the ``sla_priority`` rows from the same spec in the same
transaction, so the rows used for queries and joins never disagree with the JSON.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.policy import CLOCKS, PolicySpec, PrioritySpec
from deskui.store.models import Calendar, SlaPolicy, SlaPriority


def save_calendar(session: Session, spec: CalendarSpec) -> Calendar:
    """Insert or replace the calendar named ``spec.name``."""
    row = session.scalars(select(Calendar).where(Calendar.name == spec.name)).one_or_none()
    if row is None:
        row = Calendar(name=spec.name)
        session.add(row)
    row.timezone = spec.timezone
    row.description = spec.description
    row.spec = spec.model_dump(mode="json")
    session.flush()
    return row


def save_policy(session: Session, spec: PolicySpec) -> SlaPolicy:
    """Insert or replace the policy named ``spec.name`` and its priority rows.

    Its calendar must already be saved. A priority that disappears from the spec is deleted,
    which the database refuses while tickets still use it.
    """
    calendar = session.scalars(select(Calendar).where(Calendar.name == spec.calendar)).one_or_none()
    if calendar is None:
        raise ValueError(f"policy {spec.name!r} names calendar {spec.calendar!r}, not saved yet")
    row = session.scalars(select(SlaPolicy).where(SlaPolicy.name == spec.name)).one_or_none()
    if row is None:
        row = SlaPolicy(name=spec.name)
        session.add(row)
    row.calendar = calendar
    row.description = spec.description
    row.spec = spec.model_dump(mode="json")

    existing = {priority.slug: priority for priority in row.priorities}
    wanted = []
    for rank, priority in enumerate(spec.priorities):
        priority_row = existing.get(priority.slug) or SlaPriority(slug=priority.slug)
        _fill_priority(priority_row, priority, rank)
        wanted.append(priority_row)
    row.priorities = wanted
    session.flush()
    return row


def _fill_priority(row: SlaPriority, spec: PrioritySpec, rank: int) -> None:
    row.label = spec.label
    row.definition = spec.definition
    row.rank = rank
    for clock in CLOCKS:
        target = spec.target(clock)
        setattr(row, CLOCK_INFO[clock].target_field, None if target is None else str(target))


def load_calendar_specs(session: Session) -> dict[str, CalendarSpec]:
    """Every stored calendar, by name, exactly as saved."""
    rows = session.scalars(select(Calendar).order_by(Calendar.name))
    return {row.name: CalendarSpec.model_validate(row.spec) for row in rows}


def load_policy_specs(session: Session) -> dict[str, PolicySpec]:
    """Every stored policy, by name, exactly as saved."""
    rows = session.scalars(select(SlaPolicy).order_by(SlaPolicy.name))
    return {row.name: PolicySpec.model_validate(row.spec) for row in rows}
