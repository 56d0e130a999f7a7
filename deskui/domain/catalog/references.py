"""Checks across entries and sections once each entry is valid on its own: names that must
exist, names given twice, and rules that span several fields (every priority states its
resolution target).

Findings carry the field path only; the caller knows which file and line that path is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from deskui.domain.catalog.errors import FieldPath, Finding
from deskui.domain.catalog.parts import CatalogParts, Entry
from deskui.domain.catalog.sections import SECTIONS
from deskui.domain.sla.policy import BusinessTarget, Clock

_WHAT = {
    "calendars": "calendar",
    "policies": "policy",
    "teams": "team",
    "products": "product",
    "organisations": "organisation",
    "agents": "agent",
    "triage_checklists": "triage checklist",
    "modification_steps": "modification steps",
    "oncall_rotations": "on-call rotation",
}


@dataclass
class _Checker:
    parts: CatalogParts
    findings: list[Finding] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, section in SECTIONS.items():
            if section.name_field is None or not section.many:
                continue
            entries: list[Entry[Any]] = getattr(self.parts, key)
            found = {getattr(e.spec, section.name_field) for e in entries}
            self.names[key] = found | self.parts.invalid_names.get(key, set())

    def add(self, path: FieldPath, reason: str) -> None:
        self.findings.append(Finding(path, reason))

    def known(self, section: str, name: str) -> bool:
        return section in self.parts.unverifiable or name in self.names.get(section, set())

    def need(self, section: str, name: str | None, path: FieldPath) -> bool:
        """Report ``name`` if it is not an entry of ``section``; True when it is fine."""
        if name is None or self.known(section, name):
            return True
        known = sorted(self.names.get(section, set()))
        listing = f" (known: {', '.join(known)})" if known and len(known) <= 12 else ""
        self.add(path, f"unknown {_WHAT[section]} {name!r}{listing}")
        return False


def check_references(parts: CatalogParts) -> list[Finding]:
    """Every cross-section problem in ``parts``, in a stable order."""
    checker = _Checker(parts)
    _required_sections(checker)
    _duplicates(checker)
    _policies(checker)
    _teams_and_products(checker)
    _organisations(checker)
    _agents(checker)
    _workflows(checker)
    _routing(checker)
    _oncall(checker)
    return checker.findings


def _required_sections(c: _Checker) -> None:
    for key, section in SECTIONS.items():
        if not section.required or key in c.parts.unverifiable:
            continue
        if key not in c.parts.seen:
            c.add((key,), "missing: no file defines it")
        elif section.many and not c.names.get(key):
            c.add((key,), "has no entries")


def _duplicates(c: _Checker) -> None:
    for key, section in SECTIONS.items():
        if section.name_field is None or not section.many:
            continue
        entries: list[Entry[Any]] = getattr(c.parts, key)
        _report_twice(
            c,
            ((e.index, getattr(e.spec, section.name_field)) for e in entries),
            key,
            section.name_field,
            _WHAT[key],
        )
    _report_twice(
        c, ((e.index, e.spec.email) for e in c.parts.agents), "agents", "email", "agent email"
    )


def _report_twice(
    c: _Checker, named: Iterable[tuple[int, str]], section: str, name_field: str, what: str
) -> None:
    first: dict[str, int] = {}
    for index, name in named:
        if name in first:
            c.add(
                (section, index, name_field),
                f"{what} {name!r} is defined twice (first at {section}[{first[name]}])",
            )
        else:
            first[name] = index


def _policies(c: _Checker) -> None:
    for entry in c.parts.policies:
        policy, base = entry.spec, ("policies", entry.index)
        c.need("calendars", policy.calendar, (*base, "calendar"))
        for p_index, priority in enumerate(policy.priorities):
            targets_path = (*base, "priorities", p_index, "targets")
            if Clock.RESOLUTION not in priority.targets:
                c.add(
                    targets_path,
                    "resolution is missing (priority missing a target; write 'none' or "
                    "'negotiated' if it has no resolution SLA)",
                )
            for clock, target in priority.targets.items():
                if isinstance(target, BusinessTarget) and target.calendar:
                    c.need("calendars", target.calendar, (*targets_path, clock.value))


def _teams_and_products(c: _Checker) -> None:
    for entry in c.parts.teams:
        base = ("teams", entry.index)
        c.need("calendars", entry.spec.calendar, (*base, "calendar"))
        c.need("policies", entry.spec.policy, (*base, "policy"))
    for product in c.parts.products:
        c.need("teams", product.spec.team, ("products", product.index, "team"))


def _organisations(c: _Checker) -> None:
    # Incoming mail is matched to a contact by address, so an address names one contact.
    owner: dict[str, str] = {}
    for entry in c.parts.organisations:
        org, base = entry.spec, ("organisations", entry.index)
        c.need("agents", org.project_manager, (*base, "project_manager"))
        for k, contact in enumerate(org.contacts):
            first = owner.setdefault(contact.email, org.slug)
            if first != org.slug:
                c.add(
                    (*base, "contacts", k, "email"),
                    f"{contact.email!r} is already a contact of organisation {first!r}",
                )
        emails = {contact.email for contact in org.contacts}
        for k, contract in enumerate(org.contracts):
            path = (*base, "contracts", k)
            c.need("policies", contract.policy, (*path, "policy"))
            c.need("teams", contract.team, (*path, "team"))
            for m, liaison in enumerate(contract.liaisons):
                if liaison not in emails:
                    c.add(
                        (*path, "liaisons", m),
                        f"liaison {liaison!r} is not a contact of organisation {org.slug!r}",
                    )


def _agents(c: _Checker) -> None:
    for entry in c.parts.agents:
        base = ("agents", entry.index)
        for k, team in enumerate(entry.spec.teams):
            c.need("teams", team, (*base, "teams", k))
        for k, product in enumerate(entry.spec.skills.products):
            c.need("products", product, (*base, "skills", "products", k))


def _scope(c: _Checker, policy: str | None, team: str | None, base: FieldPath) -> None:
    c.need("policies", policy, (*base, "policy"))
    c.need("teams", team, (*base, "team"))


def _workflows(c: _Checker) -> None:
    modification_scopes = set()
    for entry in c.parts.modification_steps:
        steps = entry.spec
        _scope(c, steps.policy, steps.team, ("modification_steps", entry.index))
        modification_scopes.add((steps.policy, steps.team))
    seen: dict[tuple[str | None, str | None], str] = {}
    for checklist in c.parts.triage_checklists:
        spec, base = checklist.spec, ("triage_checklists", checklist.index)
        _scope(c, spec.policy, spec.team, base)
        scope = (spec.policy, spec.team)
        if scope in seen:
            owner = f"policy {spec.policy!r}" if spec.policy else f"team {spec.team!r}"
            c.add(base, f"{owner} already has triage checklist {seen[scope]!r}")
        seen.setdefault(scope, spec.slug)
        starts = any(o.start == "modification" for o in spec.outcomes())
        if (
            starts
            and scope not in modification_scopes
            and "modification_steps" not in (c.parts.unverifiable)
        ):
            c.add(
                (*base, "steps"),
                "an outcome starts the modification steps, but no modification_steps entry "
                "has the same policy or team",
            )


def _routing(c: _Checker) -> None:
    members = _team_members(c)
    for entry in c.parts.routing_rules:
        rule, base = entry.spec, ("routing_rules", entry.index)
        c.need("teams", rule.team, (*base, "team"))
        fallback = rule.fallback
        if fallback is not None and fallback.agent is not None:
            path = (*base, "fallback", "agent")
            if c.need("agents", fallback.agent, path):
                _member(c, members, rule.team, fallback.agent, path)


def _oncall(c: _Checker) -> None:
    members = _team_members(c)
    teams_seen: dict[str, str] = {}
    for entry in c.parts.oncall_rotations:
        rotation, base = entry.spec, ("oncall_rotations", entry.index)
        c.need("teams", rotation.team, (*base, "team"))
        if rotation.team in teams_seen:
            c.add(
                (*base, "team"),
                f"team {rotation.team!r} already has rotation {teams_seen[rotation.team]!r}",
            )
        teams_seen.setdefault(rotation.team, rotation.slug)
        for k, handle in enumerate(rotation.agents):
            if c.need("agents", handle, (*base, "agents", k)):
                _member(c, members, rotation.team, handle, (*base, "agents", k))
        for k, override in enumerate(rotation.overrides):
            for role in ("primary", "secondary"):
                handle = getattr(override, role)
                c.need("agents", handle, (*base, "overrides", k, role))


def _team_members(c: _Checker) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for entry in c.parts.agents:
        for team in entry.spec.teams:
            members.setdefault(team, set()).add(entry.spec.handle)
    return members


def _member(
    c: _Checker, members: dict[str, set[str]], team: str, handle: str, path: FieldPath
) -> None:
    # An agent that failed validation has unknown teams; do not second-guess it.
    if handle in c.parts.invalid_names.get("agents", set()) or "agents" in c.parts.unverifiable:
        return
    if c.known("teams", team) and handle not in members.get(team, set()):
        c.add(path, f"agent {handle!r} is not in team {team!r}")
