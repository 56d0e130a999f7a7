"""Ticket references (``DSK-000123``): unique and gapless under concurrency.

The number comes from a counter row incremented with one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` inside the caller's write transaction: the row lock (PostgreSQL) or the write lock
(SQLite, ``BEGIN IMMEDIATE``) holds other writers until commit, and a rolled-back ticket rolls
its number back too. ``ticket.reference`` is UNIQUE as a last line of defence.
"""

from __future__ import annotations

import re

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from deskui.store.models import ReferenceCounter

_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")
DIGITS = 6


def format_reference(prefix: str, number: int) -> str:
    """``("DSK", 123)`` → ``"DSK-000123"``; numbers past 999999 simply grow a digit."""
    return f"{prefix}-{number:0{DIGITS}d}"


def next_reference_number(session: Session, prefix: str) -> int:
    """Take the next number for ``prefix`` (1 for a prefix never used) in this transaction."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"{prefix!r} is not a reference prefix (upper-case letters/digits)")
    table = ReferenceCounter.__table__
    assert isinstance(table, Table)  # declarative types it as any FromClause
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = insert_fn(table).values(name=prefix, next_value=2)
    statement = statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=[table.c.name],
        set_={"next_value": table.c.next_value + 1},
    ).returning(table.c.next_value - 1)
    return int(session.execute(statement).scalar_one())


def next_reference(session: Session, prefix: str) -> str:
    """The next reference for ``prefix``, like ``DSK-000123``; use it in the same transaction
    that inserts the ticket."""
    return format_reference(prefix, next_reference_number(session, prefix))
