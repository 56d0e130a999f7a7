"""Generated tickets (SQLite and PostgreSQL): counts, statuses consistent with timestamps,
dues equal to the SLA engine's, queue columns, gapless references, logs the ticket services
read back to the same clocks."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.clocks import ClockEvent, compute_clocks, next_due
from deskui.domain.sla.policy import CLOCKS, Clock, PolicySpec
from deskui.domain.vocabulary import OPEN_STATUSES, InteractionKind, Status
from deskui.services.catalog.generate import GenerateSummary, NotSeededError, generate_tickets
from deskui.services.catalog.generate.rows import Encoder
from deskui.services.catalog.seeding import seed_directory
from deskui.services.tickets.clocks import load_clock_events
from deskui.store import models
from deskui.store.catalog_store import load_calendar_specs, load_policy_specs
from deskui.store.migrate import upgrade
from deskui.store.references import next_reference
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
N = 2000


@dataclass
class Generated:
    database: Database
    summary: GenerateSummary


def _fresh_url(request: pytest.FixtureRequest, backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp / "generated.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    pool = request.getfixturevalue("postgres_pool")
    name = pool.acquire()
    try:
        yield cluster.url(name)
    finally:
        pool.release(name)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generated]:
    """One seeded database with N generated tickets per backend, shared by the read-only
    tests of this module (built from the suite's migrated templates)."""
    for url in _fresh_url(request, request.param, tmp_path_factory.mktemp("generate")):
        database = Database(url)
        try:
            seed_directory(database, SAMPLE_DATA, now=NOW)
            yield Generated(database, generate_tickets(database, N, now=NOW, seed=7))
        finally:
            database.dispose()


@pytest.fixture
def session(generated: Generated) -> Iterator[Session]:
    with generated.database.read() as session:
        yield session


def tickets(session: Session) -> list[models.Ticket]:
    return list(session.scalars(select(models.Ticket).order_by(models.Ticket.id)))


def engine(session: Session) -> tuple[CalendarBook, dict[int, PolicySpec]]:
    book = CalendarBook(load_calendar_specs(session).values())
    by_name = load_policy_specs(session)
    ids = dict(session.execute(select(models.SlaPolicy.id, models.SlaPolicy.name)).all())
    return book, {policy_id: by_name[name] for policy_id, name in ids.items()}


# ---- counts and statuses -----------------------------------------------------------------


def test_counts_and_open_fraction(generated: Generated, session: Session) -> None:
    summary = generated.summary
    assert summary.tickets == N
    count = session.execute(select(func.count()).select_from(models.Ticket)).scalar_one()
    assert count == N
    log = session.execute(select(func.count()).select_from(models.Interaction)).scalar_one()
    assert log == summary.interactions
    rows = tickets(session)
    open_count = sum(1 for t in rows if t.status in OPEN_STATUSES)
    assert open_count == summary.open
    assert abs(open_count / N - 0.1) < 0.02
    statuses = {t.status for t in rows}
    # Every status shows up, so the demo and the queue have something of each.
    assert statuses == set(Status)
    assert sum(summary.by_status.values()) == N
    # Flags and entitlement: some of each, and a contract exactly when entitled.
    assert any(t.flag_non_liaison for t in rows)
    assert any(t.flag_no_entitlement for t in rows)
    assert all((t.contract_id is None) == t.flag_no_entitlement for t in rows)


def test_timestamps_follow_the_status(session: Session) -> None:
    for t in tickets(session):
        times = [t.opened_at, t.acknowledged_at, t.first_response_at, t.resolved_at, t.closed_at]
        present = [x for x in times if x is not None]
        assert present == sorted(present), t.reference
        assert all(x <= NOW for x in present)
        assert t.created_at == t.opened_at and t.updated_at >= present[-1]
        assert t.is_open == (t.status in OPEN_STATUSES)
        done = t.status in {Status.RESOLVED, Status.CLOSED}
        assert (t.resolved_at is not None) == done
        assert (t.closed_at is not None) == (t.status is Status.CLOSED)
        assert (t.paused_at is not None) == (t.status is Status.WAITING_ON_CUSTOMER)
        if t.status is Status.NEW:
            assert t.acknowledged_at is None and t.assignee_id is None
        else:
            assert t.acknowledged_at is not None and t.assignee_id is not None
        if t.status is Status.ACKNOWLEDGED:
            assert t.first_response_at is None
        if t.status in {Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER}:
            assert t.first_response_at is not None


def test_opening_times_lean_recent_and_into_business_hours(session: Session) -> None:
    rows = tickets(session)
    opened = np.array([t.opened_at.timestamp() for t in rows])
    assert opened.min() >= (NOW - dt.timedelta(days=731)).timestamp()
    assert opened.max() < NOW.timestamp()
    year_ago = (NOW - dt.timedelta(days=365)).timestamp()
    assert (opened >= year_ago).sum() > 1.5 * (opened < year_ago).sum()
    # Velsoft opens 08:00-16:30 Halifax time on weekdays: most of its tickets arrive then.
    velsoft = [t for t in rows if t.team.slug == "velsoft" and not t.flag_no_entitlement]
    local = [t.opened_at.astimezone(ZoneInfo("America/Halifax")) for t in velsoft]
    in_hours = [x for x in local if x.weekday() < 5 and 8 * 60 <= x.hour * 60 + x.minute < 990]
    assert len(in_hours) > 0.75 * len(local)


# ---- clocks ------------------------------------------------------------------------------


def running_dues(t: models.Ticket) -> dict[Clock, dt.datetime]:
    """The dues of clocks still counting, read from the ticket's own columns."""
    dues: dict[Clock, dt.datetime] = {}
    if t.status not in OPEN_STATUSES:
        return dues
    if t.acknowledged_at is None and t.ack_due_at is not None:
        dues[Clock.ACKNOWLEDGEMENT] = t.ack_due_at
    if t.first_response_at is None and t.response_due_at is not None:
        dues[Clock.RESPONSE] = t.response_due_at
    if t.paused_at is None and t.resolution_due_at is not None:
        dues[Clock.RESOLUTION] = t.resolution_due_at
    return dues


def test_next_due_is_the_earliest_running_due(session: Session) -> None:
    with_due = 0
    for t in tickets(session):
        dues = running_dues(t)
        if not dues:
            assert t.next_due_at is None and t.next_clock is None, t.reference
            continue
        with_due += 1
        earliest = min(dues.values())
        assert t.next_due_at == earliest, t.reference
        first_clock = next(c for c in CLOCKS if dues.get(c) == earliest)
        assert t.next_clock == first_clock
    assert with_due > 0


def column_events(t: models.Ticket) -> list[ClockEvent]:
    events = []
    if t.acknowledged_at is not None:
        events.append(ClockEvent("acknowledged", t.acknowledged_at))
    if t.first_response_at is not None:
        events.append(ClockEvent("responded", t.first_response_at))
    if t.paused_at is not None:
        events.append(ClockEvent("paused", t.paused_at))
    if t.resolved_at is not None:
        events.append(ClockEvent("resolved", t.resolved_at))
    return events


def test_dues_equal_the_sla_engine(session: Session) -> None:
    book, policies = engine(session)
    rows = tickets(session)
    sample = [t for t in rows if t.is_open] + random.Random(3).sample(rows, 250)
    kinds = set()
    for t in sample:
        policy = policies[t.policy_id]
        states = compute_clocks(policy, t.priority, book, t.opened_at, column_events(t))
        stored = {
            Clock.ACKNOWLEDGEMENT: t.ack_due_at,
            Clock.RESPONSE: t.response_due_at,
            Clock.RESOLUTION: t.resolution_due_at,
        }
        for clock, state in states.items():
            assert stored[clock] == state.due_at, (t.reference, clock)
            if state.target is not None:
                kinds.add(type(state.target).__name__)
        upcoming = next_due(states)
        assert (t.next_clock, t.next_due_at) == (upcoming if upcoming else (None, None))
    # The sample covers every kind of target: durations, cob and negotiated.
    assert kinds == {"BusinessTarget", "CloseOfBusinessTarget", "NegotiatedTarget"}


def test_the_log_gives_back_the_stored_clocks(session: Session) -> None:
    """What the ticket services recompute from the log is what the columns hold, so the
    first edit of a generated ticket does not move its clocks."""
    book, policies = engine(session)
    rows = tickets(session)
    sample = [t for t in rows if t.is_open][:150] + random.Random(4).sample(rows, 150)
    for t in sample:
        events = load_clock_events(session, t.id)
        states = compute_clocks(policies[t.policy_id], t.priority, book, t.opened_at, events)
        ack, response, resolution = (states[c] for c in CLOCKS)
        assert ack.met_at == t.acknowledged_at, t.reference
        assert response.met_at == t.first_response_at, t.reference
        assert resolution.met_at == t.resolved_at, t.reference
        assert (resolution.paused_at if resolution.paused else None) == t.paused_at
        assert resolution.due_at == t.resolution_due_at
        upcoming = next_due(states)
        assert (t.next_clock, t.next_due_at) == (upcoming if upcoming else (None, None))


def test_every_ticket_has_a_log_opening_with_the_contact(session: Session) -> None:
    per_ticket = dict(
        session.execute(
            select(models.Interaction.ticket_id, func.count()).group_by(
                models.Interaction.ticket_id
            )
        ).all()
    )
    assert len(per_ticket) == N
    assert min(per_ticket.values()) >= 1 and max(per_ticket.values()) <= 6
    t = next(t for t in tickets(session) if t.status is Status.CLOSED)
    log = t.interactions
    assert log[0].at == t.opened_at and log[0].meta["opening"] is True
    assert log[0].author_name == t.requester_name
    kinds = [entry.kind for entry in log]
    assert InteractionKind.ACKNOWLEDGEMENT in kinds
    assert log[-1].kind is InteractionKind.STATUS_CHANGE and log[-1].meta["to"] == "closed"
    assert t.version == len(log)


# ---- references --------------------------------------------------------------------------


def test_references_are_gapless(generated: Generated, session: Session) -> None:
    references = session.scalars(select(models.Ticket.reference).order_by(models.Ticket.id))
    assert list(references) == [f"DSK-{k:06d}" for k in range(1, N + 1)]
    assert generated.summary.first_reference == "DSK-000001"
    assert generated.summary.last_reference == f"DSK-{N:06d}"
    # Oldest first.
    opened = list(session.scalars(select(models.Ticket.opened_at).order_by(models.Ticket.id)))
    assert opened == sorted(opened)


def test_the_counter_continues_after_generating(database: Database) -> None:
    seed_directory(database, SAMPLE_DATA, now=NOW)
    with database.write() as session:
        assert next_reference(session, "DSK") == "DSK-000001"
    first = generate_tickets(database, 30, now=NOW, chunk_size=7)
    assert (first.first_reference, first.last_reference) == ("DSK-000002", "DSK-000031")
    second = generate_tickets(database, 5, now=NOW)
    assert second.first_reference == "DSK-000032"
    with database.write() as session:
        assert next_reference(session, "DSK") == "DSK-000037"


# ---- odds and ends -----------------------------------------------------------------------


def test_same_seed_same_tickets(database: Database, tmp_path: Path) -> None:
    """Also across backends: the PostgreSQL run is compared with a SQLite one."""
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        upgrade(other.engine)
        results = []
        for db in (database, other):
            seed_directory(db, SAMPLE_DATA, now=NOW)
            generate_tickets(db, 200, now=NOW, seed=11, chunk_size=64)
            with db.read() as session:
                results.append(
                    session.execute(
                        select(
                            models.Ticket.reference,
                            models.Ticket.subject,
                            models.Ticket.status,
                            models.Ticket.opened_at,
                            models.Ticket.next_due_at,
                        ).order_by(models.Ticket.reference)
                    ).all()
                )
        assert results[0] == results[1]
    finally:
        other.dispose()


def test_an_unseeded_database_is_refused(database: Database) -> None:
    with pytest.raises(NotSeededError, match="deskui db seed"):
        generate_tickets(database, 10, now=NOW)


def test_bad_arguments(database: Database) -> None:
    with pytest.raises(ValueError, match="open_fraction"):
        generate_tickets(database, 10, now=NOW, open_fraction=1.5)
    with pytest.raises(ValueError, match="negative"):
        generate_tickets(database, -1, now=NOW)
    with pytest.raises(ValueError, match="aware"):
        generate_tickets(database, 1, now=NOW.replace(tzinfo=None))


def test_sqlite_instants_are_written_as_sqlalchemy_writes_them() -> None:
    process = sqlite.DATETIME().bind_processor(sqlite.dialect())
    assert process is not None
    instants = np.array(
        [-1, 0, 951_782_400, 1_234_567_890, 1_798_761_599, 4_102_444_800], dtype=np.int64
    )
    encoded = Encoder("sqlite").instants(instants)
    assert encoded[0] is None
    for value, text in zip(instants[1:].tolist(), encoded[1:], strict=True):
        naive = dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)
        assert text == process(naive)
