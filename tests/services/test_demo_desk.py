"""The demo desk tells a believable story: every ticket its own subject and customer's words,
the same shape of states and ages as the UI tests and snapshots expect, and a message or two
waiting in the mail quarantine (filed there by the real mail intake)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from deskui.domain.vocabulary import InteractionKind
from deskui.services.catalog.demo import DEMO_AGENT, DemoSummary, build_demo_database
from deskui.services.catalog.demo_stories import GENERIC, KINDS, TEAM_STORIES, stories_for
from deskui.services.catalog.load import load_catalog_from_directory
from deskui.services.intake.quarantine import list_quarantine
from deskui.settings import Settings
from deskui.store.models import Interaction, Team, Ticket
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
# What the UI tests and the snapshots are built on: 7 tickets per team, in these states.
SHAPE = {
    "new": 10,
    "acknowledged": 5,
    "in-progress": 5,
    "in-progress (breached)": 5,
    "waiting-on-customer": 5,
    "resolved": 5,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoSummary, Database]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, now=NOW, agent=DEMO_AGENT)
    summary = build_demo_database(settings, SAMPLE_DATA)
    database = Database(url)
    yield summary, database
    database.dispose()


def _tickets(database: Database) -> list[tuple[str, str, str, str]]:
    with database.read() as session:
        rows = session.execute(
            select(Team.slug, Ticket.subject, Ticket.description, Ticket.requester_name)
            .join(Team, Team.id == Ticket.team_id)
            .order_by(Ticket.id)
        )
        return [(team, subject, body, name) for team, subject, body, name in rows]


def test_every_demo_ticket_has_its_own_subject_and_body(
    demo: tuple[DemoSummary, Database],
) -> None:
    _, database = demo
    tickets = _tickets(database)
    assert len(tickets) == 35
    subjects = Counter(subject for _, subject, _, _ in tickets)
    assert len(subjects) == 35, [s for s, n in subjects.items() if n > 1]
    bodies = [body for _, _, body, _ in tickets]
    assert len(set(bodies)) == 35
    for _, subject, body, _ in tickets:
        # Not the old placeholder "Maria Lopez reports: <the subject>."
        assert not re.fullmatch(r".* reports: .*", body, re.DOTALL), body
        assert subject.lower() not in body.lower()
        assert len(body) > len(subject)
        assert "{" not in body  # every placeholder filled


def test_the_agents_words_differ_from_desk_to_desk(demo: tuple[DemoSummary, Database]) -> None:
    _, database = demo
    with database.read() as session:
        said = session.scalars(
            select(Interaction.body).where(
                Interaction.kind.in_((InteractionKind.CALL_OUT, InteractionKind.NOTE))
            )
        ).all()
    assert said
    # One desk's agents do not repeat another's notes and replies word for word.
    assert len(set(said)) == len(said)


def test_the_shape_of_the_story_is_kept(demo: tuple[DemoSummary, Database]) -> None:
    summary, database = demo
    assert summary.tickets == 35
    assert summary.by_status == SHAPE
    with database.read() as session:
        for team in ("kenco", "itworks", "keystone", "velsoft", "paritor"):
            rows = session.execute(
                select(Ticket.status, Ticket.next_due_at)
                .join(Team, Team.id == Ticket.team_id)
                .where(Team.slug == team)
                .order_by(Ticket.id)
            ).all()
            assert len(rows) == 7, team
            # The sixth story is the breached one: still open and past its due time.
            status, due = rows[5]
            assert status not in ("resolved", "closed"), (team, rows[5])
            assert due is not None and due < NOW, (team, rows[5])


def test_a_message_or_two_wait_in_the_quarantine(demo: tuple[DemoSummary, Database]) -> None:
    summary, database = demo
    held = list_quarantine(database)
    assert 1 <= len(held) <= 2
    assert summary.quarantined == len(held)
    noun = "message" if len(held) == 1 else "messages"
    assert f"{len(held)} {noun} in quarantine" in str(summary)
    # Each kept for the reason mail intake really gives, received before now.
    assert all(row.reason and row.received_at < NOW for row in held)
    assert any("which team" in row.reason for row in held)


def test_every_bundled_team_has_its_own_seven_stories() -> None:
    teams = load_catalog_from_directory(SAMPLE_DATA).teams
    assert set(teams) == set(TEAM_STORIES)
    for team in teams:
        assert tuple(TEAM_STORIES[team]) == KINDS, team
    # Custom sample data: a team nobody wrote stories for still gets all seven.
    assert stories_for("someone-else") == tuple(GENERIC[kind] for kind in KINDS)
