"""The demo desk: a fresh database seeded from sample data with tickets spread around *now*.

Every desk gets the same story, replayed through the real ticket services so clocks, logs and
flags are exactly what agents would produce: a brand-new call, one just acknowledged, one in
progress, one waiting on the customer, one breached, one resolved, and a top-priority one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from deskui.domain.catalog.errors import SampleDataError
from deskui.domain.catalog.organisations import OrganisationSpec
from deskui.services.actor import Actor
from deskui.services.catalog.load import Catalog, load_catalog_from_directory
from deskui.services.catalog.seeding import seed_catalog
from deskui.services.errors import ServiceError, TicketValidationError
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import acknowledge, add_note, reply, resolve, set_waiting
from deskui.settings import Settings
from deskui.store.migrate import upgrade
from deskui.store.session import Database

DEMO_AGENT = "mbrennan"

# (status story, hours before now it opened, subject, priority index from the top (-1 = lowest))
STORIES: tuple[tuple[str, float, str, int], ...] = (
    ("new", 0.3, "Cannot print picking lists since this morning", 1),
    ("urgent", 0.1, "Whole site cannot log in", 0),
    ("acknowledged", 2.0, "Report totals differ from last month", 2),
    ("in-progress", 26.0, "Import of new term's students fails at row 214", 1),
    ("waiting", 75.0, "Password reset emails not arriving", 2),
    ("breached", 220.0, "Invoice layout wrong after upgrade", 1),
    ("resolved", 120.0, "How do I add a new user?", -1),
)


class DemoError(ServiceError):
    """The demo database could not be built (bad sample data, or an unusable location)."""


@dataclass
class DemoSummary:
    database: str
    agent: str
    tickets: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        statuses = ", ".join(
            f"{count} {status}" for status, count in sorted(self.by_status.items())
        )
        return (
            f"demo database {self.database}: {self.tickets} tickets ({statuses}); "
            f"signed in as {self.agent}"
        )


def _fresh_sqlite(url: str) -> None:
    """Remove an old demo SQLite file (and its WAL) so the demo always starts clean."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    path = Path(parsed.database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


def build_demo_database(settings: Settings, data: Path) -> DemoSummary:
    """Seed ``data`` into a fresh database at ``settings.database_url`` and add demo tickets."""
    try:
        catalog = load_catalog_from_directory(data)
    except SampleDataError as exc:
        raise DemoError(f"sample data in {data} has problems:\n{exc}") from exc
    _fresh_sqlite(settings.database_url)
    database = Database(settings.database_url)
    try:
        upgrade(database.engine)
        now = settings.time_source().now()
        seed_catalog(database, catalog, now=now - dt.timedelta(days=30))
        summary = DemoSummary(database=settings.database_url, agent=settings.agent or DEMO_AGENT)
        for team in catalog.teams:
            _tell_stories(database, catalog, team, now, summary)
        return summary
    finally:
        database.dispose()


def _tell_stories(
    database: Database, catalog: Catalog, team: str, now: dt.datetime, summary: DemoSummary
) -> None:
    today = now.date()

    def active(org: OrganisationSpec) -> bool:
        return any(c.team == team and c.active_on(today) for c in org.contracts)

    organisations = [org for org in catalog.organisations.values() if active(org)]
    agents = [a.handle for a in catalog.agents.values() if team in a.teams and "agent" in a.roles]
    if not organisations or not agents:
        return
    products = [p for p, spec in catalog.products.items() if spec.team == team]
    policy = catalog.policies[catalog.teams[team].policy]
    priorities = [p.slug for p in policy.priorities if p.has_sla]
    if DEMO_AGENT in catalog.agents and team in catalog.agents[DEMO_AGENT].teams:
        agents.insert(0, DEMO_AGENT)
    for index, (story, hours_ago, subject, rank) in enumerate(STORIES):
        org = organisations[index % len(organisations)]
        contract = next(c for c in org.contracts if c.team == team)
        liaisons = [c for c in org.contacts if c.email in contract.liaisons] or list(org.contacts)
        contact = liaisons[index % len(liaisons)]
        agent = agents[index % len(agents)]
        opened = now - dt.timedelta(hours=hours_ago)
        draft = TicketDraft(
            team=team,
            subject=subject,
            channel="phone" if index % 2 else "email",
            category="training" if story == "resolved" else "technical",
            description=f"{contact.name} reports: {subject.lower()}.",
            organisation=org.slug,
            contact_email=contact.email,
            requester_name=contact.name,
            product=products[index % len(products)] if products else None,
            priority=priorities[rank] if rank < len(priorities) else priorities[-1],
            opened_at=opened,
        )
        ref = open_ticket(Actor.of(database, None, at=opened), draft).reference
        status = _play(database, ref, story, agent, opened, now)
        summary.tickets += 1
        summary.by_status[status] = summary.by_status.get(status, 0) + 1


def _play(
    database: Database, ref: str, story: str, agent: str, opened: dt.datetime, now: dt.datetime
) -> str:
    def after(minutes: float) -> dt.datetime:
        return min(opened + dt.timedelta(minutes=minutes), now)

    if story in ("new", "urgent"):
        return "new"
    acknowledge(Actor.of(database, agent, at=after(5)), ref)
    if story == "acknowledged":
        return "acknowledged"
    if story == "breached":
        add_note(
            Actor.of(database, agent, at=after(60)), ref, "Waiting for development to look at it."
        )
        return "in-progress (breached)"
    reply(
        Actor.of(database, agent, at=after(12)),
        ref,
        "call-out",
        "Called back; looking into it now.",
    )
    if story == "in-progress":
        return "in-progress"
    if story == "waiting":
        set_waiting(Actor.of(database, agent, at=after(120)), ref, True)
        return "waiting-on-customer"
    summary = "Walked the customer through it; confirmed working."
    try:
        resolve(Actor.of(database, agent, at=after(180)), ref, summary)
    except TicketValidationError:
        reason = "Needed a developer who was on leave."
        resolve(Actor.of(database, agent, at=after(180)), ref, summary, breach_reason=reason)
    return "resolved"
