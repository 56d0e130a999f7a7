"""The queue's page query: order, filters, paging, counts; and on SQLite, that the plan walks
an index in order instead of sorting."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from store_factories import T0, Seeded, make_ticket, seed_minimal

from deskui.domain.sla.policy import Clock
from deskui.domain.vocabulary import Status
from deskui.store.queue_queries import (
    count_by_status,
    count_open,
    open_tickets_page,
    page_statement,
)
from deskui.store.session import Database

OPEN = [Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER]


@dataclass(frozen=True)
class Made:
    id: int
    reference: str
    priority_rank: int
    status: Status
    due: dt.datetime | None
    assignee: str | None
    team: str
    subject: str


def _priority_key(made: Made) -> tuple:
    return (made.priority_rank, made.due is None, made.due or T0, made.id)


def _due_key(made: Made) -> tuple:
    return (made.due is None, made.due or T0, made.id)


@pytest.fixture
def desk(database: Database) -> tuple[Seeded, list[Made]]:
    """40 tickets: every status, priority, assignee and team mixed, some due times tied, some
    with no running clock, and subjects with LIKE wildcards in them."""
    rng = random.Random(7)
    subjects = ["Printer offline", "100% of users locked out", "Report_2 fails", "Slow login"]
    made: list[Made] = []
    with database.write() as session:
        seeded = seed_minimal(session)
        handles = {agent_id: handle for handle, agent_id in seeded.agent_ids.items()}
        for number in range(40):
            priority = rng.choice(["very-high", "high", "medium", "low"])
            status = rng.choice([*OPEN, *OPEN, Status.RESOLVED, Status.CLOSED])
            due = None if number % 7 == 0 else T0 + dt.timedelta(hours=rng.randint(-5, 30))
            assignee = rng.choice([None, *seeded.agent_ids.values()])
            team = seeded.other_team_id if number % 5 == 0 else seeded.team_id
            ticket = make_ticket(
                session,
                seeded,
                priority=priority,
                status=status,
                subject=subjects[number % len(subjects)],
                next_due_at=due,
                next_clock=Clock.RESPONSE if due else None,
                assignee_id=assignee,
                team_id=team,
            )
            made.append(
                Made(
                    id=ticket.id,
                    reference=ticket.reference,
                    priority_rank=ticket.priority_rank,
                    status=status,
                    due=due,
                    assignee=handles.get(assignee) if assignee else None,
                    team="keystone" if team == seeded.other_team_id else "itworks",
                    subject=ticket.subject,
                )
            )
    return seeded, made


def _ids(records: list) -> list[int]:
    return [record.ticket_id for record in records]


def test_priority_order_is_rank_then_soonest_due_then_no_clock(
    database: Database, desk: tuple[Seeded, list[Made]]
) -> None:
    _, made = desk
    expected = sorted((m for m in made if m.status in OPEN), key=_priority_key)
    with database.read() as session:
        page = open_tickets_page(session, statuses=OPEN, limit=100)
    assert _ids(page) == [m.id for m in expected]
    first = page[0]
    assert first.priority_label in {"Very High", "High", "Medium", "Low"}
    assert first.calendar == "test-et"
    assert first.organisation == "Acme College"
    assert first.product == "admissions"
    assert first.version == 1
    assert all(r.next_due_at is None or r.next_due_at.tzinfo == dt.UTC for r in page)


def test_due_order_ignores_priority(database: Database, desk: tuple[Seeded, list[Made]]) -> None:
    _, made = desk
    expected = sorted((m for m in made if m.status in OPEN), key=_due_key)
    with database.read() as session:
        page = open_tickets_page(session, statuses=OPEN, order="due")
    assert _ids(page) == [m.id for m in expected]


def test_pages_are_consecutive_slices(database: Database, desk: tuple[Seeded, list[Made]]) -> None:
    with database.read() as session:
        whole = _ids(open_tickets_page(session, statuses=OPEN, limit=100))
        pages = [
            _ids(open_tickets_page(session, statuses=OPEN, limit=7, offset=offset))
            for offset in range(0, len(whole), 7)
        ]
    assert [ticket for page in pages for ticket in page] == whole
    assert all(len(page) == 7 for page in pages[:-1])


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"statuses": [Status.NEW]}, lambda m: m.status == Status.NEW),
        (
            {"statuses": [Status.RESOLVED, Status.IN_PROGRESS]},
            lambda m: m.status in {Status.RESOLVED, Status.IN_PROGRESS},
        ),
        ({"assignee": "alice"}, lambda m: m.status in OPEN and m.assignee == "alice"),
        ({"unassigned": True}, lambda m: m.status in OPEN and m.assignee is None),
        ({"text_filter": "100%"}, lambda m: m.status in OPEN and "100%" in m.subject),
        ({"text_filter": "t_2"}, lambda m: m.status in OPEN and "t_2" in m.subject),
        ({"text_filter": "PRINTER"}, lambda m: m.status in OPEN and "Printer" in m.subject),
        ({"text_filter": "acme"}, lambda m: m.status in OPEN),
        ({"text_filter": "DSK-000003"}, lambda m: m.status in OPEN and m.reference == "DSK-000003"),
        ({"statuses": []}, lambda m: False),
    ],
)
def test_filters(
    database: Database, desk: tuple[Seeded, list[Made]], filters: dict, keep: object
) -> None:
    _, made = desk
    filters = {"statuses": OPEN, **filters}
    expected = [m.id for m in sorted(made, key=_priority_key) if keep(m)]  # type: ignore[operator]
    with database.read() as session:
        page = open_tickets_page(session, **filters)
        total = count_open(session, **filters)
    assert _ids(page) == expected
    assert total == len(expected)


def test_assignee_by_id_and_team(database: Database, desk: tuple[Seeded, list[Made]]) -> None:
    seeded, made = desk
    with database.read() as session:
        by_id = _ids(open_tickets_page(session, assignee=seeded.agent_ids["bob"]))
        team = _ids(open_tickets_page(session, team_id=seeded.other_team_id))
    assert by_id == [
        m.id for m in sorted(made, key=_priority_key) if m.status in OPEN and m.assignee == "bob"
    ]
    assert team == [
        m.id for m in sorted(made, key=_priority_key) if m.status in OPEN and m.team == "keystone"
    ]


def test_counts_by_status(database: Database, desk: tuple[Seeded, list[Made]]) -> None:
    _, made = desk
    with database.read() as session:
        counts = count_by_status(session)
    assert counts == {status.value: sum(m.status == status for m in made) for status in OPEN}


def test_bad_arguments_are_refused(database: Database) -> None:
    with database.read() as session:
        with pytest.raises(ValueError, match="order"):
            open_tickets_page(session, order="newest")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="not both"):
            open_tickets_page(session, assignee="alice", unassigned=True)
        with pytest.raises(ValueError, match="'waiting'"):
            open_tickets_page(session, statuses=["waiting"])


# ---- the plan (SQLite) -------------------------------------------------------------------


@pytest.fixture
def busy_sqlite_desk(sqlite_db_url: str) -> Database:
    """A few thousand tickets, most of them closed, as on a desk that has run for a while."""
    db = Database(sqlite_db_url)
    with db.write() as session:
        seeded = seed_minimal(session)
        make_ticket(session, seeded)
        session.execute(
            text(
                """
                WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                INSERT INTO ticket (reference, team_id, organisation_id, contact_id, product_id,
                    requester_name, channel, category, subject, description, policy_id,
                    priority, priority_rank, status, assignee_id, created_at, opened_at,
                    updated_at, next_due_at, paused_business_seconds, version,
                    flag_non_liaison, flag_no_entitlement)
                SELECT 'DSK-' || printf('%06d', i), t.team_id, t.organisation_id, t.contact_id,
                    t.product_id, '', t.channel, t.category, 'bulk ' || i, '', t.policy_id,
                    t.priority, t.priority_rank,
                    CASE WHEN i % 10 = 0 THEN 'new' ELSE 'closed' END,
                    CASE WHEN i % 3 = 0 THEN t.assignee_id END,
                    t.created_at, t.opened_at, t.updated_at,
                    CASE WHEN i % 10 = 0 THEN datetime('2026-03-02', '+' || i || ' minutes') END,
                    0, 1, 0, 0
                FROM n, (SELECT * FROM ticket WHERE id = 1) AS t
                """
            )
        )
        session.execute(text("ANALYZE"))
    yield db
    db.dispose()


def _plan(db: Database, **filters: object) -> str:
    statement = page_statement(**filters)  # type: ignore[arg-type]
    sql = str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.read() as session:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return "\n".join(row[-1] for row in rows)


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "ix_ticket_open_queue"),
        ({"statuses": [Status.NEW, Status.IN_PROGRESS]}, "ix_ticket_open_queue"),
        ({"order": "due"}, "ix_ticket_open_due"),
        ({"assignee": 1}, "ix_ticket_assignee_queue"),
        ({"assignee": "alice"}, "ix_ticket_assignee_queue"),
        ({"unassigned": True}, "ix_ticket_assignee_queue"),
        ({"team_id": 1}, "ix_ticket_team_queue"),
        ({"text_filter": "printer"}, "ix_ticket_open_queue"),
    ],
)
def test_sqlite_page_walks_an_index_in_order(
    busy_sqlite_desk: Database, filters: dict, index: str
) -> None:
    plan = _plan(busy_sqlite_desk, **filters)
    ticket_access = next(line for line in plan.splitlines() if "ticket" in line.split(" USING")[0])
    assert index in ticket_access, plan
    assert "TEMP B-TREE" not in plan, plan


def test_sqlite_page_query_returns_the_same_rows_as_python_sorting(
    busy_sqlite_desk: Database,
) -> None:
    with busy_sqlite_desk.read() as session:
        page = open_tickets_page(session, limit=20)
        total = count_open(session)
    assert total == 301
    dues = [record.next_due_at for record in page]
    assert dues == sorted(dues)
