"""Who may do what: the roles, enforced here for every path (keys, palette, CLI, SSH).

Agents work tickets; supervisors also reassign anyone's tickets and watch the breach board;
approvers decide change and modification requests; admins manage agents, keys, calendars and
policies. A refusal raises ``RoleRefusedError`` (a ``PermissionDeniedError``) with a message
that says who was refused what and which role it needs, and is written to ``audit_refusal``.

The refusal is recorded in its own short transaction by ``refusals_recorded``: the action's own
transaction rolls back with the error, and the trail must survive that. An action with no
signed-in agent (``by=None``: a script run by the operator, who holds the database itself) is
the system and is not refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from deskui.domain.vocabulary import Role
from deskui.services.errors import NotFoundError, PermissionDeniedError
from deskui.store.models import Agent, AuditRefusal, Ticket
from deskui.store.session import Database

# Roles that include another's powers: an admin may do what a supervisor may.
_IMPLIES: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.SUPERVISOR}),
}


class RoleRefusedError(PermissionDeniedError):
    """An action the agent's roles do not allow; carries what to write to the audit trail."""

    def __init__(
        self, actor: Agent, action: str, target: str, needs: Iterable[Role], at: dt.datetime
    ) -> None:
        needed = " or ".join(sorted(role.value for role in needs))
        where = f" on {target}" if target else ""
        super().__init__(
            f"{actor.handle} may not {action}{where}: that needs the {needed} role "
            f"({actor.handle} has: {', '.join(sorted(_held(actor))) or 'no roles'})"
        )
        self.actor_id = actor.id
        self.actor = actor.handle
        self.action = action
        self.target = target
        self.at = at


def _held(agent: Agent) -> set[str]:
    return {Role(role).value for role in agent.roles}


def has_role(agent: Agent | None, *roles: Role) -> bool:
    """Whether ``agent`` holds one of ``roles`` (directly or through a wider role)."""
    if agent is None:
        return True
    held = {Role(role) for role in agent.roles}
    for role in list(held):
        held |= _IMPLIES.get(role, frozenset())
    return any(role in held for role in roles)


def require_role(
    agent: Agent | None, *roles: Role, action: str, target: str = "", at: dt.datetime
) -> None:
    """Raise ``RoleRefusedError`` unless ``agent`` (``None``: the system) holds one of ``roles``."""
    if agent is not None and not has_role(agent, *roles):
        raise RoleRefusedError(agent, action, target, roles, at)


def require_may_assign(
    agent: Agent | None,
    current_assignee_id: int | None,
    *,
    target: str,
    at: dt.datetime,
) -> None:
    """Any agent may place an unassigned ticket or pass on their own (to anyone, or back to
    the queue); moving a ticket someone else holds is a supervisor's call."""
    if agent is None:
        return
    if current_assignee_id not in (None, agent.id):
        require_role(agent, Role.SUPERVISOR, action="reassign tickets", target=target, at=at)


# Who may work tickets (notes, replies, status, priority, taking): an approver-only account
# decides change requests but does not work the queue.
TICKET_WORKERS: tuple[Role, ...] = (Role.AGENT, Role.SUPERVISOR)


def acting_agent(database: Database, handle: str | None) -> Agent | None:
    """The agent ``handle`` acting (``None``: the system, i.e. the operator's shell);
    ``NotFoundError`` for a handle nobody has, so a typo is never taken for the system."""
    if handle is None:
        return None
    with database.read() as session:
        agent = session.scalars(select(Agent).where(Agent.handle == handle)).one_or_none()
    if agent is None or not agent.active:
        raise NotFoundError(f"unknown agent {handle!r} (--as must name an active agent)")
    return agent


def require_admin(
    database: Database, handle: str | None, *, action: str, target: str = "", at: dt.datetime
) -> None:
    """Refuse (and log) unless ``handle`` is an admin; ``None`` is the system and may."""
    with refusals_recorded(database):
        require_role(
            acting_agent(database, handle), Role.ADMIN, action=action, target=target, at=at
        )


def refuse_unless_may_assign(database: Database, handle: str, ref: str, *, at: dt.datetime) -> None:
    """Before showing an assign form: refuse (and log) at once if ``handle`` may not move
    ``ref`` as it stands, rather than after the agent has filled the form in. The write
    itself checks again (``tickets.assign``): the ticket may change in between."""
    reference = ref.strip().upper()
    with refusals_recorded(database):
        with database.read() as session:
            agent = session.scalars(select(Agent).where(Agent.handle == handle)).one_or_none()
            assignee = session.scalar(
                select(Ticket.assignee_id).where(Ticket.reference == reference)
            )
        require_may_assign(agent, assignee, target=reference, at=at)


@dataclass(frozen=True, slots=True)
class RefusalView:
    """One refused action from the audit trail."""

    at: dt.datetime
    actor: str
    action: str
    target: str
    reason: str


def list_refusals(
    database: Database, *, actor: str | None = None, limit: int | None = None
) -> list[RefusalView]:
    """The refused actions, newest first (``actor``'s only, at most ``limit``)."""
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    query = select(AuditRefusal).order_by(AuditRefusal.at.desc(), AuditRefusal.id.desc())
    if actor is not None:
        query = query.where(AuditRefusal.actor == actor)
    with database.read() as session:
        rows = session.scalars(query.limit(limit)).all()
        return [RefusalView(r.at, r.actor, r.action, r.target, r.reason) for r in rows]


def record_refusal(database: Database, refusal: RoleRefusedError) -> None:
    """Write ``refusal`` to the audit trail in a transaction of its own."""
    with database.write() as session:
        session.add(
            AuditRefusal(
                at=refusal.at,
                agent_id=refusal.actor_id,
                actor=refusal.actor,
                action=refusal.action,
                target=refusal.target,
                reason=str(refusal),
            )
        )


@contextmanager
def refusals_recorded(database: Database) -> Iterator[None]:
    """Around an action's transaction: a ``RoleRefusedError`` is recorded, then re-raised."""
    try:
        yield
    except RoleRefusedError as refusal:
        record_refusal(database, refusal)
        raise
