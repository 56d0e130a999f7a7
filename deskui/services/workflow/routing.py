"""Routing: who a newly opened ticket goes to, by the stored ``routing_rule`` rows.

Rules are tried in ``position`` order; the first whose team, categories and ``when`` match
wins (``RoutingRuleSpec.matches``). Its strategy picks an agent; when it finds nobody the
rule's fallback (a strategy or one agent) is tried; when that finds nobody too the ticket stays
unassigned and the log says so. Every decision is written to the ticket's log as an
``assignment-change`` entry naming the rule (position and strategy), whom it chose and why
("least-loaded: 2 open vs 3"), so an agent can see why a ticket landed with them.

Load is the number of open tickets assigned to an agent; ties go to the handle first in
alphabetical order, so the same database always routes the same way.

``route_new_ticket`` runs inside ``open_ticket``'s transaction (``open_ticket(route=True)``),
before the single flush, so the assignment is part of the ticket's first version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from deskui.domain.catalog.routing import RoutingRuleSpec
from deskui.domain.catalog.terms import ROUTING_STRATEGIES
from deskui.domain.vocabulary import Category, InteractionKind, Role, ShiftRole
from deskui.services.oncall.shifts import current_shift_holder
from deskui.services.tickets.unit_of_work import TicketEdit
from deskui.store.models import (
    Agent,
    AgentCategorySkill,
    AgentRole,
    RoutingRule,
    Ticket,
    agent_product_skill,
    agent_team,
)

APPROVERS_QUEUE = "approvers-queue"


@dataclass(frozen=True, slots=True)
class Pick:
    """What one strategy found: an agent (or the approvers' queue) and why."""

    agent: Agent | None
    reason: str
    approvers: bool = False


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """The rule that matched and what it decided; ``handle`` is ``None`` when unassigned."""

    position: int
    strategy: str
    handle: str | None
    reason: str
    awaiting_approval: bool = False
    fallback: bool = False
    rule_strategy: str = ""

    def describe(self) -> str:
        via = f", its fallback {self.strategy}" if self.fallback else ""
        strategy = self.rule_strategy if self.fallback else self.strategy
        if self.awaiting_approval:
            who = "the approvers' review queue"
        elif self.handle is None:
            who = "nobody"
        else:
            who = self.handle
        return f"Routing rule {self.position} ({strategy}{via}) chose {who}: {self.reason}"


def load_rules(session: Session) -> list[tuple[int, RoutingRuleSpec]]:
    """The stored rules in the order they are tried."""
    rows = session.scalars(select(RoutingRule).order_by(RoutingRule.position))
    return [(row.position, RoutingRuleSpec.model_validate(row.spec)) for row in rows]


def open_load(session: Session, agents: Sequence[Agent]) -> dict[int, int]:
    """Open tickets assigned to each of ``agents`` (0 for none)."""
    ids = [agent.id for agent in agents]
    if not ids:
        return {}
    counts = dict.fromkeys(ids, 0)
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(ids), Ticket.is_open)
        .group_by(Ticket.assignee_id)
    )
    for agent_id, number in rows:
        if agent_id is not None:  # never: the query keeps only these agents' tickets
            counts[agent_id] = int(number)
    return counts


def least_loaded(session: Session, agents: Sequence[Agent], what: str) -> Pick:
    """The agent with the fewest open tickets (ties: first handle), with the counts as reason."""
    if not agents:
        return Pick(None, f"no {what}")
    loads = open_load(session, agents)
    ranked = sorted(agents, key=lambda agent: (loads[agent.id], agent.handle))
    chosen = ranked[0]
    if len(ranked) == 1:
        reason = f"least-loaded: the only {what} ({loads[chosen.id]} open)"
    else:
        others = " and ".join(str(loads[agent.id]) for agent in ranked[1:4])
        reason = f"least-loaded {what}: {loads[chosen.id]} open vs {others}"
    return Pick(chosen, reason)


def _team_agents(ticket: Ticket) -> Select[Agent]:
    return (
        select(Agent)
        .join(agent_team, agent_team.c.agent_id == Agent.id)
        .where(agent_team.c.team_id == ticket.team.id, Agent.active)
    )


def _with_category(session: Session, ticket: Ticket, category: Category) -> list[Agent]:
    statement = _team_agents(ticket).join(
        AgentCategorySkill, AgentCategorySkill.agent_id == Agent.id
    )
    return list(session.scalars(statement.where(AgentCategorySkill.category == category)))


def _with_role(session: Session, ticket: Ticket, role: Role) -> list[Agent]:
    statement = _team_agents(ticket).join(AgentRole, AgentRole.agent_id == Agent.id)
    return list(session.scalars(statement.where(AgentRole.role == role)))


def _product_specialists(session: Session, ticket: Ticket) -> list[Agent]:
    if ticket.product is None:
        return []
    statement = _team_agents(ticket).join(
        agent_product_skill, agent_product_skill.c.agent_id == Agent.id
    )
    return list(
        session.scalars(statement.where(agent_product_skill.c.product_id == ticket.product.id))
    )


def _project_manager_then_skill(session: Session, ticket: Ticket, at: dt.datetime) -> Pick:
    organisation = ticket.organisation
    manager = organisation.project_manager if organisation is not None else None
    if organisation is not None and manager is not None and manager.active:
        return Pick(manager, f"the project manager of {organisation.slug}")
    category = Category(ticket.category)
    pick = least_loaded(
        session, _with_category(session, ticket, category), f"{category.value} specialist"
    )
    if pick.agent is not None:
        return Pick(pick.agent, f"no project manager; {pick.reason}")
    return pick


def _least_loaded_product_specialist(session: Session, ticket: Ticket, at: dt.datetime) -> Pick:
    if ticket.product is None:
        return Pick(None, "the ticket names no product")
    return least_loaded(
        session, _product_specialists(session, ticket), f"{ticket.product.slug} specialist"
    )


def _approvers_queue(session: Session, ticket: Ticket, at: dt.datetime) -> Pick:
    return Pick(None, "waits for an approver's decision (specification, quote, approval)", True)


def _supervisor(session: Session, ticket: Ticket, at: dt.datetime) -> Pick:
    reason = "no active contract (no entitlement)" if ticket.flag_no_entitlement else ""
    pick = least_loaded(session, _with_role(session, ticket, Role.SUPERVISOR), "supervisor")
    if pick.agent is not None and reason:
        return Pick(pick.agent, f"{reason}; {pick.reason}")
    return pick


def _on_call(session: Session, ticket: Ticket, at: dt.datetime) -> Pick:
    for role in ShiftRole:
        holder = current_shift_holder(session, ticket.team.id, role, at)
        if holder is not None and holder.active:
            return Pick(holder, f"on call ({role.value}) for {ticket.team.slug} now")
    return Pick(None, f"nobody is on call for {ticket.team.slug} now")


# The strategies a routing rule may name (``sample_data/routing.yaml``), by name. Adding one is
# a function here, its entry below and its name in ``RoutingStrategy``
# (``deskui/domain/catalog/terms.py``), which checks the YAML.
Strategy = Callable[[Session, Ticket, dt.datetime], Pick]
STRATEGIES: dict[str, Strategy] = {
    "project-manager-then-skill": _project_manager_then_skill,
    "least-loaded-product-specialist": _least_loaded_product_specialist,
    APPROVERS_QUEUE: _approvers_queue,
    "supervisor": _supervisor,
    "on-call": _on_call,
}


assert set(STRATEGIES) == set(ROUTING_STRATEGIES), "every strategy the YAML may name runs"


def run_strategy(session: Session, strategy: str, ticket: Ticket, at: dt.datetime) -> Pick:
    """What ``strategy`` finds for ``ticket`` at ``at`` (``agent`` ``None``: nobody)."""
    chosen = STRATEGIES.get(strategy)
    if chosen is None:
        return Pick(None, f"unknown strategy {strategy!r}")
    return chosen(session, ticket, at)


def decide(
    session: Session, ticket: Ticket, at: dt.datetime, *, after_hours: bool = False
) -> tuple[RoutingDecision, Pick]:
    """The first matching rule's decision and what its strategy found; ``LookupError`` when
    no rule matches (then the ticket stays unassigned and nothing is logged). ``after_hours``:
    the ticket's team calendar is closed at ``at`` (rules with ``when: after-hours``)."""
    entitled = not ticket.flag_no_entitlement
    category = Category(ticket.category).value
    for position, rule in load_rules(session):
        if not rule.matches(ticket.team.slug, category, entitled=entitled, after_hours=after_hours):
            continue
        pick = run_strategy(session, rule.strategy, ticket, at)
        if pick.agent is not None or pick.approvers or rule.fallback is None:
            return _decision(position, rule.strategy, pick, fallback=False), pick
        fallback = rule.fallback
        if fallback.agent is not None:
            agent = session.scalars(select(Agent).where(Agent.handle == fallback.agent)).first()
            second = (
                Pick(agent, f"{pick.reason}; the rule's fallback agent")
                if agent is not None and agent.active
                else Pick(None, f"{pick.reason}; fallback agent {fallback.agent} is not active")
            )
            return _decision(position, "agent", second, fallback=True, rule=rule.strategy), second
        assert fallback.strategy is not None
        found = run_strategy(session, fallback.strategy, ticket, at)
        second = Pick(found.agent, f"{pick.reason}; then {found.reason}", found.approvers)
        decision = _decision(position, fallback.strategy, second, fallback=True, rule=rule.strategy)
        return decision, second
    raise LookupError("no routing rule matches")


def _decision(
    position: int, strategy: str, pick: Pick, *, fallback: bool, rule: str = ""
) -> RoutingDecision:
    return RoutingDecision(
        position=position,
        strategy=strategy,
        handle=pick.agent.handle if pick.agent is not None else None,
        reason=pick.reason,
        awaiting_approval=pick.approvers,
        fallback=fallback,
        rule_strategy=rule or strategy,
    )


def route_new_ticket(edit: TicketEdit) -> RoutingDecision | None:
    """Assign the ticket being opened by the first matching rule and log why; ``None`` (and
    nothing logged) when no rule matches its team and category."""
    ticket = edit.ticket
    # The desk's own hours decide "after hours", as for paging: the team's calendar, now.
    after_hours = not edit.context.book.get(ticket.team.calendar.name).is_open(edit.at)
    try:
        decision, pick = decide(edit.session, ticket, edit.at, after_hours=after_hours)
    except LookupError:
        return None
    if pick.approvers:
        ticket.awaiting_approval = True
    if pick.agent is not None:
        ticket.assignee = pick.agent
    edit.log(
        InteractionKind.ASSIGNMENT_CHANGE,
        decision.describe(),
        {
            "from": None,
            "to": decision.handle,
            "routed": True,
            "rule": decision.position,
            "strategy": decision.strategy,
            "rule_strategy": decision.rule_strategy,
            "fallback": decision.fallback,
            "reason": decision.reason,
            **({"queue": "approvers"} if decision.awaiting_approval else {}),
        },
    )
    return decision
