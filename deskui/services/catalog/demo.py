"""The demo desk: a fresh database seeded from sample data with tickets spread around *now*.

Every desk gets the same plot, replayed through the real ticket services so clocks, logs and
flags are exactly what agents would produce: a brand-new call, one just acknowledged, one in
progress, one waiting on the customer, one breached, one resolved, and a top-priority one. What
the customers and agents say is the desk's own (``deskui.services.catalog.demo_stories``).
Then a message or two that mail intake cannot file arrive through the real intake
(``deskui.services.intake.mail_in``) and wait in the quarantine for a person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from deskui.domain.catalog.errors import SampleDataError
from deskui.domain.catalog.organisations import OrganisationSpec
from deskui.domain.mail_rules import fill_template
from deskui.services.actor import Actor
from deskui.services.catalog.demo_stories import KINDS, Story, stories_for
from deskui.services.catalog.load import Catalog, load_catalog_from_directory
from deskui.services.catalog.seeding import seed_catalog
from deskui.services.errors import ServiceError, TicketValidationError
from deskui.services.intake import open_ticket
from deskui.services.intake.mail_in import ingest_message
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import acknowledge, add_note, reply, resolve, set_waiting
from deskui.settings import Settings
from deskui.store.migrate import upgrade
from deskui.store.session import Database

DEMO_AGENT = "mbrennan"

# (story kind, hours before now it opened, priority index from the top (-1 = lowest)), in the
# order of demo_stories.KINDS. The UI tests and snapshots are built on this shape.
PLOT: tuple[tuple[str, float, int], ...] = (
    ("new", 0.3, 1),
    ("urgent", 0.1, 0),
    ("acknowledged", 2.0, 2),
    ("in-progress", 26.0, 1),
    ("waiting", 75.0, 2),
    ("breached", 220.0, 1),
    ("resolved", 120.0, -1),
)
assert tuple(kind for kind, _, _ in PLOT) == KINDS

# Messages mail intake really cannot file, as (minutes before now it arrived, raw message): a
# stranger writing to no team's address (which team is it for?) and a scan-to-email device
# with no address in its From. Both wait in the quarantine for a person to retry or dismiss.
QUARANTINED: tuple[tuple[float, bytes], ...] = (
    (
        140.0,
        b"From: Priya Shah <priya.shah@harbour-freight.example>\r\n"
        b"To: info@deskui.example\r\n"
        b"Subject: Support for our new warehouse from January?\r\n"
        b"Message-ID: <second-warehouse.1@harbour-freight.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hello,\r\n\r\nWe open a second warehouse in January and would like it covered "
        b"by your support desk\r\nfrom the first day. Who should I speak to?\r\n\r\n"
        b"Priya Shah\r\nHarbour Freight\r\n",
    ),
    (
        40.0,
        b"From: Dock 4 scanner\r\n"
        b"To: info@deskui.example\r\n"
        b"Subject: Scan to email: job 0417 failed\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"Job 0417 could not be completed: paper jam in the feeder.\r\n",
    ),
)


class DemoError(ServiceError):
    """The demo database could not be built (bad sample data, or an unusable location)."""


@dataclass
class DemoSummary:
    database: str
    agent: str
    tickets: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0

    def __str__(self) -> str:
        statuses = ", ".join(
            f"{count} {status}" for status, count in sorted(self.by_status.items())
        )
        held = f"{self.quarantined} message{'' if self.quarantined == 1 else 's'} in quarantine"
        return (
            f"demo database {self.database}: {self.tickets} tickets ({statuses}); "
            f"{held}; signed in as {self.agent}"
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
        _deliver_unfileable_mail(database, now, summary)
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
    told = zip(PLOT, stories_for(team), strict=True)
    for index, ((kind, hours_ago, rank), story) in enumerate(told):
        org = organisations[index % len(organisations)]
        contract = next(c for c in org.contracts if c.team == team)
        liaisons = [c for c in org.contacts if c.email in contract.liaisons] or list(org.contacts)
        contact = liaisons[index % len(liaisons)]
        agent = agents[index % len(agents)]
        opened = now - dt.timedelta(hours=hours_ago)
        product = story.product if story.product in products else None
        if product is None and products:
            product = products[index % len(products)]
        words = _filled(story, {"name": contact.name, "organisation": org.name})
        draft = TicketDraft(
            team=team,
            subject=words.subject,
            channel="phone" if index % 2 else "email",
            category="training" if kind == "resolved" else "technical",
            description=words.body,
            organisation=org.slug,
            contact_email=contact.email,
            requester_name=contact.name,
            product=product,
            priority=priorities[rank] if rank < len(priorities) else priorities[-1],
            opened_at=opened,
        )
        ref = open_ticket(Actor.of(database, None, at=opened), draft).reference
        status = _play(database, ref, kind, words, agent, opened, now)
        summary.tickets += 1
        summary.by_status[status] = summary.by_status.get(status, 0) + 1


def _filled(story: Story, values: dict[str, str]) -> Story:
    """``story`` with the contact's and organisation's names in its texts."""
    texts = ("subject", "body", "reply", "note", "waiting", "summary", "late")
    return dataclasses.replace(
        story, **{name: fill_template(getattr(story, name), values) for name in texts}
    )


def _play(
    database: Database,
    ref: str,
    kind: str,
    words: Story,
    agent: str,
    opened: dt.datetime,
    now: dt.datetime,
) -> str:
    def after(minutes: float) -> dt.datetime:
        return min(opened + dt.timedelta(minutes=minutes), now)

    if kind in ("new", "urgent"):
        return "new"
    acknowledge(Actor.of(database, agent, at=after(5)), ref)
    if kind == "acknowledged":
        return "acknowledged"
    if kind == "breached":
        # A note, and no call back: the response clock runs out.
        add_note(Actor.of(database, agent, at=after(60)), ref, words.note)
        return "in-progress (breached)"
    reply(Actor.of(database, agent, at=after(12)), ref, "call-out", words.reply)
    if kind == "in-progress":
        return "in-progress"
    if kind == "waiting":
        set_waiting(Actor.of(database, agent, at=after(120)), ref, True, note=words.waiting)
        return "waiting-on-customer"
    try:
        resolve(Actor.of(database, agent, at=after(180)), ref, words.summary)
    except TicketValidationError:
        # Resolved after its due time: the desk records why (as an agent would have to).
        resolve(
            Actor.of(database, agent, at=after(180)),
            ref,
            words.summary,
            breach_reason=words.late,
        )
    return "resolved"


def _deliver_unfileable_mail(database: Database, now: dt.datetime, summary: DemoSummary) -> None:
    """Pipe ``QUARANTINED`` through mail intake as it arrived; what it quarantines is counted.

    The actor has the default settings, so no ``DESKUI_MAIL_TEAM`` of the caller's gives the
    stranger's message a team after all."""
    for minutes_ago, raw in QUARANTINED:
        arrived = now - dt.timedelta(minutes=minutes_ago)
        result = ingest_message(Actor.of(database, None, at=arrived), raw)
        if result.action == "quarantined":
            summary.quarantined += 1
