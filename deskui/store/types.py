"""Column types that behave the same on SQLite and PostgreSQL.

- ``UTCDateTime``: always a timezone-aware UTC ``datetime`` in Python; ``timestamptz`` on
  PostgreSQL, naive UTC text on SQLite; a naive datetime is refused on write, because guessing
  its zone is how SLA clocks silently drift by hours.
- ``BigId``: 64-bit keys on PostgreSQL for the tables that grow (tickets, log, events), plain
  ``INTEGER`` on SQLite, where only ``INTEGER PRIMARY KEY`` is the auto-numbered rowid.
- ``JSONDocument``: ``jsonb`` on PostgreSQL, JSON text on SQLite.
- ``vocabulary_enum``: a domain ``StrEnum`` stored as its value string with a CHECK constraint.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Enum, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: aware UTC in Python, ``timestamptz`` on PostgreSQL, naive UTC on SQLite."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} refused: give it a time zone (UTC instants "
                "only are stored)"
            )
        utc = value.astimezone(dt.UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


BigId = BigInteger().with_variant(Integer(), "sqlite")

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def vocabulary_enum(enum: type[StrEnum], name: str) -> Enum:
    """``enum`` stored as its values in a VARCHAR, checked by a constraint named ``name``.

    Not a native PostgreSQL enum: adding a value must stay a one-line migration on both backends.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(32, max(len(member.value) for member in enum)),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
