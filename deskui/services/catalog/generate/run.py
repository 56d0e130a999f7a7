"""``generate_tickets``: plan the whole run, then compute and insert it chunk by chunk.

Each chunk is one write transaction: it takes its primary keys and a consecutive run of
reference numbers (moving the desk's counter row by the chunk's size, so later tickets
continue without a gap), then inserts the tickets and their log: a Core ``insert()`` of
untyped columns, compiled once per chunk, run with the driver's executemany on tuples that
``rows`` already encoded. A failure leaves whole chunks behind and the counter consistent.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Insert, Table, column, func, insert, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from deskui.services.catalog.generate.attributes import CHANNELS, draw_attributes
from deskui.services.catalog.generate.plan import plan_tickets
from deskui.services.catalog.generate.rows import (
    LOG_COLUMNS,
    TICKET_COLUMNS,
    Encoder,
    LogPlan,
    ticket_rows,
)
from deskui.services.catalog.generate.targets import build_targets
from deskui.services.catalog.generate.timeline import STATUSES, draw_timeline
from deskui.services.catalog.generate.world import World, read_world
from deskui.store import models
from deskui.store.changes import record_event
from deskui.store.references import format_reference
from deskui.store.session import Database

Ints = npt.NDArray[np.int64]

CHUNK_SIZE = 20_000
GENERATED_EVENT = "tickets-generated"

_TICKETS = table("ticket", *(column(name) for name in TICKET_COLUMNS))
_LOG = table("interaction", *(column(name) for name in LOG_COLUMNS))


@dataclass(frozen=True)
class GenerateSummary:
    """What ``generate_tickets`` wrote."""

    tickets: int
    open: int
    interactions: int
    first_reference: str | None
    last_reference: str | None
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        if not self.tickets:
            return "generated no tickets"
        statuses = ", ".join(f"{name} {count}" for name, count in self.by_status.items())
        return (
            f"generated {self.tickets} tickets ({self.first_reference} to "
            f"{self.last_reference}), {self.open} open, {self.interactions} log entries, "
            f"in {self.seconds:.1f} s\nby status: {statuses}"
        )


def generate_tickets(
    database: Database,
    n: int,
    *,
    open_fraction: float = 0.1,
    seed: int = 42,
    now: dt.datetime,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateSummary:
    """Insert ``n`` generated tickets and their logs into a seeded ``database``.

    The same ``seed``, ``now``, ``chunk_size`` and database contents give the same tickets.
    ``progress(done, n)`` is called after each committed chunk. ``NotSeededError`` when the
    database holds no desk configuration or no contracts.
    """
    if n < 0:
        raise ValueError("the number of tickets cannot be negative")
    if not 0.0 <= open_fraction <= 1.0:
        raise ValueError("open_fraction must be between 0 and 1")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    if now.tzinfo is None:
        raise ValueError("generate_tickets needs an aware 'now'")
    started = time.perf_counter()
    with database.read() as session:
        world = read_world(session)
    if n == 0:
        return GenerateSummary(0, 0, 0, None, None)
    instant = int(now.timestamp())
    targets = build_targets(world.book, world.policies)
    plan = plan_tickets(world, n, open_fraction, instant, seed)
    encoder = Encoder(database.dialect)

    by_status = dict.fromkeys((s.value for s in STATUSES), 0)
    log_entries = 0
    first_reference: str | None = None
    last_reference: str | None = None
    for start in range(0, n, chunk_size):
        stop = min(n, start + chunk_size)
        rng = np.random.default_rng([seed, 1, start])
        opened = plan.opened[start:stop]
        contract = plan.contract[start:stop]
        entitled = plan.entitled[start:stop]
        who = draw_attributes(world, targets, contract, entitled, rng)
        life = draw_timeline(
            targets,
            who.policy,
            who.rank,
            opened,
            plan.open[start:stop],
            plan.open_age[start:stop],
            instant,
            rng,
        )
        descriptions = [
            f"{subject}. Raised by {name} by {CHANNELS[channel].value}."
            for subject, name, channel in zip(
                who.subject, _names(world, who.contact), who.channel.tolist(), strict=True
            )
        ]
        log = LogPlan(world, opened, who, life, descriptions, rng)
        with database.write() as session:
            ids = reserve_ids(session, "ticket", stop - start)
            first = reserve_numbers(session, world.prefix, stop - start)
            references = [format_reference(world.prefix, first + i) for i in range(stop - start)]
            rows = ticket_rows(
                world,
                encoder,
                ids,
                references,
                opened,
                contract,
                entitled,
                who,
                life,
                log.counts,
                descriptions,
            )
            insert_many(session, _TICKETS, TICKET_COLUMNS, rows)
            log_ids = reserve_ids(session, "interaction", len(log))
            insert_many(session, _LOG, LOG_COLUMNS, log.rows(encoder, log_ids, ids))
            if stop == n:
                payload = {"tickets": n, "last_reference": references[-1]}
                record_event(session, GENERATED_EVENT, payload=payload, at=now)
        log_entries += len(log)
        for code, count in zip(*np.unique(life.status, return_counts=True), strict=True):
            by_status[STATUSES[int(code)].value] += int(count)
        first_reference = first_reference or references[0]
        last_reference = references[-1]
        if progress is not None:
            progress(stop, n)
    return GenerateSummary(
        tickets=n,
        open=int(plan.open.sum()),
        interactions=log_entries,
        first_reference=first_reference,
        last_reference=last_reference,
        by_status={k: v for k, v in by_status.items() if v},
        seconds=time.perf_counter() - started,
    )


def _names(world: World, contact: Ints) -> list[str]:
    names = {c.id: c.name for o in world.organisations for c in o.contacts}
    return [names.get(c, "an unknown caller") for c in contact.tolist()]


def insert_many(
    session: Session, target: TableClause, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Core ``insert()`` of ``target``, compiled once for the session's dialect, executed
    with the driver's executemany on ``rows`` (tuples in ``columns`` order).

    Going to the driver directly skips SQLAlchemy's per-row parameter building, which cost
    more than SQLite's own work; the values are already encoded for the columns' types.
    """
    connection = session.connection()
    compiled = insert(target).compile(dialect=connection.dialect, column_keys=list(columns))
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup or ()]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
        connection.exec_driver_sql(str(compiled), rows)
    else:
        connection.exec_driver_sql(
            str(compiled), [dict(zip(columns, row, strict=True)) for row in rows]
        )


def reserve_numbers(session: Session, prefix: str, count: int) -> int:
    """Take ``count`` consecutive reference numbers for ``prefix``; returns the first.

    The counter row is the one ``deskui.store.references.next_reference_number`` increments,
    moved by ``count`` in one upsert, so tickets made later continue without a gap.
    """
    counter = models.ReferenceCounter.__table__
    assert isinstance(counter, Table)  # declarative types it as any FromClause
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = insert_fn(counter).values(name=prefix, next_value=count + 1)
    statement = statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=[counter.c.name],
        set_={"next_value": counter.c.next_value + count},
    ).returning(counter.c.next_value - count)
    return int(session.execute(statement).scalar_one())


def reserve_ids(session: Session, table_name: str, count: int) -> Ints:
    """``count`` unused primary keys of ``ticket`` or ``interaction``: from the table's
    sequence on PostgreSQL; after the current maximum on SQLite, where the write transaction
    holds the database lock until the rows are in."""
    if session.get_bind().dialect.name == "postgresql":
        keys = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table_name, "n": count},
        ).scalars()
        return np.fromiter(keys, dtype=np.int64, count=count)
    models_by_table: dict[str, type[models.Ticket] | type[models.Interaction]] = {
        "ticket": models.Ticket,
        "interaction": models.Interaction,
    }
    model = models_by_table[table_name]
    highest = int(session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one())
    return np.arange(highest + 1, highest + 1 + count, dtype=np.int64)
