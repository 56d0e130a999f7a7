"""References are unique and gapless, also with several OS processes creating tickets at once."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from multiprocessing.pool import Pool

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from store_factories import make_ticket, seed_minimal
from store_workers import create_tickets, warm_up

from deskui.domain.storage_errors import StoreFailedError
from deskui.store.models import ReferenceCounter, Ticket
from deskui.store.references import format_reference, next_reference
from deskui.store.session import Database

# One worker runs every 'many-processes' test (under `make test`'s pytest-xdist), one after
# another: each starts several writer processes, so two at once would overload the machine.
pytestmark = pytest.mark.xdist_group("many-processes")

PROCESSES = 4
TICKETS_EACH = 25


def test_references_count_from_one_per_prefix(database: Database) -> None:
    with database.write() as session:
        assert [next_reference(session, "DSK") for _ in range(3)] == [
            "DSK-000001",
            "DSK-000002",
            "DSK-000003",
        ]
        assert next_reference(session, "KEN") == "KEN-000001"
    with database.read() as session:
        counters = {row.name: row.next_value for row in session.scalars(select(ReferenceCounter))}
    assert counters == {"DSK": 4, "KEN": 2}


def test_format_grows_past_six_digits() -> None:
    assert format_reference("DSK", 1_234_567) == "DSK-1234567"


@pytest.mark.parametrize("prefix", ["dsk", "DSK-1", "", "D SK"])
def test_bad_prefixes_are_refused(database: Database, prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"), database.write() as session:
        next_reference(session, prefix)


def test_a_rolled_back_ticket_gives_its_number_back(database: Database) -> None:
    with database.write() as session:
        seeded = seed_minimal(session)
        make_ticket(session, seeded)
    with pytest.raises(RuntimeError), database.write() as session:
        make_ticket(session, seeded)
        raise RuntimeError("the agent cancelled")
    with database.write() as session:
        assert make_ticket(session, seeded).reference == "DSK-000002"


def test_duplicate_references_are_refused_by_the_database(database: Database) -> None:
    with database.write() as session:
        seeded = seed_minimal(session)
        make_ticket(session, seeded)
    with pytest.raises(StoreFailedError) as refused, database.write() as session:
        ticket = make_ticket(session, seeded)
        ticket.reference = "DSK-000001"
    # The store's own error; the driver's refusal is its cause.
    assert isinstance(refused.value.__cause__, IntegrityError)


@pytest.fixture(scope="module")
def workers() -> Iterator[Pool]:
    """Worker processes shared by both backends' runs (starting them is the slow part)."""
    # Fresh interpreters, not forks: a forked child could close (and so unlock) the parent's
    # SQLite file descriptors.
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        pool.map(warm_up, [0.5] * PROCESSES, chunksize=1)
        yield pool


def test_processes_creating_tickets_at_once_get_exactly_one_to_n(
    database: Database, workers: Pool
) -> None:
    with database.write() as session:
        seeded = seed_minimal(session)
        template = make_ticket(session, seeded)
        fields = {
            column: getattr(template, column)
            for column in (
                "team_id",
                "organisation_id",
                "contact_id",
                "product_id",
                "channel",
                "category",
                "policy_id",
                "priority",
                "priority_rank",
                "created_at",
                "opened_at",
                "updated_at",
            )
        }
    url = database.url.render_as_string(hide_password=False)
    start_at = time.time() + 0.3
    results = workers.starmap(
        create_tickets, [(url, fields, "LOAD", TICKETS_EACH, start_at)] * PROCESSES, chunksize=1
    )
    handed_out = [reference for batch in results for reference in batch]
    expected = [format_reference("LOAD", n) for n in range(1, PROCESSES * TICKETS_EACH + 1)]
    assert sorted(handed_out) == expected
    for batch in results:
        # Each process saw its own numbers rise: one counter, no reuse.
        assert batch == sorted(batch)
    with database.read() as session:
        stored = session.scalars(
            select(Ticket.reference).where(Ticket.reference.like("LOAD-%"))
        ).all()
        total = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
    assert sorted(stored) == expected
    assert total == PROCESSES * TICKETS_EACH + 1
