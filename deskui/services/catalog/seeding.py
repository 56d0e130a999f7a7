"""Load a validated catalog (sample data) into a database: ``deskui db seed DIR``.

Everything is written in ONE write transaction, so a seed either lands whole or not at all.
Seeding is an upsert by natural key — calendar and policy names, team/product/organisation/
rotation/checklist slugs, agent handles, contact emails, SSH key fingerprints, and a contract's
organisation plus reference (or, without a reference, its policy, team and start date) — so
seeding the same directory twice changes nothing, and seeding an edited copy updates in place.
Rows the directory no longer mentions are left alone (tickets may point at them); sets that
belong to an entry (an agent's roles, teams and skills, a contract's liaisons, a checklist's
steps) are made equal to the directory's. SSH keys are only ever added: keys registered later
with ``deskui agent add-key`` survive a re-seed.

On-call shifts are expanded from each weekly rotation and its overrides for whole rotation
weeks from about 8 weeks before ``now`` to 26 weeks after; a re-seed replaces the rotation's
shifts from that window start on and keeps older ones as history.

Routing rules are stored in file order as ``routing_rule`` rows at positions 1, 2, …; rules
past the file's last position are deleted (routing must follow the file exactly, and no ticket
points at a rule). Modification steps are upserted by slug as ``modification_plan`` rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from deskui.domain.calendar.localtime import first_instant, from_epoch
from deskui.domain.catalog.agents import AgentSpec
from deskui.domain.catalog.oncall import OnCallRotationSpec
from deskui.domain.catalog.organisations import ContractSpec, OrganisationSpec
from deskui.domain.catalog.terms import WEEKDAYS
from deskui.domain.catalog.triage import (
    ModificationStepsSpec,
    SubStepSpec,
    TriageChecklistSpec,
    TriageStepSpec,
)
from deskui.domain.ssh_keys import parse_ssh_key, ssh_fingerprint
from deskui.domain.vocabulary import ShiftRole
from deskui.services.authorization import require_admin
from deskui.services.catalog.load import Catalog, load_catalog_from_directory
from deskui.store import models
from deskui.store.catalog_store import save_calendar, save_policy
from deskui.store.changes import record_event
from deskui.store.session import Database

_M = TypeVar("_M")
_T = TypeVar("_T")

SHIFT_WEEKS_BACK = 8
SHIFT_WEEKS_AHEAD = 26
SEEDED_EVENT = "catalog-seeded"

# Summary order: how the CLI lists what was written.
KINDS = (
    "calendars",
    "policies",
    "teams",
    "products",
    "agents",
    "ssh_keys",
    "organisations",
    "contacts",
    "contracts",
    "triage_checklists",
    "triage_steps",
    "modification_plans",
    "oncall_rotations",
    "oncall_shifts",
    "routing_rules",
    "modification_plans",
)


@dataclass
class SeedSummary:
    """How many rows of each kind the seed wrote, and how many of those were new."""

    written: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # Catalog sections the schema has no place for yet, with their entry counts.
    not_stored: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, new: bool) -> None:
        self.written[kind] += 1
        if new:
            self.created[kind] += 1

    def lines(self) -> list[str]:
        out = []
        for kind in KINDS:
            label = kind.replace("_", " ")
            out.append(f"{label:18} {self.written[kind]:5d}  ({self.created[kind]} new)")
        for kind, number in self.not_stored.items():
            label = kind.replace("_", " ")
            out.append(f"{label:18} {number:5d}  (not stored: the schema has no table yet)")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def seed_directory(
    database: Database, path: Path, *, now: dt.datetime | None = None
) -> SeedSummary:
    """Load and check the sample-data directory ``path``, then seed it.

    A bad directory raises the loader's ``SampleDataError`` before the database is touched.
    """
    catalog = load_catalog_from_directory(path)
    return seed_catalog(database, catalog, now=now)


def seed_catalog(
    database: Database,
    catalog: Catalog,
    *,
    now: dt.datetime | None = None,
    by: str | None = None,
) -> SeedSummary:
    """Write everything in ``catalog`` into ``database`` in one transaction (an upsert).
    ``by``: the agent doing it, who must be an admin (agents, calendars and policies are
    admin matters); ``None`` is the operator's shell, which holds the database anyway."""
    instant = now or dt.datetime.now(dt.UTC)
    if instant.tzinfo is None:
        raise ValueError("seed_catalog needs an aware 'now'")
    if by is not None:
        require_admin(database, by, action="seed the catalog", at=instant)
    with database.write() as session:
        summary = _Seeder(session, catalog, instant).run()
        record_event(session, SEEDED_EVENT, payload=dict(summary.written), at=instant)
    return summary


class _Seeder:
    """One seeding run inside one session; rows are looked up by natural key, then filled."""

    def __init__(self, session: Session, catalog: Catalog, now: dt.datetime) -> None:
        self.session = session
        self.catalog = catalog
        self.now = now
        self.summary = SeedSummary()
        self.calendars: dict[str, models.Calendar] = {}
        self.policies: dict[str, models.SlaPolicy] = {}
        self.teams: dict[str, models.Team] = {}
        self.products: dict[str, models.Product] = {}
        self.agents: dict[str, models.Agent] = {}

    def run(self) -> SeedSummary:
        self._desk()
        for spec in self.catalog.calendars.values():
            new = self._exists(models.Calendar, models.Calendar.name, spec.name) is None
            self.calendars[spec.name] = save_calendar(self.session, spec)
            self.summary.count("calendars", new=new)
        for policy in self.catalog.policies.values():
            new = self._exists(models.SlaPolicy, models.SlaPolicy.name, policy.name) is None
            self.policies[policy.name] = save_policy(self.session, policy)
            self.summary.count("policies", new=new)
        self._teams()
        self._products()
        for agent in self.catalog.agents.values():
            self._agent(agent)
        self.session.flush()
        for organisation in self.catalog.organisations.values():
            self._organisation(organisation)
        for checklist in self.catalog.triage_checklists.values():
            self._checklist(checklist)
        for rotation in self.catalog.oncall_rotations.values():
            self._rotation(rotation)
        self._routing_rules()
        for plan in self.catalog.modification_steps.values():
            self._modification_plan(plan)
        self.session.flush()
        return self.summary

    # ---- helpers ---------------------------------------------------------------------------

    def _exists(self, model: type[_M], column: Any, value: object) -> _M | None:
        return self.session.scalars(select(model).where(column == value)).one_or_none()

    def _find_or_add(
        self, model: type[_M], column: Any, value: object, **new_fields: Any
    ) -> tuple[_M, bool]:
        """The row whose natural key ``column`` is ``value``, added with ``new_fields`` when
        missing; and whether it was added (the upsert every section uses)."""
        row = self._exists(model, column, value)
        if row is not None:
            return row, False
        row = model(**new_fields)
        self.session.add(row)
        return row, True

    def _desk(self) -> None:
        spec = self.catalog.desk
        row = self.session.get(models.Desk, 1)
        if row is None:
            row = models.Desk(id=1)
            self.session.add(row)
        row.name = spec.name
        row.reference_prefix = spec.reference_prefix
        row.timezone = spec.timezone
        row.spec = spec.model_dump(mode="json")

    def _teams(self) -> None:
        for spec in self.catalog.teams.values():
            row, new = self._find_or_add(models.Team, models.Team.slug, spec.slug, slug=spec.slug)
            row.name = spec.name
            row.calendar = self.calendars[spec.calendar]
            row.policy = self.policies[spec.policy]
            row.description = spec.description
            self.teams[spec.slug] = row
            self.summary.count("teams", new=new)

    def _products(self) -> None:
        for spec in self.catalog.products.values():
            row, new = self._find_or_add(
                models.Product, models.Product.slug, spec.slug, slug=spec.slug
            )
            row.name = spec.name
            row.team = self.teams[spec.team]
            row.description = spec.description
            self.products[spec.slug] = row
            self.summary.count("products", new=new)

    def _agent(self, spec: AgentSpec) -> None:
        row, new = self._find_or_add(
            models.Agent, models.Agent.handle, spec.handle, handle=spec.handle
        )
        row.name = spec.name
        row.email = spec.email
        row.timezone = spec.timezone
        row.title = spec.title
        row.active = True
        _set_equal(row.roles, spec.roles)
        _set_equal(row.category_skills, spec.skills.categories)
        row.teams = [self.teams[slug] for slug in spec.teams]
        row.product_skills = [self.products[slug] for slug in spec.skills.products]
        self.agents[spec.handle] = row
        self.summary.count("agents", new=new)
        for line in spec.ssh_keys:
            self._ssh_key(row, line)

    def _ssh_key(self, agent: models.Agent, line: str) -> None:
        key_type, key_text, comment = parse_ssh_key(line)
        fingerprint = ssh_fingerprint(key_text)
        row, new = self._find_or_add(
            models.SshKey,
            models.SshKey.fingerprint,
            fingerprint,
            fingerprint=fingerprint,
            added_at=self.now,
        )
        # A key belongs to the agent the directory lists it under (it may have moved).
        row.agent = agent
        row.key_type = key_type
        row.key_text = key_text
        row.comment = comment
        self.summary.count("ssh_keys", new=new)

    def _organisation(self, spec: OrganisationSpec) -> None:
        row, new = self._find_or_add(
            models.Organisation, models.Organisation.slug, spec.slug, slug=spec.slug
        )
        row.name = spec.name
        row.timezone = spec.timezone
        row.project_manager = self.agents[spec.project_manager] if spec.project_manager else None
        self.summary.count("organisations", new=new)

        contacts: dict[str, models.Contact] = {}
        for contact in spec.contacts:
            contact_row, contact_new = self._find_or_add(
                models.Contact, models.Contact.email, contact.email, email=contact.email
            )
            contact_row.organisation = row
            contact_row.name = contact.name
            contact_row.phone = contact.phone
            contact_row.timezone = contact.timezone
            contact_row.role = contact.role
            contacts[contact.email] = contact_row
            self.summary.count("contacts", new=contact_new)
        self.session.flush()

        for contract in spec.contracts:
            contract_row = self._contract_row(row, contract)
            contract_new = contract_row is None
            if contract_row is None:
                contract_row = models.Contract(organisation=row)
                self.session.add(contract_row)
            contract_row.reference = contract.reference
            contract_row.policy = self.policies[contract.policy]
            contract_row.team = self.teams[contract.team]
            contract_row.active_from = contract.active_from
            contract_row.active_to = contract.active_to
            contract_row.liaisons = [contacts[email] for email in contract.liaisons]
            self.summary.count("contracts", new=contract_new)

    def _contract_row(
        self, organisation: models.Organisation, spec: ContractSpec
    ) -> models.Contract | None:
        if organisation.id is None:
            return None
        query = select(models.Contract).where(models.Contract.organisation_id == organisation.id)
        if spec.reference:
            query = query.where(models.Contract.reference == spec.reference)
        else:
            query = query.where(
                models.Contract.reference == "",
                models.Contract.policy_id == self.policies[spec.policy].id,
                models.Contract.team_id == self.teams[spec.team].id,
                models.Contract.active_from == spec.active_from,
            )
        return self.session.scalars(query.order_by(models.Contract.id)).first()

    def _checklist(self, spec: TriageChecklistSpec) -> None:
        row, new = self._find_or_add(
            models.TriageChecklist, models.TriageChecklist.slug, spec.slug, slug=spec.slug
        )
        row.title = spec.title
        row.policy_id = self.policies[spec.policy].id if spec.policy else None
        row.team_id = self.teams[spec.team].id if spec.team else None
        row.spec = spec.model_dump(mode="json")
        self.summary.count("triage_checklists", new=new)

        existing = {step.key: step for step in row.steps}
        wanted: list[models.TriageStep] = []
        for position, (key, text, parent, outcomes) in enumerate(checklist_steps(spec)):
            step = existing.get(key)
            self.summary.count("triage_steps", new=step is None)
            if step is None:
                step = models.TriageStep(key=key)
            step.position = position
            step.text = text
            step.parent_key = parent
            step.outcome = {"outcomes": outcomes} if outcomes else None
            wanted.append(step)
        row.steps = wanted

    def _routing_rules(self) -> None:
        existing = {row.position: row for row in self.session.scalars(select(models.RoutingRule))}
        for position, spec in enumerate(self.catalog.routing_rules, start=1):
            row = existing.get(position)
            self.summary.count("routing_rules", new=row is None)
            if row is None:
                row = models.RoutingRule(position=position)
                self.session.add(row)
            row.team_id = self.teams[spec.team].id
            row.spec = spec.model_dump(mode="json")
        self.session.execute(
            delete(models.RoutingRule).where(
                models.RoutingRule.position > len(self.catalog.routing_rules)
            )
        )

    def _modification_plan(self, spec: ModificationStepsSpec) -> None:
        row, new = self._find_or_add(
            models.ModificationPlan, models.ModificationPlan.slug, spec.slug, slug=spec.slug
        )
        self.summary.count("modification_plans", new=new)
        row.title = spec.title
        row.policy_id = self.policies[spec.policy].id if spec.policy else None
        row.team_id = self.teams[spec.team].id if spec.team else None
        row.spec = spec.model_dump(mode="json")

    def _rotation(self, spec: OnCallRotationSpec) -> None:
        row, new = self._find_or_add(
            models.OnCallRotation, models.OnCallRotation.slug, spec.slug, slug=spec.slug
        )
        team = self.teams[spec.team]
        row.team_id = team.id
        row.name = spec.slug
        row.escalation_minutes = spec.escalation.secondary_after_minutes
        row.spec = spec.model_dump(mode="json")
        self.session.flush()
        self.summary.count("oncall_rotations", new=new)

        shifts = expand_rotation(spec, self.now)
        if not shifts:
            return
        window_start = shifts[0].starts_at
        shift = models.OnCallShift
        in_window = (shift.rotation_id == row.id, shift.starts_at >= window_start)
        columns = (
            shift.agent_id,
            shift.role,
            shift.starts_at,
            shift.ends_at,
            shift.override_reason,
        )
        before = {tuple(row) for row in self.session.execute(select(*columns).where(*in_window))}
        # Keep history: shifts before the window stay; one running into it is cut at its start.
        self.session.execute(delete(shift).where(*in_window))
        self.session.execute(
            update(shift)
            .where(shift.rotation_id == row.id, shift.ends_at > window_start)
            .values(ends_at=window_start)
        )
        for planned in shifts:
            agent_id = self.agents[planned.agent].id
            key = (agent_id, planned.role, planned.starts_at, planned.ends_at, planned.reason)
            self.session.add(
                models.OnCallShift(
                    rotation_id=row.id,
                    team_id=team.id,
                    agent_id=agent_id,
                    starts_at=planned.starts_at,
                    ends_at=planned.ends_at,
                    role=planned.role,
                    override_reason=planned.reason,
                )
            )
            self.summary.count("oncall_shifts", new=key not in before)


def _set_equal(current: set[_T], wanted: Iterable[_T]) -> None:
    """Make a set-like collection equal to ``wanted`` by removing and adding members (a
    replaced row with the same key would be inserted before the old one is deleted)."""
    target = set(wanted)
    for member in set(current) - target:
        current.discard(member)
    for member in target - set(current):
        current.add(member)


# ---- modification plans ------------------------------------------------------------------


# ---- triage steps -----------------------------------------------------------------------


def checklist_steps(
    spec: TriageChecklistSpec,
) -> list[tuple[str, str, str | None, list[dict[str, object]]]]:
    """``(key, text, parent key, outcome hints)`` for each step and sub-step, in order."""
    rows: list[tuple[str, str, str | None, list[dict[str, object]]]] = []
    for key, step in spec.steps.items():
        rows.append((key, step.text, None, _outcomes(step)))
        for sub_key, sub in step.substeps.items():
            rows.append((sub_key, sub.text, key, _outcomes(sub)))
    return rows


def _outcomes(step: TriageStepSpec | SubStepSpec) -> list[dict[str, object]]:
    return [o.model_dump(mode="json", exclude_defaults=True) for o in step.outcomes]


# ---- on-call shifts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """One stretch of one role held by one agent."""

    agent: str
    role: ShiftRole
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str | None


def expand_rotation(
    spec: OnCallRotationSpec,
    now: dt.datetime,
    *,
    weeks_back: int = SHIFT_WEEKS_BACK,
    weeks_ahead: int = SHIFT_WEEKS_AHEAD,
) -> list[PlannedShift]:
    """The rotation's shifts for whole rotation weeks around ``now``, overrides applied.

    Week ``n`` (from ``spec.starts``) has ``agents[n % len]`` as primary and the next agent as
    secondary; an override replaces either for its stretch (the later override wins where two
    overlap). Adjacent stretches with the same agent and reason are merged. Sorted by start,
    primary before secondary.
    """
    zone = ZoneInfo(spec.timezone)
    handover = spec.handover.time
    if WEEKDAYS.index(spec.handover.weekday) != spec.starts.weekday():
        raise ValueError(f"rotation {spec.slug!r} does not start on its handover weekday")

    def boundary(week: int) -> int:
        day = spec.starts + dt.timedelta(weeks=week)
        return first_instant(dt.datetime.combine(day, handover), zone)

    now_epoch = int(now.timestamp())
    # The week holding ``now``: count whole weeks from the start, then correct around DST.
    week_now = (now.astimezone(zone).date() - spec.starts).days // 7
    while week_now > 0 and boundary(week_now) > now_epoch:
        week_now -= 1
    while boundary(week_now + 1) <= now_epoch:
        week_now += 1
    first_week = max(0, week_now - weeks_back)
    last_week = week_now + weeks_ahead
    if last_week < first_week:
        return []
    edges = [boundary(week) for week in range(first_week, last_week + 2)]
    low, high = edges[0], edges[-1]

    overrides = [
        (first_instant(o.start, zone), first_instant(o.end, zone), o) for o in spec.overrides
    ]
    agents = spec.agents
    planned: list[PlannedShift] = []
    for role in (ShiftRole.PRIMARY, ShiftRole.SECONDARY):
        offset = 0 if role is ShiftRole.PRIMARY else 1
        cuts = set(edges)
        for start, end, _ in overrides:
            cuts.update(t for t in (start, end) if low < t < high)
        points = sorted(cuts)
        pieces: list[tuple[int, int, str, str | None]] = []
        week = first_week
        for start, end in pairwise(points):
            while week - first_week + 1 < len(edges) and edges[week - first_week + 1] <= start:
                week += 1
            agent: str = agents[(week + offset) % len(agents)]
            reason: str | None = None
            for o_start, o_end, override in overrides:
                chosen = override.primary if role is ShiftRole.PRIMARY else override.secondary
                if chosen is not None and o_start <= start and end <= o_end:
                    agent = chosen
                    reason = override.reason or f"{override.kind} override"
            if pieces and pieces[-1][2] == agent and pieces[-1][3] == reason:
                pieces[-1] = (pieces[-1][0], end, agent, reason)
            else:
                pieces.append((start, end, agent, reason))
        planned.extend(
            PlannedShift(agent, role, from_epoch(s, dt.UTC), from_epoch(e, dt.UTC), reason)
            for s, e, agent, reason in pieces
        )
    planned.sort(key=lambda p: (p.starts_at, p.role != ShiftRole.PRIMARY))
    return planned
